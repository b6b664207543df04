//! Small pictures of a board, drawn by the engine's own `Renderer`: thumbnails in the board list
//! and snapshot previews in the history panel. `ThumbnailCache` keeps one picture per board,
//! valid while the board's `updated_at` (its stamp) is unchanged.

import { elementBounds, unionRects } from '../engine/geometry';
import { asCtx2D, LIGHT_THEME, Renderer } from '../engine/renderer';
import { Viewport } from '../engine/viewport';
import { compareDrawOrder, type Element } from '../model/types';

/** The camera that shows every element in a `width` x `height` picture, with a margin. */
export function fitView(elements: readonly Element[], width: number, height: number, margin = 6): Viewport {
  const vp = new Viewport(width, height);
  const bounds = unionRects(elements.map(elementBounds));
  if (!bounds) return vp;
  const zoom = Math.min(1, (width - 2 * margin) / Math.max(bounds.width, 1), (height - 2 * margin) / Math.max(bounds.height, 1));
  vp.set(0, 0, zoom);
  // The viewport clamps the zoom (a huge board then overflows the picture, centred).
  const z = vp.zoom;
  vp.set(bounds.x - (width / z - bounds.width) / 2, bounds.y - (height / z - bounds.height) / 2, z);
  return vp;
}

/** Draws `elements` fitted into `canvas` (CSS size `width` x `height`); without a background, on transparent pixels. */
export function drawPreview(canvas: HTMLCanvasElement, elements: readonly Element[], width: number, height: number, opts: { background?: boolean } = {}): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const sorted = [...elements].sort(compareDrawOrder);
  // A fresh renderer: its path cache is per board, and these pictures are drawn once.
  const theme = opts.background === false ? { ...LIGHT_THEME, background: 'rgba(0, 0, 0, 0)' } : LIGHT_THEME;
  const byId = new Map(sorted.map((e) => [e.id, e]));
  new Renderer().renderStatic(asCtx2D(ctx), sorted, fitView(sorted, width, height), { dpr, theme, get: (id) => byId.get(id) });
}

interface Entry {
  stamp: string;
  url: string;
}

/**
 * One picture per board, keyed by the board's stamp (`updated_at`, which the store moves on every
 * committed edit and rename): a different stamp is a miss, so a changed board is drawn again.
 */
export class ThumbnailCache {
  private readonly entries = new Map<string, Entry>();
  /** Boards whose picture is being made, with the stamp it is made for. */
  private readonly pending = new Map<string, string>();

  get(board: string, stamp: string): string | undefined {
    const e = this.entries.get(board);
    return e && e.stamp === stamp ? e.url : undefined;
  }

  /** The last picture made for a board, whatever its stamp: shown while a fresh one is made. */
  stale(board: string): string | undefined {
    return this.entries.get(board)?.url;
  }

  set(board: string, stamp: string, url: string): void {
    this.entries.set(board, { stamp, url });
    if (this.pending.get(board) === stamp) this.pending.delete(board);
  }

  /** Forgets a board's picture (the open board changed before its stamp did). */
  invalidate(board: string): void {
    this.entries.delete(board);
    this.pending.delete(board);
  }

  /** Drops boards no longer listed. */
  retain(boards: Iterable<string>): void {
    const keep = new Set(boards);
    for (const id of [...this.entries.keys()]) if (!keep.has(id)) this.entries.delete(id);
  }

  /** True when a picture for (board, stamp) must be made and nobody is making it yet; marks it. */
  claim(board: string, stamp: string): boolean {
    if (this.get(board, stamp) !== undefined || this.pending.get(board) === stamp) return false;
    this.pending.set(board, stamp);
    return true;
  }

  /** A claimed picture could not be made: let a later list try again. */
  release(board: string, stamp: string): void {
    if (this.pending.get(board) === stamp) this.pending.delete(board);
  }

  get size(): number {
    return this.entries.size;
  }
}
