import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import {
  bindingPoint,
  elementBounds,
  focusFor,
  hitTest,
  marqueeHit,
  rect,
  reboundArrow,
} from './geometry';

const el = (kind: Element['kind'], init: Partial<Element> = {}) =>
  newElement('e', kind, init.x ?? 0, init.y ?? 0, { width: 100, height: 50, ...init });

describe('bounds', () => {
  it('unrotated rectangle bounds are its box; negative sizes normalise', () => {
    expect(elementBounds(el('rectangle', { x: 10, y: 20 }))).toEqual(rect(10, 20, 100, 50));
    expect(elementBounds(el('rectangle', { x: 10, y: 20, width: -10, height: -20 }))).toEqual(rect(0, 0, 10, 20));
  });
  it('a rectangle rotated 90° swaps width and height about its centre', () => {
    const b = elementBounds(el('rectangle', { angle: Math.PI / 2 }));
    expect(b.x).toBeCloseTo(25);
    expect(b.y).toBeCloseTo(-25);
    expect(b.width).toBeCloseTo(50);
    expect(b.height).toBeCloseTo(100);
  });
  it('a rotated ellipse has its exact (tight) bounds', () => {
    const b = elementBounds(el('ellipse', { width: 100, height: 100, angle: 0.7 }));
    expect(b.width).toBeCloseTo(100);
    const e = elementBounds(el('ellipse', { width: 200, height: 100, angle: Math.PI / 4 }));
    expect(e.width).toBeCloseTo(Math.sqrt(100 * 100 * 0.5 + 50 * 50 * 0.5) * 2);
  });
  it('point kinds use the box of their points', () => {
    const l = el('line', { x: 10, y: 10, points: [[0, 0], [-5, 30], [40, 5]] });
    expect(elementBounds(l)).toEqual(rect(5, 10, 45, 30));
  });
});

describe('hitTest', () => {
  const tol = 5;
  it('transparent rectangles hit on the outline only, filled ones inside too', () => {
    const r = el('rectangle');
    expect(hitTest(r, { x: 50, y: 0 }, tol)).toBe(true);
    expect(hitTest(r, { x: 103, y: 25 }, tol)).toBe(true);
    expect(hitTest(r, { x: 50, y: 25 }, tol)).toBe(false);
    expect(hitTest(r, { x: 120, y: 25 }, tol)).toBe(false);
    expect(hitTest({ ...r, fill: '#f00' }, { x: 50, y: 25 }, tol)).toBe(true);
  });
  it('rotated rectangle: hits follow the rotation', () => {
    const r = el('rectangle', { fill: '#f00', angle: Math.PI / 2 }); // occupies x 25..75, y -25..75
    expect(hitTest(r, { x: 50, y: 70 }, 1)).toBe(true);
    expect(hitTest(r, { x: 90, y: 25 }, 1)).toBe(false); // inside the unrotated box only
    expect(hitTest(r, { x: 10, y: 25 }, 1)).toBe(false);
  });
  it('ellipse: inside when filled, near the outline otherwise, not the box corners', () => {
    const e = el('ellipse', { width: 100, height: 100 });
    expect(hitTest(e, { x: 100, y: 50 }, tol)).toBe(true);
    expect(hitTest(e, { x: 50, y: 50 }, tol)).toBe(false);
    expect(hitTest({ ...e, fill: 'blue' }, { x: 50, y: 50 }, tol)).toBe(true);
    expect(hitTest({ ...e, fill: 'blue' }, { x: 3, y: 3 }, tol)).toBe(false);
  });
  it('rotated ellipse', () => {
    const e = el('ellipse', { width: 200, height: 20, x: -100, y: -10, fill: 'blue', angle: Math.PI / 2 });
    expect(hitTest(e, { x: 0, y: 90 }, 1)).toBe(true);
    expect(hitTest(e, { x: 90, y: 0 }, 1)).toBe(false);
  });
  it('diamond: corners of its box miss, centre hits when filled, edges hit', () => {
    const d = el('diamond', { width: 100, height: 100, fill: 'red' });
    expect(hitTest(d, { x: 50, y: 50 }, tol)).toBe(true);
    expect(hitTest(d, { x: 8, y: 8 }, tol)).toBe(false);
    expect(hitTest({ ...d, fill: 'transparent' }, { x: 25, y: 25 }, tol)).toBe(true);
    expect(hitTest({ ...d, fill: 'transparent' }, { x: 50, y: 50 }, tol)).toBe(false);
    const rd = { ...d, angle: Math.PI / 4 }; // becomes an axis-aligned square of side 70.7
    expect(hitTest(rd, { x: 50 - 33, y: 50 - 33 }, 1)).toBe(true);
  });
  it('line and arrow: distance to the polyline, tolerance scales with zoom', () => {
    const l = el('arrow', { points: [[0, 0], [100, 0], [100, 100]], strokeWidth: 2 });
    expect(hitTest(l, { x: 50, y: 4 }, 5)).toBe(true);
    expect(hitTest(l, { x: 103, y: 60 }, 5)).toBe(true);
    expect(hitTest(l, { x: 50, y: 50 }, 5)).toBe(false);
    // 10 screen px at zoom 0.1 is 100 world units: hit; at zoom 4 it is 2.5: miss.
    expect(hitTest(l, { x: 50, y: 20 }, 10 / 0.1)).toBe(true);
    expect(hitTest(l, { x: 50, y: 20 }, 10 / 4)).toBe(false);
  });
  it('freedraw: near the stroke', () => {
    const f = el('freedraw', { points: [[0, 0], [10, 10], [20, 0]], strokeWidth: 4 });
    expect(hitTest(f, { x: 10, y: 12 }, 2)).toBe(true);
    expect(hitTest(f, { x: 10, y: 30 }, 2)).toBe(false);
  });
  it('text and sticky: anywhere in the box, rotated too', () => {
    const t = el('text', { text: 'hi' });
    expect(hitTest(t, { x: 50, y: 25 }, 0)).toBe(true);
    expect(hitTest(t, { x: 150, y: 25 }, 0)).toBe(false);
    const s = el('sticky', { angle: Math.PI / 2 });
    expect(hitTest(s, { x: 50, y: -20 }, 0)).toBe(true);
    expect(hitTest(s, { x: 5, y: 25 }, 0)).toBe(false);
  });
  it('frame: outline and its name label', () => {
    const f = el('frame', { width: 200, height: 200 });
    expect(hitTest(f, { x: 100, y: 100 }, 2)).toBe(false);
    expect(hitTest(f, { x: 0, y: 100 }, 2)).toBe(true);
    expect(hitTest(f, { x: 20, y: -10 }, 2)).toBe(true);
  });
});

describe('marquee', () => {
  const r = el('rectangle', { x: 10, y: 10, width: 20, height: 20 });
  it('contain needs the whole element inside', () => {
    expect(marqueeHit(r, rect(0, 0, 40, 40), 'contain')).toBe(true);
    expect(marqueeHit(r, rect(0, 0, 20, 40), 'contain')).toBe(false);
  });
  it('intersect needs the outline to touch the marquee', () => {
    expect(marqueeHit(r, rect(0, 0, 20, 40), 'intersect')).toBe(true);
    // A marquee inside an unfilled rectangle touches nothing.
    expect(marqueeHit(r, rect(15, 15, 5, 5), 'intersect')).toBe(false);
    expect(marqueeHit({ ...r, fill: 'red' }, rect(15, 15, 5, 5), 'intersect')).toBe(true);
    // Marquee in the bounding box of a rotated shape but off the shape.
    const d = el('diamond', { x: 0, y: 0, width: 100, height: 100 });
    expect(marqueeHit(d, rect(0, 0, 10, 10), 'intersect')).toBe(false);
    expect(marqueeHit(d, rect(0, 40, 10, 20), 'intersect')).toBe(true);
  });
});

describe('arrow binding', () => {
  const box = newElement('box', 'rectangle', 100, 0, { width: 100, height: 100 });
  it('the end meets the outline, gap away, along the focus line', () => {
    const p = bindingPoint(box, { element: 'box', focus: 0, gap: 5 }, { x: 0, y: 50 });
    expect(p.x).toBeCloseTo(95);
    expect(p.y).toBeCloseTo(50);
    const e = newElement('c', 'ellipse', 100, 0, { width: 100, height: 100 });
    const q = bindingPoint(e, { element: 'c', focus: 0, gap: 0 }, { x: 150, y: -100 });
    expect(q.x).toBeCloseTo(150);
    expect(q.y).toBeCloseTo(0);
  });
  it('focus shifts the end along the outline and round-trips through focusFor', () => {
    const from = { x: 0, y: 50 };
    const target = { x: 100, y: 80 };
    const f = focusFor(box, from, target);
    expect(f).toBeGreaterThan(0);
    const p = bindingPoint(box, { element: 'box', focus: f, gap: 0 }, from);
    expect(p.x).toBeCloseTo(100);
    expect(p.y).toBeCloseTo(80);
  });
  it('fixed side: on that side, gap outside', () => {
    const p = bindingPoint(box, { element: 'box', focus: 0, gap: 4, side: 'top' }, { x: 0, y: 0 });
    expect(p).toEqual({ x: 150, y: -4 });
  });
  it('when the bound shape moves, the arrow end follows', () => {
    const arrow = newElement('a', 'arrow', 0, 50, {
      points: [[0, 0], [95, 0]],
      end: { element: 'box', focus: 0, gap: 5 },
    });
    const moved = { ...box, x: 300, y: 200 };
    const g = reboundArrow(arrow, (id) => (id === 'box' ? moved : undefined))!;
    const end = { x: g.x + g.points[1]![0], y: g.y + g.points[1]![1] };
    // The end now sits on the moved box's outline facing the start (0, 50), 5 units off it.
    expect(g.x).toBe(0);
    expect(g.y).toBe(50);
    const c = { x: 350, y: 250 };
    const dir = { x: c.x - 0, y: c.y - 50 };
    const cross = (end.x - 0) * dir.y - (end.y - 50) * dir.x;
    expect(Math.abs(cross) / Math.hypot(dir.x, dir.y)).toBeLessThan(1e-6); // on the centre line
    expect(end.x).toBeLessThan(300);
    // The centre line crosses the box's left edge at x = 300; the end is 5 units before that.
    const hit = { x: 300, y: 50 + (300 * 200) / 350 };
    expect(Math.hypot(hit.x - end.x, hit.y - end.y)).toBeCloseTo(5);
    expect(end.x).toBeLessThan(300);
  });
  it('a rotated target: the end still lands on the outline', () => {
    const d = { ...box, kind: 'diamond' as const, angle: 0.4 };
    const p = bindingPoint(d, { element: 'box', focus: 0.2, gap: 0 }, { x: -50, y: 30 });
    expect(hitTest(d, p, 0.01)).toBe(true);
  });
});
