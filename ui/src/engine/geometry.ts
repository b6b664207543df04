import type { Binding, Element, Point, Side } from '../model/types';
import { catmullRom, type Cubic, cubicsBounds, diamondCorners, flattenCubics, isClosedPolyline, isCurved } from './curve';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Vec = { x: number; y: number };

export const rect = (x: number, y: number, width: number, height: number): Rect => ({ x, y, width, height });

/** Normalised rectangle spanning two corners. */
export function rectFromPoints(a: Vec, b: Vec): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

export function rectsIntersect(a: Rect, b: Rect): boolean {
  return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;
}

export function rectContainsRect(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

export function rectContainsPoint(r: Rect, p: Vec): boolean {
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

export function unionRects(rs: Iterable<Rect>): Rect | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const r of rs) {
    minX = Math.min(minX, r.x);
    minY = Math.min(minY, r.y);
    maxX = Math.max(maxX, r.x + r.width);
    maxY = Math.max(maxY, r.y + r.height);
  }
  return minX === Infinity ? null : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function inflate(r: Rect, d: number): Rect {
  return { x: r.x - d, y: r.y - d, width: r.width + 2 * d, height: r.height + 2 * d };
}

/** Rotates `p` about `c` by `angle` radians (clockwise on screen, y down). */
export function rotate(p: Vec, c: Vec, angle: number): Vec {
  if (angle === 0) return { x: p.x, y: p.y };
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  return { x: c.x + dx * cos - dy * sin, y: c.y + dx * sin + dy * cos };
}

export const dist = (a: Vec, b: Vec): number => Math.hypot(a.x - b.x, a.y - b.y);

export function distToSegment(p: Vec, a: Vec, b: Vec): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return dist(p, a);
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

export function segmentsIntersect(a: Vec, b: Vec, c: Vec, d: Vec): boolean {
  const o = (p: Vec, q: Vec, r: Vec) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  const o1 = o(a, b, c);
  const o2 = o(a, b, d);
  const o3 = o(c, d, a);
  const o4 = o(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  const on = (p: Vec, q: Vec, r: Vec) =>
    Math.min(p.x, r.x) <= q.x && q.x <= Math.max(p.x, r.x) && Math.min(p.y, r.y) <= q.y && q.y <= Math.max(p.y, r.y);
  return (o1 === 0 && on(a, c, b)) || (o2 === 0 && on(a, d, b)) || (o3 === 0 && on(c, a, d)) || (o4 === 0 && on(c, b, d));
}

export function pointInPolygon(p: Vec, poly: readonly Vec[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

export const hasPoints = (el: Element): boolean => el.kind === 'line' || el.kind === 'arrow' || el.kind === 'freedraw';

/** The element's unrotated box in world coordinates (for point kinds, the box of its points). */
export function localBox(el: Element): Rect {
  if (hasPoints(el) && el.points && el.points.length > 0) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    // Indexed, without destructuring: this runs for every element on load (render bounds).
    const pts = el.points;
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      const px = p[0];
      const py = p[1];
      if (px < minX) minX = px;
      if (px > maxX) maxX = px;
      if (py < minY) minY = py;
      if (py > maxY) maxY = py;
    }
    return { x: el.x + minX, y: el.y + minY, width: maxX - minX, height: maxY - minY };
  }
  return rectFromPoints({ x: el.x, y: el.y }, { x: el.x + el.width, y: el.y + el.height });
}

/**
 * The Béziers a curved line or arrow is drawn with, in world coordinates before its rotation;
 * null when the element is drawn straight (see `isCurved`).
 */
export function lineCurve(el: Element): Cubic[] | null {
  if (!isCurved(el)) return null;
  const pts = absolutePoints(el);
  return catmullRom(pts, isClosedPolyline(pts));
}

/** What a line, arrow or pen stroke is drawn along, before rotation: its points, or its curve flattened. */
export function strokePolyline(el: Element): Vec[] {
  const curve = lineCurve(el);
  return curve ? flattenCubics(curve) : absolutePoints(el);
}

/**
 * The unrotated box of what is drawn: `localBox`, grown to take in a curve's bulge. `localBox`
 * stays the box of the points, as the core stores it, so handles and the rotation centre do not
 * move when a line is made round.
 */
export function shapeBox(el: Element): Rect {
  const curve = lineCurve(el);
  return (curve && cubicsBounds(curve)) || localBox(el);
}

/** A diamond's outline in its unrotated box `b`: four vertices, or the rounded outline flattened. */
export function diamondPolygon(el: Element, b: Rect): Vec[] {
  if (el.rounded) return flattenCubics(diamondCorners(b));
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  return [
    { x: c.x, y: b.y },
    { x: b.x + b.width, y: c.y },
    { x: c.x, y: b.y + b.height },
    { x: b.x, y: c.y },
  ];
}

export function center(el: Element): Vec {
  const b = localBox(el);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Corners of the unrotated box, rotated into world coordinates (nw, ne, se, sw). */
export function corners(el: Element): Vec[] {
  const b = localBox(el);
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  return [
    { x: b.x, y: b.y },
    { x: b.x + b.width, y: b.y },
    { x: b.x + b.width, y: b.y + b.height },
    { x: b.x, y: b.y + b.height },
  ].map((p) => rotate(p, c, el.angle));
}

/** Outline of the element in world coordinates, as a polygon (ellipses sampled) or polyline. */
export function outline(el: Element): { points: Vec[]; closed: boolean } {
  const b = localBox(el);
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  let pts: Vec[];
  let closed = true;
  if (hasPoints(el)) {
    pts = strokePolyline(el);
    closed = false;
  } else if (el.kind === 'ellipse') {
    pts = [];
    for (let i = 0; i < 32; i++) {
      const t = (i / 32) * Math.PI * 2;
      pts.push({ x: c.x + (b.width / 2) * Math.cos(t), y: c.y + (b.height / 2) * Math.sin(t) });
    }
  } else if (el.kind === 'diamond') {
    pts = diamondPolygon(el, b);
  } else {
    pts = [
      { x: b.x, y: b.y },
      { x: b.x + b.width, y: b.y },
      { x: b.x + b.width, y: b.y + b.height },
      { x: b.x, y: b.y + b.height },
    ];
  }
  return { points: el.angle ? pts.map((p) => rotate(p, c, el.angle)) : pts, closed };
}

/** Axis-aligned world bounds of the element's geometry, rotation included. */
export function elementBounds(el: Element): Rect {
  if (!el.angle) return shapeBox(el);
  const curve = lineCurve(el);
  if (curve) {
    // A rotated Bézier is the Bézier of its rotated control points: its bounds stay exact.
    const c = center(el);
    return cubicsBounds(curve.map((k) => k.map((p) => rotate(p, c, el.angle)) as unknown as Cubic))!;
  }
  if (hasPoints(el)) return unionRects(outline(el).points.map((p) => rect(p.x, p.y, 0, 0)))!;
  const b = localBox(el);
  if (el.kind === 'ellipse') {
    // Exact bounds of a rotated ellipse.
    const a = b.width / 2;
    const bb = b.height / 2;
    const cos = Math.cos(el.angle);
    const sin = Math.sin(el.angle);
    const hw = Math.sqrt(a * a * cos * cos + bb * bb * sin * sin);
    const hh = Math.sqrt(a * a * sin * sin + bb * bb * cos * cos);
    return { x: b.x + a - hw, y: b.y + bb - hh, width: 2 * hw, height: 2 * hh };
  }
  const pts = el.kind === 'diamond' ? outline(el).points : corners(el);
  return unionRects(pts.map((p) => rect(p.x, p.y, 0, 0)))!;
}

/** Bounds including everything the renderer may paint (stroke width, arrowheads, frame label). */
export function renderBounds(el: Element): Rect {
  let pad = el.strokeWidth / 2 + 1;
  if (el.kind === 'freedraw') pad = el.strokeWidth * 2 + 1;
  if (el.kind === 'arrow') pad += Math.max(10, el.strokeWidth * 4);
  // The hand-drawn style (rough.ts) wobbles ends by up to ~2x the roughness and bows sides by up
  // to a hundredth of their length times it.
  if (el.roughness > 0 && el.kind !== 'freedraw' && el.kind !== 'text') pad += el.roughness * (3 + Math.max(el.width, el.height) / 100) + 1;
  const r = inflate(elementBounds(el), pad);
  if (el.kind === 'frame') return { x: r.x, y: r.y - 24, width: r.width, height: r.height + 24 };
  return r;
}

const isFilled = (el: Element): boolean => el.fill !== 'transparent' && el.fill !== '';

/** Kinds that are hit anywhere inside, whatever their fill. */
const SOLID_KINDS = new Set(['text', 'sticky', 'image']);

/**
 * Whether world point `p` hits the element. `tolerance` is in world units (callers pass a
 * screen-pixel tolerance divided by the zoom). Unfilled shapes are hit only near their outline.
 */
export function hitTest(el: Element, p: Vec, tolerance: number): boolean {
  const b = localBox(el);
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  const q = el.angle ? rotate(p, c, -el.angle) : p;
  const tol = tolerance + el.strokeWidth / 2;
  switch (el.kind) {
    case 'line':
    case 'arrow':
    case 'freedraw': {
      // A curved line is hit along its curve, flattened; not along the straight segments.
      const pts = strokePolyline(el);
      const extra = el.kind === 'freedraw' ? el.strokeWidth : 0;
      if (pts.length === 1) return dist(q, pts[0]!) <= tol + extra;
      for (let i = 1; i < pts.length; i++) {
        if (distToSegment(q, pts[i - 1]!, pts[i]!) <= tol + extra) return true;
      }
      if (el.kind === 'line' && isFilled(el) && pts.length > 2) return pointInPolygon(q, pts);
      return false;
    }
    case 'ellipse': {
      const a = b.width / 2;
      const bb = b.height / 2;
      const dx = q.x - c.x;
      const dy = q.y - c.y;
      if (a <= 0 || bb <= 0) return distToSegment(q, { x: b.x, y: b.y }, { x: b.x + b.width, y: b.y + b.height }) <= tol;
      const k = Math.sqrt((dx * dx) / (a * a) + (dy * dy) / (bb * bb));
      if (k <= 1 && isFilled(el)) return true;
      if (k === 0) return Math.min(a, bb) <= tol;
      // Distance along the ray from the centre to the outline (exact for circles).
      return Math.hypot(dx, dy) * Math.abs(1 - 1 / k) <= tol;
    }
    case 'diamond': {
      const poly = diamondPolygon(el, b);
      if (isFilled(el) && b.width > 0 && b.height > 0 && pointInPolygon(q, poly)) return true;
      return poly.some((v, i) => distToSegment(q, v, poly[(i + 1) % poly.length]!) <= tol);
    }
    default: {
      const inBox = rectContainsPoint(b, q);
      if (SOLID_KINDS.has(el.kind) || (el.kind === 'rectangle' && isFilled(el))) {
        return rectContainsPoint(inflate(b, tolerance), q);
      }
      if (el.kind === 'frame' && q.y < b.y && q.y >= b.y - 24 && q.x >= b.x && q.x <= b.x + b.width) return true; // label
      const nearEdge =
        rectContainsPoint(inflate(b, tol), q) && !(inBox && rectContainsPoint(inflate(b, -tol), q));
      return nearEdge;
    }
  }
}

/**
 * Whether world point `p` lies inside a closed shape's area, filled or not: what an arrow binds
 * to and a double-click edits the label of, as in Excalidraw. Frames (which hold other elements)
 * and open paths have no inside.
 */
export function insideShape(el: Element, p: Vec): boolean {
  const b = localBox(el);
  if (b.width <= 0 || b.height <= 0) return false;
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  const q = el.angle ? rotate(p, c, -el.angle) : p;
  switch (el.kind) {
    case 'ellipse': {
      const dx = (q.x - c.x) / (b.width / 2);
      const dy = (q.y - c.y) / (b.height / 2);
      return dx * dx + dy * dy <= 1;
    }
    case 'diamond':
      return pointInPolygon(q, diamondPolygon(el, b));
    case 'rectangle':
    case 'sticky':
    case 'text':
    case 'image':
      return rectContainsPoint(b, q);
    default:
      return false;
  }
}

const area = (el: Element): number => Math.abs(el.width * el.height);

/**
 * The element `p` is on or inside, for binding and label editing: the topmost element `hitTest`
 * finds (an outline, a filled shape), else the smallest closed shape `p` is inside (the innermost
 * of nested outlines).
 */
export function pickInside(candidates: Iterable<Element>, p: Vec, tolerance: number): Element | undefined {
  let hit: Element | undefined;
  let inside: Element | undefined;
  for (const el of candidates) {
    if (hitTest(el, p, tolerance)) {
      if (!hit || el.z > hit.z || (el.z === hit.z && el.id > hit.id)) hit = el;
    } else if (!hit && insideShape(el, p)) {
      if (!inside || area(el) < area(inside) || (area(el) === area(inside) && el.z > inside.z)) inside = el;
    }
  }
  return hit ?? inside;
}

/** Whether the element lies inside (`contain`) or touches (`intersect`) the marquee `r`. */
export function marqueeHit(el: Element, r: Rect, mode: 'contain' | 'intersect'): boolean {
  const bounds = elementBounds(el);
  if (rectContainsRect(r, bounds)) return true;
  if (mode === 'contain' || !rectsIntersect(r, bounds)) return false;
  const { points, closed } = outline(el);
  if (points.some((p) => rectContainsPoint(r, p))) return true;
  const rc = [
    { x: r.x, y: r.y },
    { x: r.x + r.width, y: r.y },
    { x: r.x + r.width, y: r.y + r.height },
    { x: r.x, y: r.y + r.height },
  ];
  const n = closed ? points.length : points.length - 1;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    for (let j = 0; j < 4; j++) if (segmentsIntersect(a, b, rc[j]!, rc[(j + 1) % 4]!)) return true;
  }
  // The marquee is entirely inside a closed, hit-inside shape.
  if (closed && (isFilled(el) || SOLID_KINDS.has(el.kind))) return pointInPolygon(rc[0]!, points);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Arrow bindings

export const BINDABLE = new Set(['rectangle', 'ellipse', 'diamond', 'text', 'sticky', 'image', 'frame']);

/** Half-extent used to scale `focus`: focus ±1 aims at the element's bounding circle. */
function focusScale(el: Element): number {
  const b = localBox(el);
  return Math.max(1e-6, Math.hypot(b.width, b.height) / 2);
}

/**
 * Intersections of the infinite line through `p` with direction `d` and the element's outline,
 * as parameters t (point = p + t·d), in world space.
 */
function outlineIntersections(el: Element, p: Vec, d: Vec): number[] {
  const b = localBox(el);
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  // Work in the element's unrotated frame.
  const lp = rotate(p, c, -el.angle);
  const ld = rotate({ x: c.x + d.x, y: c.y + d.y }, c, -el.angle);
  const dx = ld.x - c.x;
  const dy = ld.y - c.y;
  const ox = lp.x - c.x;
  const oy = lp.y - c.y;
  const ts: number[] = [];
  if (el.kind === 'ellipse') {
    const a = Math.max(b.width / 2, 1e-9);
    const bb = Math.max(b.height / 2, 1e-9);
    const A = (dx * dx) / (a * a) + (dy * dy) / (bb * bb);
    const B = 2 * ((ox * dx) / (a * a) + (oy * dy) / (bb * bb));
    const C = (ox * ox) / (a * a) + (oy * oy) / (bb * bb) - 1;
    const disc = B * B - 4 * A * C;
    if (A > 0 && disc >= 0) {
      const s = Math.sqrt(disc);
      ts.push((-B - s) / (2 * A), (-B + s) / (2 * A));
    }
    return ts;
  }
  const hw = b.width / 2;
  const hh = b.height / 2;
  const poly =
    el.kind === 'diamond'
      ? [
          { x: 0, y: -hh },
          { x: hw, y: 0 },
          { x: 0, y: hh },
          { x: -hw, y: 0 },
        ]
      : [
          { x: -hw, y: -hh },
          { x: hw, y: -hh },
          { x: hw, y: hh },
          { x: -hw, y: hh },
        ];
  for (let i = 0; i < 4; i++) {
    const s0 = poly[i]!;
    const s1 = poly[(i + 1) % 4]!;
    const ex = s1.x - s0.x;
    const ey = s1.y - s0.y;
    const den = dx * ey - dy * ex;
    if (Math.abs(den) < 1e-12) continue;
    const t = ((s0.x - ox) * ey - (s0.y - oy) * ex) / den;
    const u = ((s0.x - ox) * dy - (s0.y - oy) * dx) / den;
    if (u >= -1e-9 && u <= 1 + 1e-9) ts.push(t);
  }
  return ts;
}

const SIDE_NORMALS: Record<Side, Vec> = {
  top: { x: 0, y: -1 },
  right: { x: 1, y: 0 },
  bottom: { x: 0, y: 1 },
  left: { x: -1, y: 0 },
};

/**
 * Where an arrow end bound to `target` sits, given the arrow's adjacent point `from` (the other
 * end, or the neighbouring point): on the line from `from` towards the target's centre shifted
 * sideways by `focus`, at the target's outline, pulled back by `gap`. With a fixed `side` the end
 * sits on that side's midpoint (shifted along it by focus), `gap` outside it.
 */
export function bindingPoint(target: Element, binding: Binding, from: Vec): Vec {
  const b = localBox(target);
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  if (binding.side) {
    const n = SIDE_NORMALS[binding.side];
    const along = { x: -n.y, y: n.x };
    const half = n.x !== 0 ? b.height / 2 : b.width / 2;
    const ext = n.x !== 0 ? b.width / 2 : b.height / 2;
    const f = Math.max(-1, Math.min(1, binding.focus));
    const local = {
      x: c.x + n.x * (ext + binding.gap) + along.x * f * half,
      y: c.y + n.y * (ext + binding.gap) + along.y * f * half,
    };
    return rotate(local, c, target.angle);
  }
  let dx = c.x - from.x;
  let dy = c.y - from.y;
  let len = Math.hypot(dx, dy);
  if (len < 1e-9) {
    dx = 1;
    dy = 0;
    len = 1;
  }
  const ux = dx / len;
  const uy = dy / len;
  // Perpendicular (pointing to the right of the direction of travel on screen).
  const aim = { x: c.x - uy * binding.focus * focusScale(target), y: c.y + ux * binding.focus * focusScale(target) };
  let ax = aim.x - from.x;
  let ay = aim.y - from.y;
  const alen = Math.hypot(ax, ay);
  if (alen < 1e-9) {
    ax = ux;
    ay = uy;
  } else {
    ax /= alen;
    ay /= alen;
  }
  const ts = outlineIntersections(target, from, { x: ax, y: ay });
  if (ts.length === 0) {
    // The aim line misses the outline (|focus| large): fall back to the centre line.
    const t2 = outlineIntersections(target, from, { x: ux, y: uy });
    if (t2.length === 0) return c;
    const t = Math.min(...t2);
    return { x: from.x + ux * (t - binding.gap), y: from.y + uy * (t - binding.gap) };
  }
  // The crossing nearest `from` in the direction of travel (or the nearest one if inside).
  const ahead = ts.filter((t) => t >= 0);
  const t = ahead.length > 0 ? Math.min(...ahead) : Math.max(...ts);
  return { x: from.x + ax * (t - binding.gap), y: from.y + ay * (t - binding.gap) };
}

/** The focus that aims an arrow coming from `from` at world point `p` on or near `target`. */
export function focusFor(target: Element, from: Vec, p: Vec): number {
  const c = center(target);
  let dx = c.x - from.x;
  let dy = c.y - from.y;
  const len = Math.hypot(dx, dy);
  if (len < 1e-9) return 0;
  dx /= len;
  dy /= len;
  // Where the line from `from` through `p` crosses the perpendicular through the centre: that is
  // the aim point bindingPoint uses, so an end on the outline round-trips exactly.
  const along = (p.x - from.x) * dx + (p.y - from.y) * dy;
  if (along < 1e-9) return 0;
  const perp = (p.x - from.x) * -dy + (p.y - from.y) * dx;
  const off = (perp * len) / along;
  return Math.max(-1, Math.min(1, off / focusScale(target)));
}

/** A binding of an arrow end at world point `p` coming from `from`. */
export function makeBinding(target: Element, from: Vec, p: Vec, gap = 4): Binding {
  return { element: target.id, focus: focusFor(target, from, p), gap };
}

export function absolutePoints(el: Element): Vec[] {
  return (el.points ?? []).map(([x, y]) => ({ x: el.x + x, y: el.y + y }));
}

/** x, y, points, width and height for a polyline given in world coordinates (origin = first point). */
export function polylineFields(abs: readonly Vec[]): { x: number; y: number; width: number; height: number; points: Point[] } {
  const first = abs[0] ?? { x: 0, y: 0 };
  const points: Point[] = abs.map((p) => [p.x - first.x, p.y - first.y]);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return {
    x: first.x,
    y: first.y,
    width: Math.max(...xs) - Math.min(...xs),
    height: Math.max(...ys) - Math.min(...ys),
    points,
  };
}

/**
 * The arrow's geometry after its bound targets moved: each bound end is placed with
 * `bindingPoint` from its neighbouring point. Returns null when nothing is bound or resolvable.
 * Rotated arrows are not re-bound (their points are in the rotated frame).
 */
export function reboundArrow(
  arrow: Element,
  get: (id: string) => Element | undefined,
): { x: number; y: number; width: number; height: number; points: Point[] } | null {
  if (!hasPoints(arrow) || arrow.kind === 'freedraw') return null;
  const pts = absolutePoints(arrow);
  if (pts.length < 2) return null;
  const startT = arrow.start ? get(arrow.start.element) : undefined;
  const endT = arrow.end ? get(arrow.end.element) : undefined;
  if (!startT && !endT) return null;
  const last = pts.length - 1;
  // With both ends bound on a straight arrow, aim each end from the other target's centre first.
  if (startT && arrow.start) {
    const from = endT && pts.length === 2 ? center(endT) : pts[1]!;
    pts[0] = bindingPoint(startT, arrow.start, from);
  }
  if (endT && arrow.end) {
    const from = pts[last - 1]!;
    pts[last] = bindingPoint(endT, arrow.end, from);
  }
  return polylineFields(pts);
}

/** Ids of the arrows/lines with an end bound to any of `ids`. */
export function arrowsBoundTo(elements: Iterable<Element>, ids: ReadonlySet<string>): Element[] {
  const out: Element[] = [];
  for (const el of elements) {
    if ((el.start && ids.has(el.start.element)) || (el.end && ids.has(el.end.element))) out.push(el);
  }
  return out;
}
