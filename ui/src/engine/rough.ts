/**
 * The hand-drawn style: rectangles, diamonds, ellipses, lines and arrows drawn by rough.js, with
 * the options Excalidraw gives it (its `generateRoughOptions`), seeded by each element's seed, so
 * a board imported from Excalidraw wobbles as it did there. A roughness of 0 keeps the clean
 * geometry of `paths.ts`; only a hatched, cross-hatched or zigzag fill is then rough.js's (with no
 * wobble), as Excalidraw draws those at any roughness.
 *
 * rough.js runs once per element version: the renderer caches what `roughLayers` returns (as
 * Path2D) beside the element's other paths. The SVG export (crates/easel-formats/src/rough.rs)
 * draws the same layers with a Rust port checked against rough.js's output for the same seeds.
 */
import type { Drawable, Op, Options } from 'roughjs/bin/core';
import { RoughGenerator } from 'roughjs/bin/generator';
import { type Element, roughSeed } from '../model/types';
import { isClosedPolyline } from './curve';
import type { Vec } from './geometry';
import { headsOf, type PathOp } from './paths';

/** Kinds the hand-drawn style applies to. */
export const ROUGH_KINDS: ReadonlySet<string> = new Set(['rectangle', 'diamond', 'ellipse', 'line', 'arrow']);

/** Excalidraw's "cartoonist" roughness: from there on, rough.js may move a shape's vertices. */
const CARTOONIST = 2;

/** One thing to paint: a region to fill, or lines to stroke, in one colour. */
export interface RoughLayer {
  /** `fill`: fill `ops` (rough.js's fillPath); `stroke`: stroke them (its path and fillSketch). */
  paint: 'fill' | 'stroke';
  color: string;
  /** Line width of a stroke. */
  width: number;
  dash: number[] | null;
  /** rough.js fills curves, polygons and paths even-odd. */
  evenOdd: boolean;
  /** World coordinates. */
  ops: PathOp[];
}

const generator = new RoughGenerator();

/** Whether `el` is drawn (in part) by rough.js: a rough shape, or a clean one with a pattern fill. */
export function isRough(el: Element): boolean {
  if (!ROUGH_KINDS.has(el.kind)) return false;
  return el.roughness > 0 || (hasFill(el) && el.fillStyle !== 'solid');
}

const transparent = (c: string): boolean => c === 'transparent' || c === '' || c === 'none';

function hasFill(el: Element): boolean {
  if (transparent(el.fill)) return false;
  if (el.kind === 'line' || el.kind === 'arrow') return el.kind === 'line' && isLoop(el);
  return true;
}

function isLoop(el: Element): boolean {
  const pts = (el.points ?? []).map(([x, y]) => ({ x, y }));
  return isClosedPolyline(pts);
}

/** Excalidraw's `adjustRoughness`: small shapes wobble less. */
export function adjustRoughness(el: Element): number {
  const max = Math.max(el.width, el.height);
  const min = Math.min(el.width, el.height);
  const linear = el.kind === 'line' || el.kind === 'arrow';
  const roundable = el.kind === 'rectangle' || el.kind === 'diamond' || el.kind === 'line';
  if ((min >= 20 && max >= 50) || (min >= 15 && el.rounded && roundable) || (linear && max >= 50)) return el.roughness;
  return Math.min(el.roughness / (max < 10 ? 3 : 2), 2.5);
}

/** Excalidraw's dash patterns for rough strokes. */
export function roughDash(el: Element): number[] | undefined {
  if (el.strokeStyle === 'dashed') return [8, 8 + el.strokeWidth];
  if (el.strokeStyle === 'dotted') return [1.5, 6 + el.strokeWidth];
  return undefined;
}

/** The rough.js options Excalidraw draws `el` with (`continuous`: an SVG path shape). */
export function roughOptions(el: Element, continuous = false): Options {
  const solid = el.strokeStyle === 'solid';
  const o: Options = {
    seed: roughSeed(el),
    disableMultiStroke: !solid,
    strokeWidth: solid ? el.strokeWidth : el.strokeWidth + 0.5,
    fillWeight: el.strokeWidth / 2,
    hachureGap: el.strokeWidth * 4,
    roughness: adjustRoughness(el),
    stroke: el.stroke,
    preserveVertices: continuous || el.roughness < CARTOONIST,
  };
  const dash = roughDash(el);
  if (dash) o.strokeLineDash = dash;
  if (hasFill(el)) {
    o.fillStyle = el.fillStyle;
    o.fill = el.fill;
  }
  if (el.kind === 'ellipse') o.curveFitting = 1;
  return o;
}

/** Excalidraw's corner radius: adaptive (a quarter of the side, at most 32) or proportional. */
const adaptiveRadius = (side: number): number => (side <= 128 ? side * 0.25 : 32);

/** The SVG path of a rounded rectangle `w` x `h` at the origin, as Excalidraw builds it. */
export function roundedRectPath(w: number, h: number): string {
  const r = adaptiveRadius(Math.min(w, h));
  return `M ${r} 0 L ${w - r} 0 Q ${w} 0, ${w} ${r} L ${w} ${h - r} Q ${w} ${h}, ${w - r} ${h} L ${r} ${h} Q 0 ${h}, 0 ${h - r} L 0 ${r} Q 0 0, ${r} 0`;
}

/** The SVG path of a rounded diamond in a `w` x `h` box at the origin, as Excalidraw builds it. */
export function roundedDiamondPath(w: number, h: number): string {
  const [tx, ty, rx, ry, bx, by, lx, ly] = [w / 2, 0, w, h / 2, w / 2, h, 0, h / 2];
  const v = Math.abs(tx - lx) * 0.25;
  const hr = Math.abs(ry - ty) * 0.25;
  return (
    `M ${tx + v} ${ty + hr} L ${rx - v} ${ry - hr} C ${rx} ${ry}, ${rx} ${ry}, ${rx - v} ${ry + hr} ` +
    `L ${bx + v} ${by - hr} C ${bx} ${by}, ${bx} ${by}, ${bx - v} ${by - hr} ` +
    `L ${lx + v} ${ly + hr} C ${lx} ${ly}, ${lx} ${ly}, ${lx + v} ${ly - hr} ` +
    `L ${tx - v} ${ty + hr} C ${tx} ${ty}, ${tx} ${ty}, ${tx + v} ${ty + hr}`
  );
}

/** The rough.js drawables of `el`, in its local coordinates (origin at x, y), heads last. */
export function roughDrawables(el: Element, gen: RoughGenerator = generator): Drawable[] {
  const w = el.width;
  const h = el.height;
  switch (el.kind) {
    case 'rectangle':
      return [el.rounded ? gen.path(roundedRectPath(w, h), roughOptions(el, true)) : gen.rectangle(0, 0, w, h, roughOptions(el))];
    case 'diamond':
      return [
        el.rounded
          ? gen.path(roundedDiamondPath(w, h), roughOptions(el, true))
          : gen.polygon(
              [
                [w / 2, 0],
                [w, h / 2],
                [w / 2, h],
                [0, h / 2],
              ],
              roughOptions(el),
            ),
      ];
    case 'ellipse':
      return [gen.ellipse(w / 2, h / 2, w, h, roughOptions(el))];
    case 'line':
    case 'arrow': {
      const o = roughOptions(el);
      const pts = (el.points?.length ? el.points : [[0, 0]]).map(([x, y]) => [x, y] as [number, number]);
      const out = [el.rounded ? gen.curve(pts, o) : o.fill ? gen.polygon(pts, o) : gen.linearPath(pts, o)];
      for (const head of headsOf(el)) out.push(...headDrawables(el, head, o, gen));
      return out;
    }
    default:
      return [];
  }
}

/** An arrowhead as Excalidraw draws one: lines at most roughness 1, filled shapes solid in the stroke colour. */
function headDrawables(el: Element, head: ReturnType<typeof headsOf>[number], o: Options, gen: RoughGenerator): Drawable[] {
  const local = (p: Vec): [number, number] => [p.x - el.x, p.y - el.y];
  const base: Options = { ...o, roughness: Math.min(1, o.roughness ?? 0) };
  delete base.strokeLineDash;
  delete base.fill;
  delete base.fillStyle;
  switch (head.type) {
    case 'lines':
      // Excalidraw draws each side of an arrowhead from its end to the tip.
      return head.lines.flatMap((line) => {
        if (line.length === 3) {
          const [a, tip, b] = line.map(local) as [[number, number], [number, number], [number, number]];
          return [gen.line(a[0], a[1], tip[0], tip[1], base), gen.line(b[0], b[1], tip[0], tip[1], base)];
        }
        const [a, b] = line.map(local) as [[number, number], [number, number]];
        return [gen.line(a[0], a[1], b[0], b[1], base)];
      });
    case 'polygon': {
      const pts = head.points.map(local);
      return [gen.polygon([...pts, pts[0]!], { ...base, fill: el.stroke, fillStyle: 'solid' })];
    }
    case 'dot': {
      const [x, y] = local(head.center);
      return [gen.circle(x, y, head.radius * 2, { ...base, fill: el.stroke, fillStyle: 'solid', roughness: Math.min(0.5, o.roughness ?? 0) })];
    }
  }
}

/** rough.js ops as path ops moved by (dx, dy). */
export function opsToPath(ops: readonly Op[], dx: number, dy: number): PathOp[] {
  const out: PathOp[] = [];
  for (const { op, data: d } of ops) {
    if (op === 'move') out.push(['M', d[0]! + dx, d[1]! + dy]);
    else if (op === 'lineTo') out.push(['L', d[0]! + dx, d[1]! + dy]);
    else out.push(['C', d[0]! + dx, d[1]! + dy, d[2]! + dx, d[3]! + dy, d[4]! + dx, d[5]! + dy]);
  }
  return out;
}

/** What rough.js's canvas renderer would paint for these drawables, as layers in world coordinates. */
export function drawableLayers(drawables: readonly Drawable[], dx: number, dy: number): RoughLayer[] {
  const layers: RoughLayer[] = [];
  for (const d of drawables) {
    const o = d.options;
    const evenOdd = d.shape === 'curve' || d.shape === 'polygon' || d.shape === 'path';
    for (const set of d.sets) {
      const ops = opsToPath(set.ops, dx, dy);
      if (set.type === 'path') {
        if (o.stroke === 'none') continue;
        layers.push({ paint: 'stroke', color: o.stroke, width: o.strokeWidth, dash: o.strokeLineDash ?? null, evenOdd, ops });
      } else if (set.type === 'fillPath') {
        layers.push({ paint: 'fill', color: o.fill ?? '', width: 0, dash: null, evenOdd, ops });
      } else {
        const weight = o.fillWeight < 0 ? o.strokeWidth / 2 : o.fillWeight;
        layers.push({ paint: 'stroke', color: o.fill ?? '', width: weight, dash: o.fillLineDash ?? null, evenOdd, ops });
      }
    }
  }
  return layers;
}

/**
 * The layers `el` is painted with when `isRough(el)`. With roughness 0 only the pattern fill
 * (rough.js's hachure, cross-hatch or zigzag lines, unwobbled) is returned: the outline and any
 * heads are the clean paths'.
 */
export function roughLayers(el: Element): RoughLayer[] {
  if (!isRough(el)) return [];
  if (el.roughness > 0) return drawableLayers(roughDrawables(el), el.x, el.y);
  // Only the shape's own fill; its seed still makes the hachure's start as Excalidraw's.
  const [shape] = roughDrawables({ ...el, roughness: 0, startArrowhead: undefined, endArrowhead: 'none' });
  if (!shape) return [];
  return drawableLayers([{ ...shape, sets: shape.sets.filter((s) => s.type === 'fillSketch') }], el.x, el.y);
}
