//! Turning copied elements into elements to insert: new ids, groups and bindings remapped to
//! them, fresh z keys above the board, and a move to where they land.

import { elementBounds, unionRects, type Vec } from '../engine/geometry';
import type { Element } from '../model/types';
import { nKeysBetween } from '../model/zorder';
import { dataUrlBytes } from '../files';
import { fromExcalidraw } from './excalidraw';

export interface InsertOptions {
  newId: () => string;
  /** The board's top z key (the copies go above it), or null on an empty board. */
  top: string | null;
  /** Centre the copies here; without it they are moved by `offset` instead. */
  at?: Vec;
  offset?: number;
}

/**
 * Copies of `elements` (in drawing order) ready to add: each gets a new id, each group a new
 * group id, bindings and frames point at the copies (or are dropped when their target was not
 * copied), relative positions are kept, and the whole lands centred on `at` (or `offset` down
 * and right of where it was). The copies are unlocked, as Excalidraw pastes them.
 */
export function prepareInsert(elements: readonly Element[], opts: InsertOptions): Element[] {
  if (!elements.length) return [];
  const ids = new Map(elements.map((e) => [e.id, opts.newId()]));
  const groups = new Map<string, string>();
  const group = (g: string) => groups.get(g) ?? groups.set(g, opts.newId()).get(g)!;
  let dx = opts.offset ?? 10;
  let dy = dx;
  if (opts.at) {
    const b = unionRects(elements.map(elementBounds))!;
    dx = opts.at.x - (b.x + b.width / 2);
    dy = opts.at.y - (b.y + b.height / 2);
  }
  const zs = nKeysBetween(opts.top, null, elements.length);
  return elements.map((e, i) => {
    const c: Element = { ...e, id: ids.get(e.id)!, x: e.x + dx, y: e.y + dy, z: zs[i]!, locked: false };
    if (e.groupIds?.length) c.groupIds = e.groupIds.map(group);
    else delete c.groupIds;
    for (const end of ['start', 'end'] as const) {
      const b = e[end];
      if (!b) continue;
      const to = ids.get(b.element);
      if (to) c[end] = { ...b, element: to };
      else delete c[end];
    }
    if (e.frameId) {
      const f = ids.get(e.frameId);
      if (f) c.frameId = f;
      else delete c.frameId;
    }
    return c;
  });
}

/**
 * Elements from pasted text/plain when it is Excalidraw's (or Easel's, the same) clipboard JSON
 * or a whole `.excalidraw` file; null for any other text. Image bytes are stored through
 * `addFile`, and each image's `fileId` becomes the id it returns (the content hash).
 */
export async function elementsFromClipboardText(
  text: string,
  addFile: (mime: string, bytes: Uint8Array) => Promise<string>,
): Promise<Element[] | null> {
  const t = text.trim();
  if (!t.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return null;
  }
  const read = fromExcalidraw(value);
  if (!read) return null;
  const fileIds = new Map<string, string>();
  for (const [key, f] of Object.entries(read.files)) {
    const bytes = dataUrlBytes(f.dataURL);
    if (!bytes) continue;
    try {
      fileIds.set(key, await addFile(f.mime, bytes));
    } catch {
      // Too large or refused: the image is left out below.
    }
  }
  return read.elements.flatMap((e) => {
    if (e.kind !== 'image') return [e];
    const id = e.fileId && fileIds.get(e.fileId);
    return id ? [{ ...e, fileId: id }] : [];
  });
}
