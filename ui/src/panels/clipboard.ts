//! Ctrl+C / Ctrl+X / Ctrl+V through the browser's copy, cut and paste events. Copies are written
//! as Excalidraw writes them (text/plain holding `{"type":"excalidraw/clipboard",...}`), so the
//! same clipboard pastes into Easel, into another Easel board and into Excalidraw.

import { toExcalidrawClipboard } from '../clipboard/excalidraw';
import { elementsFromClipboardText } from '../clipboard/paste';
import type { Editor } from '../editor';
import type { Vec } from '../engine/geometry';
import type { FileStore } from '../files';

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
    void paste(editor, files, text, image, at).catch((err: unknown) => hooks.onError(String(err instanceof Error ? err.message : err)));
  });
}

async function paste(editor: Editor, files: FileStore, text: string, image: File | undefined, at: Vec | undefined): Promise<void> {
  const add = (mime: string, bytes: Uint8Array) => files.add(mime, bytes);
  const els = text ? await elementsFromClipboardText(text, add) : null;
  if (els) {
    editor.insertElements(els, at ? { at } : { offset: 10 });
    return;
  }
  if (image) {
    const bytes = new Uint8Array(await image.arrayBuffer());
    const fileId = await add(image.type, bytes);
    const size = await naturalSize(files.get(fileId)!.dataURL);
    // At most half the visible width, in world units.
    const vp = editor.viewport;
    const scale = Math.min(1, (vp.width / 2 / vp.zoom) / Math.max(1, size.width));
    const width = size.width * scale;
    const height = size.height * scale;
    const c = at ?? vp.toWorld({ x: vp.width / 2, y: vp.height / 2 });
    editor.insertElements([editor.create('image', c.x - width / 2, c.y - height / 2, { width, height, fileId, fill: 'transparent' })], { at: c, label: 'paste image' });
    return;
  }
  const t = text.replace(/\r\n?/g, '\n').trimEnd();
  if (!t) return;
  const style = editor.style;
  const m = editor.measureText(t, style.fontSize, style.fontFamily);
  const c = at ?? editor.viewport.toWorld({ x: editor.viewport.width / 2, y: editor.viewport.height / 2 });
  editor.insertElements([editor.create('text', c.x, c.y, { text: t, width: m.width, height: m.height, fill: 'transparent' })], { at: c, label: 'paste text' });
}

function naturalSize(src: string): Promise<{ width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth || 100, height: img.naturalHeight || 100 });
    img.onerror = () => reject(new Error('the pasted image could not be read'));
    img.src = src;
  });
}
