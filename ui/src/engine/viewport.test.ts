import { describe, expect, it } from 'vitest';
import { Viewport } from './viewport';

describe('Viewport', () => {
  it('screen and world transforms are inverse', () => {
    const v = new Viewport(800, 600);
    v.set(100, -50, 2.5);
    const w = v.toWorld({ x: 123, y: 456 });
    const s = v.toScreen(w);
    expect(s.x).toBeCloseTo(123);
    expect(s.y).toBeCloseTo(456);
    expect(v.toScreen({ x: 100, y: -50 })).toEqual({ x: 0, y: 0 });
  });
  it('zoom about a point keeps that point fixed', () => {
    const v = new Viewport(800, 600);
    v.set(37, 12, 1.3);
    const s = { x: 610, y: 77 };
    const before = v.toWorld(s);
    for (const z of [0.5, 4, 29, 0.11]) {
      v.zoomAt(s, z);
      const after = v.toWorld(s);
      expect(after.x).toBeCloseTo(before.x, 9);
      expect(after.y).toBeCloseTo(before.y, 9);
    }
  });
  it('zoom is clamped to 0.1..30 and the point stays fixed at the clamp', () => {
    const v = new Viewport(800, 600);
    const s = { x: 200, y: 100 };
    const before = v.toWorld(s);
    v.zoomAt(s, 1000);
    expect(v.zoom).toBe(30);
    expect(v.toWorld(s).x).toBeCloseTo(before.x);
    v.zoomBy(1e-6);
    expect(v.zoom).toBe(0.1);
  });
  it('fitRect centres the rect and fits it within the padding', () => {
    const v = new Viewport(800, 600);
    v.fitRect({ x: 1000, y: 1000, width: 3600, height: 100 }, 40, 10);
    expect(v.zoom).toBeCloseTo(720 / 3600);
    const c = v.toScreen({ x: 2800, y: 1050 });
    expect(c.x).toBeCloseTo(400);
    expect(c.y).toBeCloseTo(300);
    v.fitRect({ x: 0, y: 0, width: 10, height: 10 }, 40, 1);
    expect(v.zoom).toBe(1);
  });
});
