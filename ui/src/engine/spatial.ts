import { compareDrawOrder, type Element } from '../model/types';
import { type Rect, rectsIntersect, renderBounds } from './geometry';

/**
 * A uniform-grid spatial index over element bounds. Each element is stored in every cell its
 * bounds overlap; elements spanning more than `maxCells` cells go to a small "large" list that is
 * always scanned. Queries return exactly the ids whose stored bounds intersect the query rect.
 */
export class SpatialIndex {
  // Cells are keyed by a number packing (cx, cy): no string is built per cell visit. A cell is a
  // plain array (a few hundred ids at most on dense boards): cheaper to fill and to hold than a Set.
  private readonly cells = new Map<number, string[]>();
  /** Stored bounds; an element's cells are recomputed from them on removal. */
  private readonly bounds = new Map<string, Rect>();
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
    if (old) {
      if (old.x === b.x && old.y === b.y && old.width === b.width && old.height === b.height) return;
      this.remove(el.id);
    }
    this.bounds.set(el.id, b);
    const s = this.cellSize;
    const x0 = Math.floor(b.x / s);
    const y0 = Math.floor(b.y / s);
    const x1 = Math.floor((b.x + b.width) / s);
    const y1 = Math.floor((b.y + b.height) / s);
    if (this.isLarge(x0, y0, x1, y1)) {
      this.large.add(el.id);
      return;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const k = cellKey(cx, cy);
        const cell = this.cells.get(k);
        if (cell) cell.push(el.id);
        else this.cells.set(k, [el.id]);
      }
    }
  }

  remove(id: string): void {
    const b = this.bounds.get(id);
    if (!b) return;
    this.bounds.delete(id);
    if (this.large.delete(id)) return;
    const [x0, y0, x1, y1] = this.cellRange(b);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const k = cellKey(cx, cy);
        const cell = this.cells.get(k);
        if (!cell) continue;
        const i = cell.indexOf(id);
        if (i < 0) continue;
        // Order within a cell does not matter: swap with the last and pop.
        cell[i] = cell[cell.length - 1]!;
        cell.pop();
        if (cell.length === 0) this.cells.delete(k);
      }
    }
  }

  private isLarge(x0: number, y0: number, x1: number, y1: number): boolean {
    return (x1 - x0 + 1) * (y1 - y0 + 1) > this.maxCells || !inGrid(x0, y0) || !inGrid(x1, y1);
  }

  clear(): void {
    this.cells.clear();
    this.bounds.clear();
    this.large.clear();
  }

  /** Ids whose bounds intersect `r` (edges touching count). */
  query(r: Rect): Set<string> {
    const out = new Set<string>();
    for (const id of this.large) if (rectsIntersect(this.bounds.get(id)!, r)) out.add(id);
    // Clamped to the grid: anything outside it is in `large`, already checked.
    const [x0, y0, x1, y1] = this.cellRange(r).map(clampCell) as [number, number, number, number];
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
    // Clamped to the grid: anything outside it is in `large`, already checked.
    const [x0, y0, x1, y1] = this.cellRange(r).map(clampCell) as [number, number, number, number];
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

/** Cells this far from the origin (~8M world units at 512) hold nothing: their elements are "large". */
const GRID_LIMIT = 0x4000;

const inGrid = (cx: number, cy: number): boolean => Math.abs(cx) < GRID_LIMIT && Math.abs(cy) < GRID_LIMIT;

/** Packs cell coordinates into one small integer (a V8 Smi: no heap number per key). */
function cellKey(cx: number, cy: number): number {
  return (cx + GRID_LIMIT) * 2 * GRID_LIMIT + (cy + GRID_LIMIT);
}

const clampCell = (c: number): number => Math.max(-GRID_LIMIT + 1, Math.min(GRID_LIMIT - 1, c));

/** The elements of `get` whose indexed bounds intersect `r`, in drawing order. */
export function visibleInOrder(index: SpatialIndex, get: (id: string) => Element | undefined, r: Rect): Element[] {
  const out: Element[] = [];
  index.forEachIn(r, (id) => {
    const el = get(id);
    if (el) out.push(el);
  });
  return out.sort(compareDrawOrder);
}
