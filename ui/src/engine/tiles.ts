// Tiles of the board layer for zoomed-out frames.
//
// Below 100% (device zoom < 1) the renderer does not draw elements into the frame: it draws
// square bitmaps of the board ("tiles"), each TILE_PX device pixels wide, rendered once at a
// power-of-two scale and cached. A tile at scale `s` covers a world-aligned square of TILE_PX / s
// world units, so every tile of one scale lines up with its neighbours and with the tiles of the
// other scales (a tile at `s` covers exactly 2 x 2 tiles at `2s`). A frame at device zoom `z`
// uses the scale at or above it (the bitmaps are only ever shrunk, by less than 2x). An edit
// drops only the tiles its old and new bounds touch, which the board reports through a
// `DirtyLog`.
import { inflate, type Rect, rectsIntersect } from './geometry';
import type { SpatialIndex } from './spatial';
import type { Diff } from './store';

/** Side of a tile, in device pixels (256 KB of bitmap). */
export const TILE_PX = 256;
/** Tiles kept at most (16 Mpx), unless one frame needs more. Least recently drawn go first. */
export const TILE_CACHE_TILES = 256;
/** A frame renders missing tiles for this long before it shows stand-ins for the rest. */
export const TILE_BUDGET_MS = 8;
/**
 * ... and for this long when the camera has not moved since the last frame: the view is resting
 * and finishing its tiles, so it gets crisp sooner, while a gesture's frames stay short.
 */
export const TILE_SETTLE_BUDGET_MS = 24;
/** Device zooms at or above this are drawn live, element by element (100% stays exact). */
export const TILE_MAX_ZOOM = 1;
/** A stand-in for a missing tile comes from at most this many levels coarser (1/8 the resolution). */
export const FALLBACK_LEVELS = 3;

/**
 * The tile scale for a device zoom (CSS zoom x DPR): the power of two at or above it, or null at
 * and above TILE_MAX_ZOOM, where frames are drawn live. Zooms within a rounding error of 1 count
 * as 1 (a zoom animation that ends at 100% may land on 0.9999999).
 */
export function tileScale(deviceZoom: number): number | null {
  if (!(deviceZoom > 0) || deviceZoom >= TILE_MAX_ZOOM - 1e-6) return null;
  return 2 ** Math.ceil(Math.log2(deviceZoom));
}

/** A cache key for tile (tx, ty) at `scale` (a power of two). */
export function tileKey(scale: number, tx: number, ty: number): string {
  return `${Math.log2(scale)}:${tx}:${ty}`;
}

/** The world square tile (tx, ty) at `scale` covers. */
export function tileRect(scale: number, tx: number, ty: number): Rect {
  const w = TILE_PX / scale;
  return { x: tx * w, y: ty * w, width: w, height: w };
}

/** Inclusive index range [tx0, ty0, tx1, ty1] of the tiles at `scale` that overlap `r` (an edge alone does not count). */
export function tileRange(r: Rect, scale: number): [number, number, number, number] {
  const k = scale / TILE_PX;
  const tx0 = Math.floor(r.x * k);
  const ty0 = Math.floor(r.y * k);
  const tx1 = Math.max(tx0, Math.ceil((r.x + r.width) * k) - 1);
  const ty1 = Math.max(ty0, Math.ceil((r.y + r.height) * k) - 1);
  return [tx0, ty0, tx1, ty1];
}

/**
 * How far (world units) past its square a tile looks for elements: glyphs overhang a text
 * element's box. The margin live frames use at 100%; tiles are never shown above 100%, and
 * coarser tiles greek all but huge text.
 */
export const TILE_MARGIN = 32;

/** The world rect whose elements a tile shows: an element whose bounds intersect it is in the tile. */
export function tileReach(scale: number, tx: number, ty: number): Rect {
  return inflate(tileRect(scale, tx, ty), TILE_MARGIN);
}

/** Whether a change within `dirty` (world rects) alters tile (tx, ty) at `scale`. */
export function tileTouched(scale: number, tx: number, ty: number, dirty: readonly Rect[]): boolean {
  const reach = tileReach(scale, tx, ty);
  return dirty.some((d) => rectsIntersect(reach, d));
}

/** Edits larger than this many rects are recorded as "everything changed". */
export const DIRTY_MAX_RECTS = 1024;

/**
 * Which parts of the board each recent revision changed: the old and new bounds of every element
 * a batch added, changed or removed. Whoever applies batches records them; the renderer asks what
 * changed since the revision its tiles were made at.
 */
export class DirtyLog {
  private readonly entries: { revision: number; rects: readonly Rect[] | null }[] = [];

  constructor(private readonly maxEntries = 64) {}

  /** The batch that made `revision` touched `rects` (null: anything, e.g. a whole board loaded). */
  record(revision: number, rects: readonly Rect[] | null): void {
    this.entries.push({ revision, rects: rects && rects.length <= DIRTY_MAX_RECTS ? rects : null });
    if (this.entries.length > this.maxEntries) this.entries.shift();
  }

  /**
   * The world rects changed after `revision` up to `current`, or null when the log cannot vouch
   * for every revision in between (too old, a revision missing, or a batch too large): then
   * everything must be taken as changed.
   */
  since(revision: number, current: number): Rect[] | null {
    if (revision === current) return [];
    if (revision > current) return null;
    const out: Rect[] = [];
    let next = revision + 1;
    for (const e of this.entries) {
      if (e.revision < next) continue;
      if (e.revision > current) break;
      if (e.revision !== next || !e.rects) return null;
      out.push(...e.rects);
      next++;
    }
    return next === current + 1 ? out : null;
  }
}

/**
 * Applies one store batch to the spatial index and records in `log` what it touched: the old
 * bounds (read from the index before it changes) and the new ones of every element.
 */
export function indexBatch(index: SpatialIndex, diff: Required<Diff>, log: DirtyLog, revision: number): void {
  const rects: Rect[] | null = diff.added.length + diff.updated.length + diff.removed.length <= DIRTY_MAX_RECTS ? [] : null;
  const before = (id: string) => {
    const b = rects && index.boundsFor(id);
    if (b) rects.push(b);
  };
  for (const el of diff.added) {
    before(el.id); // an id already indexed (a batch applied twice) has old bounds too
    index.upsert(el);
    before(el.id);
  }
  for (const el of diff.updated) {
    before(el.id);
    index.upsert(el);
    before(el.id);
  }
  for (const id of diff.removed) {
    before(id);
    index.remove(id);
  }
  log.record(revision, rects);
}
