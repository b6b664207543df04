import { describe, expect, it } from 'vitest';
import { alignOffsets, distributeOffsets, stepOrder } from './arrange';
import { rect } from './geometry';
import { nKeysBetween } from '../model/zorder';

const boxes = [rect(0, 0, 10, 10), rect(50, 20, 30, 20), rect(20, 100, 20, 40)];
const apply = (bs: typeof boxes, ds: { x: number; y: number }[]) => bs.map((b, i) => rect(b.x + ds[i]!.x, b.y + ds[i]!.y, b.width, b.height));

describe('align', () => {
  it('lines up left, right and centre edges of the common bounds', () => {
    expect(apply(boxes, alignOffsets(boxes, 'left')).map((b) => b.x)).toEqual([0, 0, 0]);
    expect(apply(boxes, alignOffsets(boxes, 'right')).map((b) => b.x + b.width)).toEqual([80, 80, 80]);
    expect(apply(boxes, alignOffsets(boxes, 'centerX')).map((b) => b.x + b.width / 2)).toEqual([40, 40, 40]);
    expect(alignOffsets(boxes, 'left').every((d) => d.y === 0)).toBe(true);
  });
  it('lines up top, bottom and middle', () => {
    expect(apply(boxes, alignOffsets(boxes, 'top')).map((b) => b.y)).toEqual([0, 0, 0]);
    expect(apply(boxes, alignOffsets(boxes, 'bottom')).map((b) => b.y + b.height)).toEqual([140, 140, 140]);
    expect(apply(boxes, alignOffsets(boxes, 'centerY')).map((b) => b.y + b.height / 2)).toEqual([70, 70, 70]);
  });
  it('leaves a single box alone', () => {
    expect(alignOffsets([rect(5, 5, 1, 1)], 'right')).toEqual([{ x: 0, y: 0 }]);
  });
});

describe('distribute', () => {
  it('makes the gaps equal and keeps the outermost boxes in place', () => {
    const bs = [rect(0, 0, 10, 10), rect(15, 0, 20, 10), rect(90, 0, 10, 10)];
    const out = apply(bs, distributeOffsets(bs, 'x'));
    expect(out.map((b) => b.x)).toEqual([0, 40, 90]);
    expect(distributeOffsets(bs, 'x').every((d) => d.y === 0)).toBe(true);
  });
  it('orders by centre whatever the input order', () => {
    const bs = [rect(0, 100, 10, 10), rect(0, 0, 10, 10), rect(0, 30, 10, 10)];
    expect(apply(bs, distributeOffsets(bs, 'y')).map((b) => b.y)).toEqual([100, 0, 50]);
  });
  it('spaces centres evenly when the boxes overlap', () => {
    const bs = [rect(0, 0, 100, 10), rect(10, 0, 100, 10), rect(50, 0, 100, 10)];
    const out = apply(bs, distributeOffsets(bs, 'x'));
    expect(out.map((b) => b.x + 50)).toEqual([50, 75, 100]);
  });
  it('needs three boxes', () => {
    expect(distributeOffsets(boxes.slice(0, 2), 'x')).toEqual([{ x: 0, y: 0 }, { x: 0, y: 0 }]);
  });
});

describe('stepOrder', () => {
  const zs = nKeysBetween(null, null, 5);
  const els = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, z: zs[i]! }));
  const after = (moves: { id: string; z: string }[]) => {
    const m = new Map(moves.map((x) => [x.id, x.z]));
    return els.map((e) => ({ id: e.id, z: m.get(e.id) ?? e.z })).sort((x, y) => (x.z < y.z ? -1 : 1)).map((e) => e.id).join('');
  };
  it('moves a selection one step forward, past the next element', () => {
    expect(after(stepOrder(els, new Set(['b']), 1))).toBe('acbde');
    expect(after(stepOrder(els, new Set(['b', 'c']), 1))).toBe('adbce');
    expect(after(stepOrder(els, new Set(['a', 'c']), 1))).toBe('badce');
  });
  it('moves a selection one step back', () => {
    expect(after(stepOrder(els, new Set(['d']), -1))).toBe('abdce');
    expect(after(stepOrder(els, new Set(['c', 'd']), -1))).toBe('acdbe');
  });
  it('leaves the top (bottom) element where it is', () => {
    expect(stepOrder(els, new Set(['e']), 1)).toEqual([]);
    expect(stepOrder(els, new Set(['a']), -1)).toEqual([]);
    expect(after(stepOrder(els, new Set(['d', 'e']), 1))).toBe('abcde');
  });
});
