//! The smooth curves Easel draws: rounded lines and arrows (a Catmull-Rom spline through their
//! points) and the corners of rounded diamonds, both as cubic Béziers.
//!
//! This is the one curve formula of the UI: `paths.ts` emits these Béziers as `'C'` ops to
//! paint, and `geometry.ts` flattens the same Béziers for hit tests and takes their exact
//! extrema for bounds. The Rust export (`crates/easel-formats/src/curve.rs`) mirrors it.

import type { Element } from '../model/types';
import type { Rect, Vec } from './geometry';

/** A cubic Bézier: start, first control, second control, end. */
export type Cubic = readonly [Vec, Vec, Vec, Vec];

/** Whether a line or arrow is drawn as a smooth curve: rounded, with three points or more. */
export const isCurved = (el: Element): boolean =>
  (el.kind === 'line' || el.kind === 'arrow') && el.rounded && (el.points?.length ?? 0) >= 3;

/** A polyline with more than two points whose first and last points coincide. */
export const isClosedPolyline = (pts: readonly Vec[]): boolean =>
  pts.length > 2 && pts[0]!.x === pts.at(-1)!.x && pts[0]!.y === pts.at(-1)!.y;

/**
 * The uniform Catmull-Rom spline through `pts` as one cubic Bézier per segment: the segment from
 * P1 to P2 has controls P1 + (P2 - P0) / 6 and P2 - (P3 - P1) / 6. This is how rough.js's
 * `curve` draws (its `_curve` after `_curveWithOffset` duplicated the ends) with Excalidraw's
 * `curveTightness` of 0 and no roughness, so curves pasted from Excalidraw keep their shape. An
 * open curve duplicates its end points, so it starts and ends on them with the tangent of the
 * first and last segment (arrowheads keep pointing along the end segment). A closed curve
 * (`closed`, the last point repeating the first) wraps its neighbours around, so the seam is as
 * smooth as the rest (Excalidraw draws it as an open curve, with a corner at the seam).
 */
export function catmullRom(pts: readonly Vec[], closed: boolean): Cubic[] {
  const ring = closed ? pts.slice(0, -1) : pts;
  const m = ring.length;
  if (m < 2) return [];
  const at = (i: number): Vec => (closed ? ring[((i % m) + m) % m]! : ring[Math.max(0, Math.min(m - 1, i))]!);
  const out: Cubic[] = [];
  for (let i = 0; i < (closed ? m : m - 1); i++) {
    const p0 = at(i - 1);
    const p1 = at(i);
    const p2 = at(i + 1);
    const p3 = at(i + 2);
    out.push([
      { x: p1.x, y: p1.y },
      { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 },
      { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 },
      { x: p2.x, y: p2.y },
    ]);
  }
  return out;
}

/** The point at parameter `t` (0..1) of a cubic. */
export function cubicAt(c: Cubic, t: number): Vec {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  return { x: a * c[0].x + b * c[1].x + d * c[2].x + e * c[3].x, y: a * c[0].y + b * c[1].y + d * c[2].y + e * c[3].y };
}

/** Largest number of chords one cubic is flattened into (a guard against absurd coordinates). */
const MAX_CHORDS = 256;

/**
 * The cubics as one polyline (each cubic's start unless the previous one ended there, then its
 * samples), no farther than `tolerance` from the curve. A chord over a parameter step h strays at most h²/8 · max|B''| from
 * the curve, and |B''| ≤ 6 · the larger second difference of the control points, which gives the
 * number of equal steps per cubic.
 */
export function flattenCubics(cubics: readonly Cubic[], tolerance = 0.25): Vec[] {
  if (cubics.length === 0) return [];
  const out: Vec[] = [{ x: cubics[0]![0].x, y: cubics[0]![0].y }];
  for (const c of cubics) {
    // Cubics that do not join (a diamond's corners) are linked by a straight chord.
    const last = out.at(-1)!;
    if (last.x !== c[0].x || last.y !== c[0].y) out.push({ x: c[0].x, y: c[0].y });
    const d1 = Math.hypot(c[0].x - 2 * c[1].x + c[2].x, c[0].y - 2 * c[1].y + c[2].y);
    const d2 = Math.hypot(c[1].x - 2 * c[2].x + c[3].x, c[1].y - 2 * c[2].y + c[3].y);
    const bend = 6 * Math.max(d1, d2);
    const n = Math.min(MAX_CHORDS, Math.max(1, Math.ceil(Math.sqrt(bend / (8 * tolerance)))));
    for (let i = 1; i <= n; i++) out.push(i === n ? { x: c[3].x, y: c[3].y } : cubicAt(c, i / n));
  }
  return out;
}

/** Parameters in (0, 1) where one coordinate of the cubic (control values a..d) is extreme. */
function extremaParams(a: number, b: number, c: number, d: number): number[] {
  // B'(t) / 3 = qa t² + qb t + qc.
  const qa = d - 3 * c + 3 * b - a;
  const qb = 2 * (c - 2 * b + a);
  const qc = b - a;
  const ts: number[] = [];
  if (Math.abs(qa) < 1e-12) {
    if (Math.abs(qb) > 1e-12) ts.push(-qc / qb);
  } else {
    const disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) {
      const s = Math.sqrt(disc);
      ts.push((-qb + s) / (2 * qa), (-qb - s) / (2 * qa));
    }
  }
  return ts.filter((t) => t > 0 && t < 1);
}

/** The exact axis-aligned bounds of the cubics (a curve can bulge past its points). */
export function cubicsBounds(cubics: readonly Cubic[]): Rect | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const take = (p: Vec) => {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  };
  for (const c of cubics) {
    take(c[0]);
    take(c[3]);
    for (const t of extremaParams(c[0].x, c[1].x, c[2].x, c[3].x)) take(cubicAt(c, t));
    for (const t of extremaParams(c[0].y, c[1].y, c[2].y, c[3].y)) take(cubicAt(c, t));
  }
  return minX === Infinity ? null : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** How far along each edge from a vertex a rounded diamond's corner starts, at most. */
const DIAMOND_CORNER_MAX = 32;

/**
 * The four corners of a rounded diamond in box `b` (top, right, bottom, left), each a cubic from a
 * point on the incoming edge to a point on the outgoing edge with both controls on the vertex, as
 * Excalidraw draws them. The corner starts a quarter of the way along each edge (Excalidraw's
 * proportional radius), at most `DIAMOND_CORNER_MAX` along it, as rounded rectangles cap theirs.
 * The straight edges run between consecutive corners.
 */
export function diamondCorners(b: Rect): Cubic[] {
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const v: Vec[] = [
    { x: cx, y: b.y },
    { x: b.x + b.width, y: cy },
    { x: cx, y: b.y + b.height },
    { x: b.x, y: cy },
  ];
  const edge = Math.hypot(b.width / 2, b.height / 2);
  const f = edge > 0 ? Math.min(0.25, DIAMOND_CORNER_MAX / edge) : 0;
  return v.map((p, i) => {
    const prev = v[(i + 3) % 4]!;
    const next = v[(i + 1) % 4]!;
    return [
      { x: p.x + f * (prev.x - p.x), y: p.y + f * (prev.y - p.y) },
      { x: p.x, y: p.y },
      { x: p.x, y: p.y },
      { x: p.x + f * (next.x - p.x), y: p.y + f * (next.y - p.y) },
    ] as const;
  });
}
