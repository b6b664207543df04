import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import { type Rect, rectsIntersect, renderBounds } from './geometry';
import { SpatialIndex, visibleInOrder } from './spatial';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomElements(n: number, rand: () => number): Element[] {
  const kinds: Element['kind'][] = ['rectangle', 'ellipse', 'diamond', 'arrow', 'freedraw', 'text', 'frame'];
  const out: Element[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[Math.floor(rand() * kinds.length)]!;
    // Mostly small elements, a few huge ones.
    const size = rand() < 0.02 ? 20_000 * rand() : 300 * rand();
    const init: Partial<Element> = {
      width: size,
      height: size * rand(),
      angle: rand() < 0.3 ? rand() * 6 : 0,
    };
    if (kind === 'arrow' || kind === 'freedraw') init.points = [[0, 0], [size * (rand() - 0.5), size * (rand() - 0.5)]];
    out.push(newElement(`e${i}`, kind, (rand() - 0.5) * 20_000, (rand() - 0.5) * 20_000, init));
  }
  return out;
}

const brute = (els: Element[], r: Rect) =>
  new Set(els.filter((e) => rectsIntersect(renderBounds(e), r)).map((e) => e.id));

describe('SpatialIndex', () => {
  it('culling returns exactly the elements intersecting the viewport (5,000 random, vs brute force)', () => {
    const rand = rng(42);
    const els = randomElements(5000, rand);
    const idx = new SpatialIndex();
    for (const e of els) idx.upsert(e);
    expect(idx.size).toBe(5000);
    let nonEmpty = 0;
    for (let i = 0; i < 60; i++) {
      const w = rand() < 0.2 ? 30_000 * rand() : 2000 * rand();
      const r = { x: (rand() - 0.5) * 22_000, y: (rand() - 0.5) * 22_000, width: w, height: w * (0.3 + rand()) };
      const want = brute(els, r);
      if (want.size > 0) nonEmpty++;
      expect(idx.query(r)).toEqual(want);
    }
    expect(nonEmpty).toBeGreaterThan(30);
  });

  it('updates incrementally: moved elements are found at the new place only, removed ones nowhere', () => {
    const rand = rng(7);
    const els = randomElements(1000, rand);
    const idx = new SpatialIndex(256);
    for (const e of els) idx.upsert(e);
    const moved = els.slice(0, 300).map((e) => ({ ...e, x: e.x + 5000 * (rand() - 0.5), y: e.y + 3000 }));
    for (const e of moved) idx.upsert(e);
    for (const e of els.slice(300, 400)) idx.remove(e.id);
    const now = [...moved, ...els.slice(400)];
    for (let i = 0; i < 40; i++) {
      const r = { x: (rand() - 0.5) * 20_000, y: (rand() - 0.5) * 20_000, width: 3000 * rand(), height: 3000 * rand() };
      expect(idx.query(r)).toEqual(brute(now, r));
    }
    expect(idx.size).toBe(900);
  });

  it('forEachIn visits each intersecting element exactly once, with its bounds', () => {
    const rand = rng(11);
    const els = randomElements(3000, rand);
    const idx = new SpatialIndex(128);
    for (const e of els) idx.upsert(e);
    for (let i = 0; i < 40; i++) {
      const w = rand() < 0.2 ? 30_000 * rand() : 2000 * rand();
      const r = { x: (rand() - 0.5) * 22_000, y: (rand() - 0.5) * 22_000, width: w, height: w * (0.3 + rand()) };
      const seen: string[] = [];
      idx.forEachIn(r, (id, b) => {
        seen.push(id);
        expect(b).toEqual(idx.boundsFor(id));
      });
      expect(seen.length).toBe(new Set(seen).size);
      expect(new Set(seen)).toEqual(brute(els, r));
    }
  });

  it('visibleInOrder returns the visible elements sorted by z, then id', () => {
    const els = [
      newElement('b', 'rectangle', 0, 0, { width: 10, height: 10, z: 'a1' }),
      newElement('a', 'rectangle', 600, 0, { width: 10, height: 10, z: 'a1' }),
      newElement('c', 'rectangle', 5, 5, { width: 10, height: 10, z: 'a0' }),
      newElement('far', 'rectangle', 5000, 5, { width: 10, height: 10, z: 'Zz' }),
    ];
    const idx = new SpatialIndex(512);
    for (const e of els) idx.upsert(e);
    const byId = new Map(els.map((e) => [e.id, e]));
    const got = visibleInOrder(idx, (id) => byId.get(id), { x: 0, y: 0, width: 1000, height: 100 });
    expect(got.map((e) => e.id)).toEqual(['c', 'a', 'b']);
  });

  it('elements far outside the grid are found, and far queries alias no cell', () => {
    const idx = new SpatialIndex(512);
    const near = newElement('near', 'rectangle', 100, 100, { width: 10, height: 10 });
    const far = newElement('far', 'rectangle', 9e9, -9e9, { width: 10, height: 10 });
    idx.upsert(near);
    idx.upsert(far);
    expect(idx.query({ x: 9e9 - 5, y: -9e9 - 5, width: 20, height: 20 })).toEqual(new Set(['far']));
    expect(idx.query({ x: 50, y: 50, width: 100, height: 100 })).toEqual(new Set(['near']));
    // A query whose cells would pack onto the near element's key if not clamped.
    const seen: string[] = [];
    idx.forEachIn({ x: 512 * 40000, y: 100, width: 10, height: 10 }, (id) => seen.push(id));
    expect(seen).toEqual([]);
  });
});
