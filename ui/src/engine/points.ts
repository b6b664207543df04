//! The points of a line or arrow as the line editor sees them (Excalidraw's `LinearElementEditor`,
//! tldraw's handles): each point a handle, each segment a midpoint handle that inserts a point when
//! dragged; moving, inserting and removing points; the 15° angle lock of Shift. Pure: the select
//! and linear tools decide when, this module computes what.

import type { Element, Point } from '../model/types';
import { cubicAt } from './curve';
import { absolutePoints, center, lineCurve, polylineFields, rotate, type Vec } from './geometry';

/** A point handle's radius and the least on-screen segment length that gets a midpoint handle (pixels). */
export const POINT_HANDLE_PX = 5;
export const MIN_MID_SEGMENT_PX = 4 * POINT_HANDLE_PX;

/** Lines and arrows have editable points; pen strokes do not. */
export const isLinear = (el: Element): boolean => (el.kind === 'line' || el.kind === 'arrow') && (el.points?.length ?? 0) >= 2;

/**
 * A single selected two-point line or arrow is edited by its two points alone, without the box's
 * resize and rotate handles (Excalidraw): they would sit on the very same spots.
 */
export const pointHandlesOnly = (sel: readonly Element[]): boolean =>
  sel.length === 1 && isLinear(sel[0]!) && (sel[0]!.points!.length === 2 || !!sel[0]!.elbowed) && !sel[0]!.locked;

/**
 * Whether point `i` of `el` has a handle: every point of a line, only the two ends of an elbow
 * arrow (its other points are its route, computed again when an end moves).
 */
export const editablePoint = (el: Element, i: number): boolean => !el.elbowed || i === 0 || i === (el.points?.length ?? 0) - 1;

/** The element's points in world coordinates, its rotation applied. */
export function worldPoints(el: Element): Vec[] {
  const pts = absolutePoints(el);
  if (!el.angle) return pts;
  const c = center(el);
  return pts.map((p) => rotate(p, c, el.angle));
}

/**
 * The fields of a line through `pts` (world coordinates) with no rotation. A rotated line edited
 * point by point becomes the same drawing unrotated: a polyline's points already say where it is.
 */
export function linePatch(pts: readonly Vec[]): { x: number; y: number; width: number; height: number; points: Point[]; angle: number } {
  return { ...polylineFields(pts), angle: 0 };
}

/** Midpoint handles: where each segment's drawn path is halfway, or null where the segment is too short on screen. */
export function midpoints(el: Element, zoom: number): (Vec | null)[] {
  if (el.elbowed) return [];
  const pts = worldPoints(el);
  const curve = lineCurve(el);
  const c = el.angle ? center(el) : null;
  const out: (Vec | null)[] = [];
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    if (Math.hypot(b.x - a.x, b.y - a.y) * zoom < MIN_MID_SEGMENT_PX) {
      out.push(null);
      continue;
    }
    const k = curve?.[i];
    if (k) {
      const m = cubicAt(k, 0.5);
      out.push(c ? rotate(m, c, el.angle) : m);
    } else out.push({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  }
  return out;
}

export type PointHandle = { kind: 'point'; index: number } | { kind: 'mid'; index: number };

/**
 * The handle of `el` under world point `p` at `zoom`: a point (the last one listed wins, so that
 * the end of a closed line is the one dragged), else a midpoint (its index is the segment's start).
 */
export function pointHandleAt(el: Element, p: Vec, zoom: number): PointHandle | null {
  if (!isLinear(el)) return null;
  const r = (POINT_HANDLE_PX + 3) / zoom;
  const pts = worldPoints(el);
  let best: PointHandle | null = null;
  let bestD = Infinity;
  for (let i = 0; i < pts.length; i++) {
    if (!editablePoint(el, i)) continue;
    const d = Math.hypot(pts[i]!.x - p.x, pts[i]!.y - p.y);
    if (d <= r && d <= bestD) {
      best = { kind: 'point', index: i };
      bestD = d;
    }
  }
  if (best) return best;
  const mids = midpoints(el, zoom);
  for (let i = 0; i < mids.length; i++) {
    const q = mids[i];
    if (!q) continue;
    const d = Math.hypot(q.x - p.x, q.y - p.y);
    if (d <= r && d < bestD) {
      best = { kind: 'mid', index: i };
      bestD = d;
    }
  }
  return best;
}

/** `el` with point `i` moved to world point `p`. */
export function movePoint(el: Element, i: number, p: Vec): ReturnType<typeof linePatch> {
  const pts = worldPoints(el);
  pts[i] = p;
  return linePatch(pts);
}

/** `el` with a new point at world point `p` after point `i` (on segment i → i+1); the new point's index is i + 1. */
export function insertPoint(el: Element, i: number, p: Vec): ReturnType<typeof linePatch> {
  const pts = worldPoints(el);
  pts.splice(i + 1, 0, p);
  return linePatch(pts);
}

/** `el` without point `i`, or null when that would leave fewer than two points. */
export function removePoint(el: Element, i: number): ReturnType<typeof linePatch> | null {
  const pts = worldPoints(el);
  if (pts.length <= 2 || i < 0 || i >= pts.length) return null;
  pts.splice(i, 1);
  return linePatch(pts);
}

/** Shift's angle lock: `p` moved onto the nearest 15° ray from `from`, at the same distance along it. */
export function snapAngle(from: Vec, p: Vec, step = Math.PI / 12): Vec {
  const dx = p.x - from.x;
  const dy = p.y - from.y;
  const len = Math.hypot(dx, dy);
  if (len === 0) return p;
  const a = Math.round(Math.atan2(dy, dx) / step) * step;
  // Projected onto the ray, as Excalidraw does, so the point stays under the pointer along it.
  const ux = Math.cos(a);
  const uy = Math.sin(a);
  const along = dx * ux + dy * uy;
  return { x: from.x + ux * along, y: from.y + uy * along };
}
