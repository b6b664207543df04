import { compareDrawOrder, type Element } from '../model/types';
import { type Rect, rectsIntersect, renderBounds } from './geometry';

/**
 * A uniform-grid spatial index over element bounds. Each element is stored in every cell its
 * bounds overlap; elements spanning more than `maxCells` cells go to a small "large" list that is
 * always scanned. Queries return exactly the ids whose stored bounds intersect the query rect.
 */
export class SpatialIndex {
  // Cells are keyed by a number packing (cx, cy): no string is built per cell visit.
  private readonly cells = new Map<number, Set<string>>();
  private readonly bounds = new Map<string, Rect>();
  private readonly cellsOf = new Map<string, number[]>();
  private readonly large = new Set<string>();

  constructor(
    readonly cellSize = 512,
    private readonly maxCells = 64,
    private readonly boundsOf: (el: Element) => Rect = renderBounds,
  ) {}

  get size(): number {
    return this.bounds.size;
  }

  boundsFor(id: string): Rect | undefined {
    return this.bounds.get(id);
  }

  upsert(el: Element): void {
    const b = this.boundsOf(el);
    const old = this.bounds.get(el.id);
    if (old && old.x === b.x && old.y === b.y && old.width === b.width && old.height === b.height) return;
    this.remove(el.id);
    this.bounds.set(el.id, b);
    const [x0, y0, x1, y1] = this.cellRange(b);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.maxCells || !Number.isFinite(x0 + y0 + x1 + y1)) {
      this.large.add(el.id);
      return;
    }
    const keys: number[] = [];
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const k = cellKey(cx, cy);
        let cell = this.cells.get(k);
        if (!cell) this.cells.set(k, (cell = new Set()));
        cell.add(el.id);
        keys.push(k);
      }
    }
    this.cellsOf.set(el.id, keys);
  }

  remove(id: string): void {
    if (!this.bounds.delete(id)) return;
    this.large.delete(id);
    for (const k of this.cellsOf.get(id) ?? []) {
      const cell = this.cells.get(k);
      if (!cell) continue;
      cell.delete(id);
      if (cell.size === 0) this.cells.delete(k);
    }
    this.cellsOf.delete(id);
  }

  clear(): void {
    this.cells.clear();
    this.bounds.clear();
    this.cellsOf.clear();
    this.large.clear();
  }

  /** Ids whose bounds intersect `r` (edges touching count). */
  query(r: Rect): Set<string> {
    const out = new Set<string>();
    for (const id of this.large) if (rectsIntersect(this.bounds.get(id)!, r)) out.add(id);
    const [x0, y0, x1, y1] = this.cellRange(r);
    const cellCount = (x1 - x0 + 1) * (y1 - y0 + 1);
    if (!Number.isFinite(cellCount) || cellCount > this.cells.size) {
      // A query covering more cells than exist: scan the occupied cells instead.
      for (const [id, b] of this.bounds) if (rectsIntersect(b, r)) out.add(id);
      return out;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const cell = this.cells.get(cellKey(cx, cy));
        if (!cell) continue;
        for (const id of cell) if (!out.has(id) && rectsIntersect(this.bounds.get(id)!, r)) out.add(id);
      }
    }
    return out;
  }

  /**
   * Calls `visit` once for each id whose bounds intersect `r`, with those bounds. Allocates
   * nothing per element: the renderer's visible set goes through here every frame.
   */
  forEachIn(r: Rect, visit: (id: string, bounds: Rect) => void): void {
    for (const id of this.large) {
      const b = this.bounds.get(id)!;
      if (rectsIntersect(b, r)) visit(id, b);
    }
    const [x0, y0, x1, y1] = this.cellRange(r);
    const cellCount = (x1 - x0 + 1) * (y1 - y0 + 1);
    if (!Number.isFinite(cellCount) || cellCount > this.cells.size) {
      for (const [id, b] of this.bounds) if (!this.large.has(id) && rectsIntersect(b, r)) visit(id, b);
      return;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const cell = this.cells.get(cellKey(cx, cy));
        if (!cell) continue;
        for (const id of cell) {
          const b = this.bounds.get(id)!;
          if (!rectsIntersect(b, r)) continue;
          // An element in several cells is reported from the first of them the query and
          // its bounds share (the cell holding the overlap's top-left corner).
          const ox = Math.floor(Math.max(b.x, r.x) / this.cellSize);
          const oy = Math.floor(Math.max(b.y, r.y) / this.cellSize);
          if (ox === cx && oy === cy) visit(id, b);
        }
      }
    }
  }

  private cellRange(r: Rect): [number, number, number, number] {
    const s = this.cellSize;
    return [Math.floor(r.x / s), Math.floor(r.y / s), Math.floor((r.x + r.width) / s), Math.floor((r.y + r.height) / s)];
  }
}

/** Packs cell coordinates (|c| < 2^20) into one number. */
function cellKey(cx: number, cy: number): number {
  return (cx + 0x100000) * 0x200000 + (cy + 0x100000);
}

/** The elements of `get` whose indexed bounds intersect `r`, in drawing order. */
export function visibleInOrder(index: SpatialIndex, get: (id: string) => Element | undefined, r: Rect): Element[] {
  const out: Element[] = [];
  index.forEachIn(r, (id) => {
    const el = get(id);
    if (el) out.push(el);
  });
  return out.sort(compareDrawOrder);
}
