import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { insertPoint, midpoints, movePoint, pointHandleAt, pointHandlesOnly, removePoint, snapAngle, worldPoints } from './points';

const line = (points: [number, number][], init = {}) => newElement('L', 'line', 10, 20, { points, width: 100, height: 100, ...init });

describe('line points', () => {
  it('finds the point under the pointer before a midpoint, within a screen-sized radius', () => {
    const el = line([[0, 0], [100, 0], [100, 100]]);
    expect(pointHandleAt(el, { x: 112, y: 22 }, 1)).toEqual({ kind: 'point', index: 1 });
    expect(pointHandleAt(el, { x: 60, y: 20 }, 1)).toEqual({ kind: 'mid', index: 0 });
    expect(pointHandleAt(el, { x: 110, y: 70 }, 1)).toEqual({ kind: 'mid', index: 1 });
    expect(pointHandleAt(el, { x: 40, y: 20 }, 1)).toBeNull();
    // At 1/4 zoom the same screen radius is four times as wide in the world.
    expect(pointHandleAt(el, { x: 45, y: 20 }, 1)).toBeNull();
    expect(pointHandleAt(el, { x: 45, y: 20 }, 0.25)).toEqual({ kind: 'mid', index: 0 });
  });

  it('gives a segment too short on screen no midpoint', () => {
    const el = line([[0, 0], [10, 0], [200, 0]]);
    expect(midpoints(el, 1)[0]).toBeNull();
    expect(midpoints(el, 4)[0]).toEqual({ x: 15, y: 20 });
  });

  it("puts a curved line's midpoints on the curve, not on the chord", () => {
    const el = line([[0, 0], [100, 100], [200, 0]], { rounded: true });
    const m = midpoints(el, 1)[0]!;
    // The chord's midpoint is (60, 70); the curve through the middle point bulges away from it.
    expect(Math.hypot(m.x - 60, m.y - 70)).toBeGreaterThan(3);
  });

  it('moves, inserts and removes points, keeping the element origin at the first point', () => {
    const el = line([[0, 0], [100, 0], [100, 100]]);
    const moved = movePoint(el, 0, { x: 0, y: 0 });
    expect(moved).toMatchObject({ x: 0, y: 0, width: 110, height: 120, angle: 0 });
    expect(moved.points).toEqual([[0, 0], [110, 20], [110, 120]]);
    const ins = insertPoint(el, 0, { x: 50, y: 50 });
    expect(ins.points).toEqual([[0, 0], [40, 30], [100, 0], [100, 100]]);
    expect(removePoint(el, 1)!.points).toEqual([[0, 0], [100, 100]]);
    expect(removePoint(line([[0, 0], [1, 1]]), 0)).toBeNull();
  });

  it('reads a rotated line in world coordinates', () => {
    const el = newElement('L', 'line', 0, 0, { points: [[0, 0], [100, 0]], width: 100, angle: Math.PI });
    const [a, b] = worldPoints(el);
    expect(a!.x).toBeCloseTo(100);
    expect(b!.x).toBeCloseTo(0);
  });

  it('locks to 15° steps by projecting onto the ray', () => {
    const p = snapAngle({ x: 0, y: 0 }, { x: 100, y: 10 });
    expect(p.x).toBeCloseTo(100);
    expect(p.y).toBeCloseTo(0);
    const q = snapAngle({ x: 0, y: 0 }, { x: 50, y: 48 });
    expect(q.x).toBeCloseTo(q.y);
  });

  it('edits a single two-point line by its points alone', () => {
    expect(pointHandlesOnly([line([[0, 0], [5, 5]])])).toBe(true);
    expect(pointHandlesOnly([line([[0, 0], [5, 5], [9, 0]])])).toBe(false);
    expect(pointHandlesOnly([line([[0, 0], [5, 5]], { locked: true })])).toBe(false);
    expect(pointHandlesOnly([newElement('p', 'freedraw', 0, 0, { points: [[0, 0], [5, 5]] })])).toBe(false);
  });
});
