//! Ctrl+C / Ctrl+X / Ctrl+V through the browser's copy, cut and paste events. Copies are written
//! as Excalidraw writes them (text/plain holding `{"type":"excalidraw/clipboard",...}`), so the
//! same clipboard pastes into Easel, into another Easel board and into Excalidraw.

import { toExcalidrawClipboard } from '../clipboard/excalidraw';
import { elementsFromClipboardText } from '../clipboard/paste';
import type { Editor } from '../editor';
import type { Vec } from '../engine/geometry';
import type { FileStore } from '../files';
import { insertImages } from './images';

export interface ClipboardHooks {
  /** Where the pointer is over the board, in world coordinates; null when it is elsewhere. */
  pointer(): Vec | null;
  /** Events aimed at a text field are left to it. */
  ignore(target: EventTarget | null): boolean;
  onError(message: string): void;
}

export function installClipboard(editor: Editor, files: FileStore, hooks: ClipboardHooks): void {
  const copy = (e: ClipboardEvent, cut: boolean) => {
    if (hooks.ignore(e.target) || !e.clipboardData) return;
    const sel = editor.selectedElements();
    if (!sel.length) return;
    e.preventDefault();
    const data = toExcalidrawClipboard(sel, (id) => files.get(id));
    e.clipboardData.setData('text/plain', JSON.stringify(data));
    if (cut) editor.deleteSelection();
  };
  window.addEventListener('copy', (e) => copy(e, false));
  window.addEventListener('cut', (e) => copy(e, true));
  window.addEventListener('paste', (e) => {
    if (hooks.ignore(e.target) || !e.clipboardData || editor.tool.state !== 'idle') return;
    e.preventDefault();
    const at = hooks.pointer() ?? undefined;
    const text = e.clipboardData.getData('text/plain');
    const image = [...e.clipboardData.files].find((f) => f.type.startsWith('image/'));
    void paste(editor, files, text, image, at, hooks.onError).catch((err: unknown) => hooks.onError(String(err instanceof Error ? err.message : err)));
  });
}

async function paste(editor: Editor, files: FileStore, text: string, image: File | undefined, at: Vec | undefined, onError: (message: string) => void): Promise<void> {
  const add = (mime: string, bytes: Uint8Array) => files.add(mime, bytes);
  const els = text ? await elementsFromClipboardText(text, add) : null;
  if (els) {
    editor.insertElements(els, at ? { at } : { offset: 10 });
    return;
  }
  if (image) {
    await insertImages(editor, files, [image], at, onError);
    return;
  }
  const t = text.replace(/\r\n?/g, '\n').trimEnd();
  if (!t) return;
  const style = editor.style;
  const m = editor.measureText(t, style.fontSize, style.fontFamily);
  const c = at ?? editor.viewport.toWorld({ x: editor.viewport.width / 2, y: editor.viewport.height / 2 });
  editor.insertElements([editor.create('text', c.x, c.y, { text: t, width: m.width, height: m.height, fill: 'transparent' })], { at: c, label: 'paste text' });
}
