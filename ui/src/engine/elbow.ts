//! Elbow arrows (Excalidraw's `elbowed` arrows): a route of horizontal and vertical segments from
//! the start to the end that leaves and enters each bound shape square to the side it touches and
//! goes round both shapes. As Excalidraw's `routeElbowArrow`: the shapes' boxes, grown by a
//! margin, are obstacles; the candidate lines are their edges, the two ends' exit lines and the
//! middle between the boxes; an A* search over that sparse grid takes the shortest route with the
//! fewest bends (each bend costs as much as a long segment). The route is stored as the arrow's
//! points, so exports draw it as any polyline; the select tool routes again when a bound shape
//! moves (`reboundArrow`). Pure.

import type { Binding, Element, ElementPatch, Point, Side } from '../model/types';
import { absolutePoints, bindingPoint, center, localBox, polylineFields, type Rect, reboundArrow, type Vec } from './geometry';

/** How far a route keeps from the shapes it joins, in world units. */
export const ELBOW_MARGIN = 24;

export type Heading = 'up' | 'down' | 'left' | 'right';
const DIR: Record<Heading, Vec> = { up: { x: 0, y: -1 }, down: { x: 0, y: 1 }, left: { x: -1, y: 0 }, right: { x: 1, y: 0 } };

/** The side of `box` that `p` is nearest to, relative to the box's shape: the way out of it there. */
export function sideOf(box: Rect, p: Vec): Heading {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = (p.x - cx) / Math.max(box.width / 2, 1e-9);
  const dy = (p.y - cy) / Math.max(box.height / 2, 1e-9);
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? 'right' : 'left';
  return dy >= 0 ? 'down' : 'up';
}

/** The heading from `a` towards `b` along the axis where they are farther apart. */
export function headingTowards(a: Vec, b: Vec): Heading {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? 'right' : 'left';
  return dy >= 0 ? 'down' : 'up';
}

const grow = (r: Rect, m: number): Rect => ({ x: r.x - m, y: r.y - m, width: r.width + 2 * m, height: r.height + 2 * m });

/** Whether the open segment a–b runs through the interior of `r` (touching its edge is fine). */
function crosses(a: Vec, b: Vec, r: Rect): boolean {
  const e = 1e-6;
  const x0 = r.x + e;
  const x1 = r.x + r.width - e;
  const y0 = r.y + e;
  const y1 = r.y + r.height - e;
  if (a.y === b.y) {
    if (a.y <= y0 || a.y >= y1) return false;
    return Math.max(a.x, b.x) > x0 && Math.min(a.x, b.x) < x1;
  }
  if (a.x <= x0 || a.x >= x1) return false;
  return Math.max(a.y, b.y) > y0 && Math.min(a.y, b.y) < y1;
}

const inside = (p: Vec, r: Rect): boolean => p.x > r.x + 1e-6 && p.x < r.x + r.width - 1e-6 && p.y > r.y + 1e-6 && p.y < r.y + r.height - 1e-6;

/** An end of an elbow route: where it is, the way it leaves (start) or comes in from (end), and the shape it is bound to. */
export interface ElbowEnd {
  point: Vec;
  heading: Heading;
  box?: Rect | null;
}

/**
 * The route from `start` to `end`: the points of an orthogonal polyline, `start.point` first and
 * `end.point` last, leaving the start along its heading and entering the end against the end's
 * heading (the end's heading points out of its shape), around both shapes grown by `margin`.
 */
export function routeElbow(start: ElbowEnd, end: ElbowEnd, margin = ELBOW_MARGIN): Vec[] {
  const sd = DIR[start.heading];
  const ed = DIR[end.heading];
  // The first and last bends sit `margin` out from each end, clear of its shape.
  const s1 = { x: start.point.x + sd.x * margin, y: start.point.y + sd.y * margin };
  const e1 = { x: end.point.x + ed.x * margin, y: end.point.y + ed.y * margin };
  const obstacles = [start.box, end.box].filter((b): b is Rect => !!b).map((b) => grow(b, margin - 1));
  // An exit point inside the other shape's grown box (shapes close together): that box is no
  // obstacle for the route (it could not leave otherwise).
  const blocking = obstacles.filter((o) => !inside(s1, o) && !inside(e1, o));
  const xs = new Set<number>([s1.x, e1.x, (s1.x + e1.x) / 2]);
  const ys = new Set<number>([s1.y, e1.y, (s1.y + e1.y) / 2]);
  for (const o of blocking) {
    xs.add(o.x);
    xs.add(o.x + o.width);
    ys.add(o.y);
    ys.add(o.y + o.height);
  }
  if (blocking.length === 2) {
    // The corridor between the two shapes, where there is one.
    const [a, b] = blocking as [Rect, Rect];
    if (a.x + a.width < b.x) xs.add((a.x + a.width + b.x) / 2);
    if (b.x + b.width < a.x) xs.add((b.x + b.width + a.x) / 2);
    if (a.y + a.height < b.y) ys.add((a.y + a.height + b.y) / 2);
    if (b.y + b.height < a.y) ys.add((b.y + b.height + a.y) / 2);
  }
  const X = [...xs].sort((p, q) => p - q);
  const Y = [...ys].sort((p, q) => p - q);
  const path = search(X, Y, s1, e1, start.heading, end.heading, blocking);
  const pts = [start.point, ...(path ?? fallback(s1, e1, start.heading)), end.point];
  return simplify(pts);
}

/** A route without the search: an L or a Z through the two exit points (when the search finds none). */
function fallback(s1: Vec, e1: Vec, h: Heading): Vec[] {
  if (h === 'left' || h === 'right') {
    const mx = (s1.x + e1.x) / 2;
    return [s1, { x: mx, y: s1.y }, { x: mx, y: e1.y }, e1];
  }
  const my = (s1.y + e1.y) / 2;
  return [s1, { x: s1.x, y: my }, { x: e1.x, y: my }, e1];
}

/**
 * A* over the grid `X × Y` from `s1` (arrived at moving along `sh`) to `e1` (to be left moving
 * against `eh`): moves between neighbouring grid points that do not run through an obstacle, cost
 * the length plus a bend penalty per turn, never turning back.
 */
function search(X: number[], Y: number[], s1: Vec, e1: Vec, sh: Heading, eh: Heading, obstacles: Rect[]): Vec[] | null {
  const ix = (v: number, arr: number[]) => arr.indexOf(v);
  const si = ix(s1.x, X);
  const sj = ix(s1.y, Y);
  const ei = ix(e1.x, X);
  const ej = ix(e1.y, Y);
  if (si < 0 || sj < 0 || ei < 0 || ej < 0) return null;
  const span = Math.max(X.at(-1)! - X[0]!, Y.at(-1)! - Y[0]!, 1);
  const BEND = span;
  const headings: Heading[] = ['up', 'down', 'left', 'right'];
  const opposite: Record<Heading, Heading> = { up: 'down', down: 'up', left: 'right', right: 'left' };
  const arrive = opposite[eh];
  const key = (i: number, j: number, h: Heading) => `${i},${j},${h}`;
  const dist = new Map<string, number>();
  const prev = new Map<string, string | null>();
  const h0 = (i: number, j: number) => Math.abs(X[i]! - e1.x) + Math.abs(Y[j]! - e1.y);
  // A small binary-heap-free open list: the grid has at most a dozen lines per axis.
  const open: { k: string; i: number; j: number; h: Heading; g: number; f: number }[] = [];
  const k0 = key(si, sj, sh);
  dist.set(k0, 0);
  prev.set(k0, null);
  open.push({ k: k0, i: si, j: sj, h: sh, g: 0, f: h0(si, sj) });
  while (open.length) {
    let bi = 0;
    for (let n = 1; n < open.length; n++) if (open[n]!.f < open[bi]!.f) bi = n;
    const cur = open.splice(bi, 1)[0]!;
    if (cur.g > (dist.get(cur.k) ?? Infinity)) continue;
    if (cur.i === ei && cur.j === ej && cur.h === arrive) {
      const out: Vec[] = [];
      for (let k: string | null = cur.k; k; k = prev.get(k) ?? null) {
        const [i, j] = k.split(',').map(Number) as [number, number];
        out.push({ x: X[i]!, y: Y[j]! });
      }
      return out.reverse();
    }
    for (const h of headings) {
      if (h === opposite[cur.h]) continue;
      const d = DIR[h];
      const ni = cur.i + d.x;
      const nj = cur.j + d.y;
      if (ni < 0 || nj < 0 || ni >= X.length || nj >= Y.length) continue;
      const a = { x: X[cur.i]!, y: Y[cur.j]! };
      const b = { x: X[ni]!, y: Y[nj]! };
      if (obstacles.some((o) => crosses(a, b, o) || inside(b, o))) continue;
      const g = cur.g + Math.abs(b.x - a.x) + Math.abs(b.y - a.y) + (h === cur.h ? 0 : BEND);
      const k = key(ni, nj, h);
      if (g >= (dist.get(k) ?? Infinity)) continue;
      dist.set(k, g);
      prev.set(k, cur.k);
      open.push({ k, i: ni, j: nj, h, g, f: g + h0(ni, nj) });
    }
    // At the end point arrived another way: a turn there onto the way in (one more bend).
    if (cur.i === ei && cur.j === ej && cur.h !== arrive && cur.h !== opposite[arrive]) {
      const k = key(ei, ej, arrive);
      const g = cur.g + BEND;
      if (g < (dist.get(k) ?? Infinity)) {
        dist.set(k, g);
        prev.set(k, prev.get(cur.k) ?? null);
        open.push({ k, i: ei, j: ej, h: arrive, g, f: g });
      }
    }
  }
  return null;
}

/** Drops repeated points and points in the middle of a straight run. */
export function simplify(pts: readonly Vec[]): Vec[] {
  const out: Vec[] = [];
  for (const p of pts) {
    const last = out.at(-1);
    if (last && Math.abs(last.x - p.x) < 1e-9 && Math.abs(last.y - p.y) < 1e-9) continue;
    const before = out.at(-2);
    if (before && last && ((Math.abs(before.x - last.x) < 1e-9 && Math.abs(last.x - p.x) < 1e-9) || (Math.abs(before.y - last.y) < 1e-9 && Math.abs(last.y - p.y) < 1e-9))) out.pop();
    out.push(p);
  }
  return out;
}

const SIDE_OF: Record<Heading, Side> = { up: 'top', down: 'bottom', left: 'left', right: 'right' };

/**
 * An elbow arrow's geometry from its ends and the shapes they are bound to: each bound end sits on
 * the middle of the side of its shape that faces the other end (`gap` out, the binding's `side`
 * recorded), each free end where it is; the points between are `routeElbow`'s. Null without two
 * points. What `reboundArrow` is for other arrows: called when a bound shape moves.
 */
export function elbowFields(
  arrow: Element,
  get: (id: string) => Element | undefined,
): { x: number; y: number; width: number; height: number; points: Point[]; start?: Binding; end?: Binding } | null {
  const pts = absolutePoints(arrow);
  if (pts.length < 2) return null;
  let a = pts[0]!;
  let b = pts[pts.length - 1]!;
  const st = arrow.start ? get(arrow.start.element) : undefined;
  const et = arrow.end ? get(arrow.end.element) : undefined;
  const out: { start?: Binding; end?: Binding } = {};
  let hs = headingTowards(a, b);
  let he = headingTowards(b, a);
  if (st && arrow.start) {
    hs = headingTowards(center(st), et ? center(et) : b);
    out.start = { ...arrow.start, side: SIDE_OF[hs], focus: 0 };
    a = bindingPoint(st, out.start, b);
  }
  if (et && arrow.end) {
    he = headingTowards(center(et), st ? center(st) : a);
    out.end = { ...arrow.end, side: SIDE_OF[he], focus: 0 };
    b = bindingPoint(et, out.end, a);
  }
  const route = routeElbow({ point: a, heading: hs, box: st ? localBox(st) : null }, { point: b, heading: he, box: et ? localBox(et) : null });
  return { ...polylineFields(route), ...out };
}

/** The arrow's geometry after a shape it is bound to moved: routed again if it is an elbow arrow, else `reboundArrow`'s. */
export function rerouteArrow(arrow: Element, get: (id: string) => Element | undefined): ElementPatch | null {
  if (arrow.kind === 'arrow' && arrow.elbowed) return elbowFields(arrow, get);
  return reboundArrow(arrow, get);
}
