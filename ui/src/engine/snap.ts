//! Snapping, as Excalidraw's object snapping and grid: while a selection moves, its box's edges and
//! centre lines snap to other elements' edges and centre lines within a few screen pixels, and the
//! lines they line up on are drawn as guides; a resize snaps the edges its handle moves. With the
//! grid on (Ctrl+'), positions snap to the grid instead. Pure: the select and shape tools ask.

import type { Rect, Vec } from './geometry';

/** Screen pixels within which an edge or centre snaps. */
export const SNAP_PX = 8;
/** The grid's step in world units (Excalidraw's default). */
export const GRID_SIZE = 20;

/**
 * A guide: the line `axis = at` (a vertical line for `x`), drawn from `from` to `to` along the
 * other axis, with a mark at each snapped point on it.
 */
export interface SnapGuide {
  axis: 'x' | 'y';
  at: number;
  from: number;
  to: number;
  marks: number[];
}

/** The three lines of a box on an axis: its low edge, centre and high edge. */
function lines(r: Rect, axis: 'x' | 'y'): number[] {
  const lo = axis === 'x' ? r.x : r.y;
  const size = axis === 'x' ? r.width : r.height;
  return [lo, lo + size / 2, lo + size];
}

/** The span of a box along the other axis. */
function span(r: Rect, axis: 'x' | 'y'): [number, number] {
  return axis === 'x' ? [r.y, r.y + r.height] : [r.x, r.x + r.width];
}

/**
 * The smallest shift (|d| ≤ tol) that puts one of `own` on one of the references' lines, or null.
 * Ties go to the first own line (low edge, then centre, then high edge).
 */
function bestShift(own: readonly number[], refs: readonly Rect[], axis: 'x' | 'y', tol: number): number | null {
  let best: number | null = null;
  for (const r of refs) {
    for (const v of lines(r, axis)) {
      for (const o of own) {
        const d = v - o;
        if (Math.abs(d) <= tol && (best === null || Math.abs(d) < Math.abs(best) - 1e-9)) best = d;
      }
    }
  }
  return best;
}

/**
 * The guides for a box `moved` already snapped: every line of `moved` on `axis` that a reference
 * shares, spanning the box and each reference that has it.
 */
function guidesFor(moved: Rect, refs: readonly Rect[], axis: 'x' | 'y'): SnapGuide[] {
  const out: SnapGuide[] = [];
  const own = lines(moved, axis);
  for (const at of new Set(own)) {
    const [lo, hi] = span(moved, axis);
    let from = lo;
    let to = hi;
    const marks = [lo, hi];
    let hit = false;
    for (const r of refs) {
      if (!lines(r, axis).some((v) => Math.abs(v - at) < 1e-6)) continue;
      hit = true;
      const [a, b] = span(r, axis);
      from = Math.min(from, a);
      to = Math.max(to, b);
      marks.push(a, b);
    }
    if (hit) out.push({ axis, at, from, to, marks: [...new Set(marks)].sort((p, q) => p - q) });
  }
  return out;
}

/**
 * Where a box being moved to `box` snaps among `refs` (other elements' bounds), within `tol` world
 * units: the shift to add on each axis and the guides to draw. An axis with nothing in reach does
 * not move.
 */
export function snapMove(box: Rect, refs: readonly Rect[], tol: number): { dx: number; dy: number; guides: SnapGuide[] } {
  const sx = bestShift(lines(box, 'x'), refs, 'x', tol);
  const sy = bestShift(lines(box, 'y'), refs, 'y', tol);
  const moved = { ...box, x: box.x + (sx ?? 0), y: box.y + (sy ?? 0) };
  const guides = [...(sx !== null ? guidesFor(moved, refs, 'x') : []), ...(sy !== null ? guidesFor(moved, refs, 'y') : [])];
  const dx = sx ?? 0;
  const dy = sy ?? 0;
  return { dx, dy, guides };
}

/**
 * Where a dragged edge point `p` snaps (a resize handle, a new shape's corner), on the axes it
 * moves: each coordinate to the nearest reference line within `tol`. The guides run through the
 * snapped point and the references that share its line.
 */
export function snapPoint(p: Vec, axes: { x: boolean; y: boolean }, refs: readonly Rect[], tol: number): { point: Vec; guides: SnapGuide[] } {
  const point = { ...p };
  const guides: SnapGuide[] = [];
  for (const axis of ['x', 'y'] as const) {
    if (!axes[axis]) continue;
    const d = bestShift([p[axis]], refs, axis, tol);
    if (d === null) continue;
    point[axis] = p[axis] + d;
    const dot = { x: point.x, y: point.y, width: 0, height: 0 };
    const g = guidesFor(dot, refs, axis).find((q) => Math.abs(q.at - point[axis]) < 1e-6);
    if (g) guides.push(g);
  }
  return { point, guides };
}

/** `v` on the grid. */
export const toGrid = (v: number, size = GRID_SIZE): number => Math.round(v / size) * size;

/** The shift that puts a moved box's top-left corner on the grid (Excalidraw snaps the corner). */
export function gridMove(box: Rect, size = GRID_SIZE): { dx: number; dy: number } {
  return { dx: toGrid(box.x, size) - box.x, dy: toGrid(box.y, size) - box.y };
}
