//! Images brought onto the board (paste, drop, the insert button / 9): which files are accepted
//! and where they land. Pure: `panels/images.ts` reads the files and calls the editor.

import type { Rect, Vec } from './engine/geometry';
import { MAX_FILE_BYTES } from './files';

/** Image types every webview we ship decodes (SVG is refused: it can carry scripts and links). */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif'] as const;

/** What a picked or dropped file is, as far as the board is concerned. */
export interface Candidate {
  name: string;
  type: string;
  size: number;
}

/** Why a file is not put on the board, in words for the status line; null when it is accepted. */
export function refusal(f: Candidate): string | null {
  if (!(IMAGE_TYPES as readonly string[]).includes(f.type)) {
    return f.type === 'image/svg+xml' ? `${f.name}: SVG images are not supported (PNG, JPEG, GIF, WebP, BMP, AVIF are)` : `${f.name}: not an image this board can hold (PNG, JPEG, GIF, WebP, BMP, AVIF)`;
  }
  if (f.size > MAX_FILE_BYTES) return `${f.name}: ${(f.size / 1024 / 1024).toFixed(1)} MiB is larger than a board allows (16 MiB)`;
  if (f.size === 0) return `${f.name}: the file is empty`;
  return null;
}

/** Splits files into those to insert and readable reasons for the rest. */
export function sortFiles<T extends Candidate>(files: readonly T[]): { accepted: T[]; refused: string[] } {
  const accepted: T[] = [];
  const refused: string[] = [];
  for (const f of files) {
    const why = refusal(f);
    if (why) refused.push(why);
    else accepted.push(f);
  }
  return { accepted, refused };
}

/** Gap between images dropped together, in world units. */
const GAP = 20;

/**
 * Where images of natural sizes `sizes` go when put at world point `at` with `visible` on screen:
 * each at most half the visible width and height (never enlarged), side by side in one row
 * centred on `at`, tops aligned.
 */
export function layoutImages(sizes: readonly { width: number; height: number }[], at: Vec, visible: Rect): Rect[] {
  const maxW = visible.width / 2;
  const maxH = visible.height / 2;
  const scaled = sizes.map((s) => {
    const w = Math.max(1, s.width);
    const h = Math.max(1, s.height);
    const k = Math.min(1, maxW / w, maxH / h);
    return { width: w * k, height: h * k };
  });
  const total = scaled.reduce((sum, s) => sum + s.width, 0) + GAP * Math.max(0, scaled.length - 1);
  const tallest = Math.max(0, ...scaled.map((s) => s.height));
  let x = at.x - total / 2;
  const y = at.y - tallest / 2;
  return scaled.map((s) => {
    const r = { x, y, width: s.width, height: s.height };
    x += s.width + GAP;
    return r;
  });
}
