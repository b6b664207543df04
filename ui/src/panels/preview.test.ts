import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { fitView, ThumbnailCache } from './preview';

describe('thumbnail cache', () => {
  it('hits only for the stamp it was made for', () => {
    const c = new ThumbnailCache();
    c.set('a', 't1', 'data:1');
    expect(c.get('a', 't1')).toBe('data:1');
    // The board changed: its updated_at moved, so the old picture is a miss.
    expect(c.get('a', 't2')).toBeUndefined();
    expect(c.get('b', 't1')).toBeUndefined();
    // ...but it is still shown while the new one is drawn.
    expect(c.stale('a')).toBe('data:1');
    c.set('a', 't2', 'data:2');
    expect(c.get('a', 't1')).toBeUndefined();
    expect(c.get('a', 't2')).toBe('data:2');
  });

  it('claims a picture once per (board, stamp), again after a change or a failure', () => {
    const c = new ThumbnailCache();
    expect(c.claim('a', 't1')).toBe(true);
    expect(c.claim('a', 't1')).toBe(false); // already being made
    c.set('a', 't1', 'data:1');
    expect(c.claim('a', 't1')).toBe(false); // cached
    expect(c.claim('a', 't2')).toBe(true); // the board changed
    c.release('a', 't2');
    expect(c.claim('a', 't2')).toBe(true); // a failed read may be retried
  });

  it('invalidate forgets a board, retain drops boards no longer listed', () => {
    const c = new ThumbnailCache();
    c.set('a', 't', 'A');
    c.set('b', 't', 'B');
    c.set('c', 't', 'C');
    c.invalidate('a');
    expect(c.get('a', 't')).toBeUndefined();
    expect(c.claim('a', 't')).toBe(true);
    c.retain(['b']);
    expect(c.size).toBe(1);
    expect(c.get('b', 't')).toBe('B');
    expect(c.get('c', 't')).toBeUndefined();
  });
});

describe('fitView', () => {
  it('centres and scales the content into the picture', () => {
    const els = [newElement('a', 'rectangle', 0, 0, { width: 1000, height: 500 }), newElement('b', 'ellipse', 1000, 500, { width: 1000, height: 500 })];
    const vp = fitView(els, 200, 100, 0);
    expect(vp.zoom).toBeCloseTo(0.1, 2);
    const tl = vp.toScreen({ x: 0, y: 0 });
    const br = vp.toScreen({ x: 2000, y: 1000 });
    expect(tl.x).toBeGreaterThanOrEqual(-1);
    expect(br.x).toBeLessThanOrEqual(201);
    expect((tl.y + br.y) / 2).toBeCloseTo(50, 0);
    expect((tl.x + br.x) / 2).toBeCloseTo(100, 0);
  });

  it('never magnifies a small board', () => {
    expect(fitView([newElement('a', 'rectangle', 10, 10, { width: 5, height: 5 })], 64, 44).zoom).toBe(1);
    expect(fitView([], 64, 44).zoom).toBe(1);
  });
});
