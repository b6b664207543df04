import { describe, expect, it } from 'vitest';
import { type ElbowEnd, headingTowards, routeElbow, sideOf, simplify } from './elbow';
import type { Rect, Vec } from './geometry';

const r = (x: number, y: number, width: number, height: number): Rect => ({ x, y, width, height });

/** The route's segments are all horizontal or vertical, and none runs through the inside of a box. */
function checkRoute(pts: Vec[], boxes: Rect[]) {
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    expect(a.x === b.x || a.y === b.y, `segment ${i} is orthogonal: ${JSON.stringify([a, b])}`).toBe(true);
    for (const o of boxes) {
      // Sample the segment: no sample strictly inside a box.
      for (let t = 0.05; t < 1; t += 0.05) {
        const p = { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
        const inside = p.x > o.x + 0.5 && p.x < o.x + o.width - 0.5 && p.y > o.y + 0.5 && p.y < o.y + o.height - 0.5;
        expect(inside, `segment ${i} runs through ${JSON.stringify(o)} at ${JSON.stringify(p)}`).toBe(false);
      }
    }
  }
}

const dir = (a: Vec, b: Vec) => headingTowards(a, b);

describe('elbow routing', () => {
  it('joins two shapes facing each other on one level with a straight segment', () => {
    const A = r(0, 0, 100, 100);
    const B = r(300, 0, 100, 100);
    const pts = routeElbow({ point: { x: 104, y: 50 }, heading: 'right', box: A }, { point: { x: 296, y: 50 }, heading: 'left', box: B });
    expect(pts).toEqual([
      { x: 104, y: 50 },
      { x: 296, y: 50 },
    ]);
  });

  it('steps between shapes at different heights through the middle of the gap between them', () => {
    const A = r(0, 0, 100, 100);
    const B = r(300, 200, 100, 100);
    const pts = routeElbow({ point: { x: 104, y: 50 }, heading: 'right', box: A }, { point: { x: 296, y: 250 }, heading: 'left', box: B });
    expect(pts).toEqual([
      { x: 104, y: 50 },
      { x: 200, y: 50 },
      { x: 200, y: 250 },
      { x: 296, y: 250 },
    ]);
  });

  it('goes round a shape to enter the other from the side it is bound to', () => {
    const A = r(0, 0, 100, 100);
    const B = r(0, 300, 100, 100);
    // From A's right side to B's top side: out right, down the gap, left over B, down into it.
    const start: ElbowEnd = { point: { x: 104, y: 50 }, heading: 'right', box: A };
    const end: ElbowEnd = { point: { x: 50, y: 296 }, heading: 'up', box: B };
    const pts = routeElbow(start, end);
    checkRoute(pts, [A, B]);
    expect(dir(pts[0]!, pts[1]!)).toBe('right');
    expect(dir(pts.at(-2)!, pts.at(-1)!)).toBe('down');
    expect(pts.length).toBeLessThanOrEqual(5);
    // From A's left side to B's right side: round the outside, never through either shape.
    const round = routeElbow({ point: { x: -4, y: 50 }, heading: 'left', box: A }, { point: { x: 104, y: 350 }, heading: 'right', box: B });
    checkRoute(round, [A, B]);
    expect(dir(round[0]!, round[1]!)).toBe('left');
    expect(dir(round.at(-2)!, round.at(-1)!)).toBe('left');
  });

  it('routes any two shapes and sides orthogonally, out and in square to the sides, through neither shape', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const sides = ['up', 'down', 'left', 'right'] as const;
    const on = (b: Rect, h: (typeof sides)[number]): Vec =>
      h === 'up' ? { x: b.x + b.width / 2, y: b.y - 4 } : h === 'down' ? { x: b.x + b.width / 2, y: b.y + b.height + 4 } : h === 'left' ? { x: b.x - 4, y: b.y + b.height / 2 } : { x: b.x + b.width + 4, y: b.y + b.height / 2 };
    const opposite = { up: 'down', down: 'up', left: 'right', right: 'left' } as const;
    for (let n = 0; n < 300; n++) {
      const A = r(Math.round(rnd() * 600), Math.round(rnd() * 600), 40 + Math.round(rnd() * 120), 40 + Math.round(rnd() * 120));
      const B = r(Math.round(rnd() * 600), Math.round(rnd() * 600), 40 + Math.round(rnd() * 120), 40 + Math.round(rnd() * 120));
      // Apart by more than the margins on one axis, so that a clear route exists.
      const apart = A.x + A.width + 60 < B.x || B.x + B.width + 60 < A.x || A.y + A.height + 60 < B.y || B.y + B.height + 60 < A.y;
      if (!apart) continue;
      const hs = sides[Math.floor(rnd() * 4)]!;
      const he = sides[Math.floor(rnd() * 4)]!;
      const pts = routeElbow({ point: on(A, hs), heading: hs, box: A }, { point: on(B, he), heading: he, box: B });
      checkRoute(pts, [A, B]);
      if (pts.length > 2) {
        expect(dir(pts[0]!, pts[1]!)).toBe(hs);
        expect(dir(pts.at(-2)!, pts.at(-1)!)).toBe(opposite[he]);
      }
    }
  });

  it('picks the side a point is nearest to, and simplifies straight runs', () => {
    const A = r(0, 0, 200, 100);
    expect(sideOf(A, { x: 210, y: 60 })).toBe('right');
    expect(sideOf(A, { x: 100, y: -5 })).toBe('up');
    expect(sideOf(A, { x: 20, y: 50 })).toBe('left');
    expect(simplify([{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 5, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }])).toEqual([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }]);
  });
});
