//! Images onto the board from outside: the insert button / 9 opens the system's file picker, and
//! image files dropped on the canvas land where they were dropped. The paste path
//! (panels/clipboard.ts) uses `insertImages` too. Which files are taken and where they go is
//! decided in ../images.ts.

import type { Editor } from '../editor';
import type { Vec } from '../engine/geometry';
import type { FileStore } from '../files';
import { layoutImages, sortFiles } from '../images';

/** Reads, stores and places `list` (images only; the rest are reported) as one undo step. */
export async function insertImages(editor: Editor, files: FileStore, list: readonly File[], at: Vec | undefined, onError: (message: string) => void): Promise<void> {
  const { accepted, refused } = sortFiles(list);
  if (refused.length) onError(refused.join('; '));
  if (!accepted.length || editor.mode !== 'edit') return;
  const stored: { fileId: string; width: number; height: number }[] = [];
  for (const f of accepted) {
    try {
      const fileId = await files.add(f.type, new Uint8Array(await f.arrayBuffer()));
      const size = await naturalSize(files.get(fileId)!.dataURL);
      stored.push({ fileId, ...size });
    } catch (e) {
      onError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!stored.length) return;
  const vp = editor.viewport;
  const centre = at ?? vp.toWorld({ x: vp.width / 2, y: vp.height / 2 });
  const boxes = layoutImages(stored, centre, vp.visibleWorld());
  const els = stored.map((s, i) => editor.create('image', boxes[i]!.x, boxes[i]!.y, { width: boxes[i]!.width, height: boxes[i]!.height, fileId: s.fileId, fill: 'transparent' }));
  editor.insertElements(els, { offset: 0, label: stored.length === 1 ? 'insert image' : 'insert images' });
}

function naturalSize(src: string): Promise<{ width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth || 100, height: img.naturalHeight || 100 });
    img.onerror = () => reject(new Error('the image could not be decoded'));
    img.src = src;
  });
}

/**
 * The file picker behind the insert button and 9, and dropping image files on `target` (the
 * canvas' container). Returns the function that opens the picker.
 */
export function installImageInput(
  editor: Editor,
  files: FileStore,
  target: HTMLElement,
  canvas: HTMLElement,
  onError: (message: string) => void,
): () => void {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'image/png,image/jpeg,image/gif,image/webp,image/bmp,image/avif';
  input.multiple = true;
  input.hidden = true;
  document.body.append(input);
  input.addEventListener('change', () => {
    const picked = [...(input.files ?? [])];
    input.value = '';
    if (picked.length) void insertImages(editor, files, picked, undefined, onError);
  });

  const carriesFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  target.addEventListener('dragover', (e) => {
    if (!carriesFiles(e) || editor.mode !== 'edit') return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = 'copy';
    target.classList.add('drop-target');
  });
  target.addEventListener('dragleave', (e) => {
    if (e.target === target || !target.contains(e.relatedTarget as Node | null)) target.classList.remove('drop-target');
  });
  target.addEventListener('drop', (e) => {
    target.classList.remove('drop-target');
    if (!carriesFiles(e)) return;
    e.preventDefault();
    if (editor.mode !== 'edit') return;
    const r = canvas.getBoundingClientRect();
    const at = editor.viewport.toWorld({ x: e.clientX - r.left, y: e.clientY - r.top });
    void insertImages(editor, files, [...e.dataTransfer!.files], at, onError);
  });
  return () => {
    if (editor.mode === 'edit') input.click();
  };
}
