import { getStroke } from 'perfect-freehand';
import type { Element } from '../model/types';
import { type Cubic, diamondCorners, isClosedPolyline } from './curve';
import { absolutePoints, lineCurve, localBox, type Vec } from './geometry';

/** A path as plain data, so it can be cached, replayed on any context and inspected in tests. */
export type PathOp =
  | ['M', number, number]
  | ['L', number, number]
  | ['Q', number, number, number, number]
  | ['C', number, number, number, number, number, number]
  | ['E', number, number, number, number]
  | ['Z'];

/** The subset of Path2D / CanvasRenderingContext2D that paths replay onto. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  bezierCurveTo(a: number, b: number, c: number, d: number, x: number, y: number): void;
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number): void;
  closePath(): void;
}

export function replay(sink: PathSink, ops: readonly PathOp[]): void {
  for (const op of ops) {
    switch (op[0]) {
      case 'M':
        sink.moveTo(op[1], op[2]);
        break;
      case 'L':
        sink.lineTo(op[1], op[2]);
        break;
      case 'Q':
        sink.quadraticCurveTo(op[1], op[2], op[3], op[4]);
        break;
      case 'C':
        sink.bezierCurveTo(op[1], op[2], op[3], op[4], op[5], op[6]);
        break;
      case 'E':
        sink.moveTo(op[1] + op[3], op[2]);
        sink.ellipse(op[1], op[2], Math.abs(op[3]), Math.abs(op[4]), 0, 0, Math.PI * 2);
        break;
      case 'Z':
        sink.closePath();
        break;
    }
  }
}

/** Geometry of one element in world coordinates (before its rotation), ready to paint. */
export interface ElementPaths {
  /** Region filled with `fill` (closed shapes). */
  fill: PathOp[] | null;
  /** Outline stroked with `stroke`. */
  stroke: PathOp[] | null;
  /** Region filled with the stroke colour (pen strokes, solid arrowheads). */
  solid: PathOp[] | null;
}

function roundedRect(x: number, y: number, w: number, h: number, r: number): PathOp[] {
  return [
    ['M', x + r, y],
    ['L', x + w - r, y],
    ['Q', x + w, y, x + w, y + r],
    ['L', x + w, y + h - r],
    ['Q', x + w, y + h, x + w - r, y + h],
    ['L', x + r, y + h],
    ['Q', x, y + h, x, y + h - r],
    ['L', x, y + r],
    ['Q', x, y, x + r, y],
    ['Z'],
  ];
}

function polygon(pts: readonly Vec[], closed: boolean): PathOp[] {
  const ops: PathOp[] = [];
  pts.forEach((p, i) => ops.push(i === 0 ? ['M', p.x, p.y] : ['L', p.x, p.y]));
  if (closed) ops.push(['Z']);
  return ops;
}

/** Cubics as path ops, with a straight edge wherever one cubic does not start where the last ended. */
export function cubicOps(cubics: readonly Cubic[]): PathOp[] {
  const ops: PathOp[] = [];
  let at: Vec | null = null;
  for (const [a, c1, c2, b] of cubics) {
    if (!at) ops.push(['M', a.x, a.y]);
    else if (at.x !== a.x || at.y !== a.y) ops.push(['L', a.x, a.y]);
    ops.push(['C', c1.x, c1.y, c2.x, c2.y, b.x, b.y]);
    at = b;
  }
  return ops;
}

/**
 * A point behind the end `c[3]` of a cubic along its tangent there: the nearest control point
 * that differs from the end (the arrowhead aims from it).
 */
function behindEnd(c: Cubic): Vec {
  const end = c[3];
  return [c[2], c[1], c[0]].find((p) => p.x !== end.x || p.y !== end.y) ?? c[0];
}

/** Excalidraw's smoothing of a perfect-freehand outline into quadratic curves. */
export function outlineToOps(outline: readonly number[][]): PathOp[] {
  if (outline.length < 2) return [];
  const ops: PathOp[] = [];
  const p0 = outline[0]!;
  ops.push(['M', p0[0]!, p0[1]!]);
  for (let i = 0; i < outline.length; i++) {
    const a = outline[i]!;
    const b = outline[(i + 1) % outline.length]!;
    ops.push(['Q', a[0]!, a[1]!, (a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2]);
  }
  ops.push(['Z']);
  return ops;
}

/** The perfect-freehand outline of a pen stroke given in world coordinates. */
export function freehandOutline(points: readonly Vec[], pressures: readonly number[], strokeWidth: number, last = true): PathOp[] {
  const simulate = pressures.length !== points.length;
  const input = points.map((p, i) => [p.x, p.y, simulate ? 0.5 : (pressures[i] ?? 0.5)]);
  const outline = getStroke(input, {
    size: strokeWidth * 4.25,
    thinning: 0.6,
    smoothing: 0.5,
    streamline: 0.5,
    simulatePressure: simulate,
    last,
  });
  return outlineToOps(outline);
}

/** One arrowhead's geometry: strokes (open polylines), a filled polygon or a filled dot. */
export type HeadShape =
  | { type: 'lines'; lines: Vec[][] }
  | { type: 'polygon'; points: Vec[] }
  | { type: 'dot'; center: Vec; radius: number };

/** The shape of an arrowhead of `kind` with its tip at `tip`, aimed from `from`, `size` long. */
export function headShape(kind: string, tip: Vec, from: Vec, size: number): HeadShape {
  const ang = Math.atan2(tip.y - from.y, tip.x - from.x);
  const at = (a: number, d: number): Vec => ({ x: tip.x - d * Math.cos(a), y: tip.y - d * Math.sin(a) });
  const l = at(ang - 0.45, size);
  const r = at(ang + 0.45, size);
  // Excalidraw's newer names draw as their nearest kind here (the export's `head_shape` agrees).
  switch (kind) {
    case 'triangle':
    case 'triangle_outline':
      return { type: 'polygon', points: [tip, l, r] };
    case 'dot':
    case 'circle':
    case 'circle_outline':
      return { type: 'dot', center: tip, radius: size / 3 };
    case 'bar': {
      const b1 = { x: tip.x + (size / 2) * Math.sin(ang), y: tip.y - (size / 2) * Math.cos(ang) };
      const b2 = { x: tip.x - (size / 2) * Math.sin(ang), y: tip.y + (size / 2) * Math.cos(ang) };
      return { type: 'lines', lines: [[b1, b2]] };
    }
    default: // 'arrow'
      return { type: 'lines', lines: [[l, tip, r]] };
  }
}

function arrowheadOps(h: HeadShape): { stroke: PathOp[]; solid: PathOp[] } {
  switch (h.type) {
    case 'polygon':
      return { stroke: [], solid: polygon(h.points, true) };
    case 'dot':
      return { stroke: [], solid: [['E', h.center.x, h.center.y, h.radius, h.radius]] };
    case 'lines':
      return { stroke: h.lines.flatMap((l) => polygon(l, false)), solid: [] };
  }
}

/** A line's or arrow's heads (end first, then start) in world coordinates, as `buildPaths` draws them. */
export function headsOf(el: Element): HeadShape[] {
  const pts = absolutePoints(el);
  if (pts.length < 2) return [];
  const curve = lineCurve(el);
  const endFrom = curve ? behindEnd(curve.at(-1)!) : pts.at(-2)!;
  const startFrom = curve ? behindEnd([...curve[0]!].reverse() as unknown as Cubic) : pts[1]!;
  const size = Math.max(10, el.strokeWidth * 4);
  const heads: HeadShape[] = [];
  // An arrow's unset end is drawn as 'arrow'; 'none' (Excalidraw's null) is no head.
  const endHead = el.endArrowhead ?? (el.kind === 'arrow' ? 'arrow' : undefined);
  if (endHead && endHead !== 'none') heads.push(headShape(endHead, pts.at(-1)!, endFrom, size));
  if (el.startArrowhead && el.startArrowhead !== 'none') heads.push(headShape(el.startArrowhead, pts[0]!, startFrom, size));
  return heads;
}

/** Builds the paths for an element. Pure; the renderer caches the result by element version. */
export function buildPaths(el: Element): ElementPaths {
  const b = localBox(el);
  switch (el.kind) {
    case 'rectangle':
    case 'sticky':
    case 'image':
    case 'frame': {
      const r = el.rounded || el.kind === 'sticky' ? Math.min(32, Math.min(b.width, b.height) * 0.25) : 0;
      const ops: PathOp[] =
        r > 0
          ? roundedRect(b.x, b.y, b.width, b.height, r)
          : polygon(
              [
                { x: b.x, y: b.y },
                { x: b.x + b.width, y: b.y },
                { x: b.x + b.width, y: b.y + b.height },
                { x: b.x, y: b.y + b.height },
              ],
              true,
            );
      return { fill: ops, stroke: el.kind === 'sticky' ? null : ops, solid: null };
    }
    case 'ellipse': {
      const ops: PathOp[] = [['E', b.x + b.width / 2, b.y + b.height / 2, b.width / 2, b.height / 2]];
      return { fill: ops, stroke: ops, solid: null };
    }
    case 'diamond': {
      if (el.rounded) {
        const ops: PathOp[] = [...cubicOps(diamondCorners(b)), ['Z']];
        return { fill: ops, stroke: ops, solid: null };
      }
      const cx = b.x + b.width / 2;
      const cy = b.y + b.height / 2;
      const ops = polygon(
        [
          { x: cx, y: b.y },
          { x: b.x + b.width, y: cy },
          { x: cx, y: b.y + b.height },
          { x: b.x, y: cy },
        ],
        true,
      );
      return { fill: ops, stroke: ops, solid: null };
    }
    case 'line':
    case 'arrow': {
      const pts = absolutePoints(el);
      const closed = isClosedPolyline(pts);
      // Rounded with three points or more: a smooth curve through them (see curve.ts).
      const curve = lineCurve(el);
      const stroke = curve ? cubicOps(curve) : polygon(pts, false);
      const solid: PathOp[] = [];
      for (const h of headsOf(el)) {
        const ops = arrowheadOps(h);
        stroke.push(...ops.stroke);
        solid.push(...ops.solid);
      }
      const fill: PathOp[] | null = !closed ? null : curve ? [...cubicOps(curve), ['Z']] : polygon(pts, true);
      return { fill, stroke, solid: solid.length ? solid : null };
    }
    case 'freedraw': {
      const pts = (el.points ?? []).map(([x, y]) => ({ x: el.x + x, y: el.y + y }));
      return { fill: null, stroke: null, solid: freehandOutline(pts, el.pressures ?? [], el.strokeWidth) };
    }
    case 'text':
      return { fill: null, stroke: null, solid: null };
  }
}
