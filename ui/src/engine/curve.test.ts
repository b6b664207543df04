import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import { catmullRom, type Cubic, cubicAt, cubicsBounds, diamondCorners, flattenCubics } from './curve';
import { distToSegment, elementBounds, hitTest, outline, rect, type Vec } from './geometry';
import { buildPaths, type PathOp } from './paths';

const v = (x: number, y: number): Vec => ({ x, y });
const unit = (a: Vec, b: Vec): Vec => {
  const l = Math.hypot(b.x - a.x, b.y - a.y);
  return { x: (b.x - a.x) / l, y: (b.y - a.y) / l };
};
/** Densely sampled points of the cubics (a reference independent of the flattening). */
const sample = (cs: readonly Cubic[], per = 400): Vec[] => cs.flatMap((c) => Array.from({ length: per + 1 }, (_, i) => cubicAt(c, i / per)));
const distToPolyline = (p: Vec, pl: readonly Vec[]) => Math.min(...pl.slice(1).map((b, i) => distToSegment(p, pl[i]!, b)));

const zigzag = [v(0, 0), v(100, 100), v(200, 0), v(300, 100)];

describe('catmullRom', () => {
  it('passes through every point, one cubic per segment, joined end to start', () => {
    const cs = catmullRom(zigzag, false);
    expect(cs).toHaveLength(3);
    cs.forEach((c, i) => {
      expect(c[0]).toEqual(zigzag[i]);
      expect(c[3]).toEqual(zigzag[i + 1]);
    });
  });

  it('has the controls rough.js curve draws with tightness 0 (ends duplicated)', () => {
    const [a, b] = catmullRom([v(0, 0), v(60, 30), v(120, 0)], false);
    // Start: P0 + (P1 - P0) / 6; the middle: P1 ± (P2 - P0) / 6; end: P2 - (P2 - P1) / 6.
    expect(a![1]).toEqual(v(10, 5));
    expect(a![2]).toEqual(v(40, 30));
    expect(b![1]).toEqual(v(80, 30));
    expect(b![2]).toEqual(v(110, 5));
  });

  it('starts and ends along the first and last segments', () => {
    const cs = catmullRom(zigzag, false);
    const first = cs[0]!;
    const last = cs.at(-1)!;
    const d0 = unit(first[0], cubicAt(first, 1e-6));
    const d1 = unit(cubicAt(last, 1 - 1e-6), last[3]);
    expect(d0.x).toBeCloseTo(unit(zigzag[0]!, zigzag[1]!).x, 4);
    expect(d0.y).toBeCloseTo(unit(zigzag[0]!, zigzag[1]!).y, 4);
    expect(d1.x).toBeCloseTo(unit(zigzag[2]!, zigzag[3]!).x, 4);
    expect(d1.y).toBeCloseTo(unit(zigzag[2]!, zigzag[3]!).y, 4);
  });

  it('closes smoothly: the tangent is continuous at the seam', () => {
    const ring = [v(0, 0), v(100, 0), v(100, 100), v(0, 100), v(0, 0)];
    const cs = catmullRom(ring, true);
    expect(cs).toHaveLength(4);
    expect(cs.at(-1)![3]).toEqual(v(0, 0));
    const inDir = unit(cs.at(-1)![2], cs.at(-1)![3]);
    const outDir = unit(cs[0]![0], cs[0]![1]);
    expect(inDir.x).toBeCloseTo(outDir.x);
    expect(inDir.y).toBeCloseTo(outDir.y);
    // Not the open curve's tangent along the first segment (the seam would be a corner).
    expect(outDir.y).not.toBeCloseTo(0);
  });
});

describe('flattenCubics', () => {
  it('stays within the tolerance of the curve, and the curve within it of the polyline', () => {
    const cs = catmullRom([v(0, 0), v(40, 200), v(80, -150), v(400, 10)], false);
    for (const tol of [2, 0.25]) {
      const pl = flattenCubics(cs, tol);
      for (const p of sample(cs)) expect(distToPolyline(p, pl)).toBeLessThanOrEqual(tol);
    }
    // Finer tolerance, more chords.
    expect(flattenCubics(cs, 0.1).length).toBeGreaterThan(flattenCubics(cs, 2).length);
  });
});

describe('cubicsBounds', () => {
  it('takes in the bulge past the points, exactly', () => {
    const cs = catmullRom([v(0, 0), v(100, 100), v(150, 20)], false);
    const b = cubicsBounds(cs)!;
    const pts = sample(cs, 2000);
    const maxY = Math.max(...pts.map((p) => p.y));
    expect(maxY).toBeGreaterThan(100); // the curve overshoots its middle point...
    expect(b.y + b.height).toBeCloseTo(maxY, 3); // ...and the bounds are its real extent
    for (const p of pts) {
      expect(p.x).toBeGreaterThanOrEqual(b.x - 1e-9);
      expect(p.y).toBeLessThanOrEqual(b.y + b.height + 1e-9);
    }
  });
});

describe('diamondCorners', () => {
  it('cuts each corner a quarter along the edges, at most 32, controls on the vertex', () => {
    const [top] = diamondCorners(rect(0, 0, 100, 60));
    expect(top![0].x).toBeCloseTo(50 - 12.5);
    expect(top![0].y).toBeCloseTo(7.5);
    expect(top![1]).toEqual(v(50, 0));
    expect(top![3].x).toBeCloseTo(62.5);
    const [bigTop] = diamondCorners(rect(0, 0, 1000, 1000));
    expect(Math.hypot(bigTop![3].x - 500, bigTop![3].y)).toBeCloseTo(32);
  });
});

const curvedLine = (init: Partial<Element> = {}) =>
  newElement('l', 'line', 0, 0, { points: [[0, 0], [100, 100], [200, 0]], rounded: true, ...init });

describe('curved lines and arrows', () => {
  const ops = (el: Element) => buildPaths(el).stroke!;
  const kinds = (o: PathOp[]) => o.map((op) => op[0]).join('');

  it('draw C segments through every point when rounded with 3+ points; L otherwise', () => {
    const s = ops(curvedLine());
    expect(kinds(s)).toBe('MCC');
    expect(s[1]!.slice(-2)).toEqual([100, 100]);
    expect(s[2]!.slice(-2)).toEqual([200, 0]);
    expect(kinds(ops(curvedLine({ rounded: false })))).toBe('MLL');
    expect(kinds(ops(curvedLine({ points: [[0, 0], [100, 100]] })))).toBe('ML');
  });

  it('aim the arrowhead along the end segment', () => {
    const a = newElement('a', 'arrow', 0, 0, { points: [[0, 0], [100, 100], [200, 0]], rounded: true });
    const straight = newElement('a', 'arrow', 0, 0, { points: [[0, 0], [100, 100], [200, 0]] });
    // The head (the last three ops) is the same as the straight arrow's.
    const head = ops(a).slice(-3).flat();
    ops(straight).slice(-3).flat().forEach((x, i) => (typeof x === 'number' ? expect(head[i]).toBeCloseTo(x, 9) : expect(head[i]).toBe(x)));
  });

  it('fill a closed rounded line along its curve', () => {
    const ring = curvedLine({ points: [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]], fill: '#ffc9c9' });
    const fill = buildPaths(ring).fill!;
    expect(kinds(fill)).toBe('MCCCCZ');
    // The curve bulges past the square, and the bounds say so.
    const b = elementBounds(ring);
    expect(b.x).toBeLessThan(0);
    expect(b.x + b.width).toBeGreaterThan(100);
  });

  it('are hit on the curve, not where the straight segment was', () => {
    const el = curvedLine();
    const cs = catmullRom([v(0, 0), v(100, 100), v(200, 0)], false);
    // A point on the curve between the points, far from the chord from (0,0) to (100,100).
    const on = cubicAt(cs[0]!, 0.5);
    expect(distToSegment(on, v(0, 0), v(100, 100))).toBeGreaterThan(8);
    expect(hitTest(el, on, 4)).toBe(true);
    expect(hitTest(curvedLine({ rounded: false }), on, 4)).toBe(false);
    // On the old straight segment, off the curve.
    const chordMid = v(50, 50);
    expect(hitTest(curvedLine({ rounded: false }), chordMid, 4)).toBe(true);
    expect(hitTest(el, chordMid, 4)).toBe(false);
  });

  it('have bounds that contain the whole curve, rotated too', () => {
    for (const angle of [0, 0.6]) {
      const el = curvedLine({ points: [[0, 0], [100, 120], [200, 40], [260, 80]], angle });
      const b = elementBounds(el);
      const pl = outline(el).points;
      for (const p of pl) {
        expect(p.x).toBeGreaterThanOrEqual(b.x - 1e-9);
        expect(p.x).toBeLessThanOrEqual(b.x + b.width + 1e-9);
        expect(p.y).toBeGreaterThanOrEqual(b.y - 1e-9);
        expect(p.y).toBeLessThanOrEqual(b.y + b.height + 1e-9);
      }
      if (angle === 0) expect(b.y + b.height).toBeGreaterThan(120);
    }
  });
});

describe('rounded diamonds', () => {
  const d = (init: Partial<Element> = {}) => newElement('d', 'diamond', 0, 0, { width: 200, height: 200, ...init });

  it('draw their corners as curves, fill and stroke alike', () => {
    const p = buildPaths(d({ rounded: true }));
    expect(p.stroke!.map((op) => op[0]).join('')).toBe('MCLCLCLCZ');
    expect(p.fill).toEqual(p.stroke);
    expect(buildPaths(d()).stroke!.map((op) => op[0]).join('')).toBe('MLLLZ');
  });

  it('are not hit at the cut-off vertex, but are on the rounded corner', () => {
    expect(hitTest(d(), v(100, 0), 2)).toBe(true);
    expect(hitTest(d({ rounded: true }), v(100, 0), 2)).toBe(false);
    const [top] = diamondCorners(rect(0, 0, 200, 200));
    expect(hitTest(d({ rounded: true }), cubicAt(top!, 0.5), 2)).toBe(true);
  });
});
