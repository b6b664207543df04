import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { renderBounds } from './geometry';
import { ManualScheduler } from './scheduler';
import { SpatialIndex } from './spatial';
import { Store } from './store';
import { DIRTY_MAX_RECTS, DirtyLog, indexBatch, TILE_MARGIN, TILE_PX, tileKey, tileRange, tileReach, tileRect, tileScale, tileTouched } from './tiles';

const box = (id: string, x: number, y: number, w = 100) => newElement(id, 'rectangle', x, y, { width: w, height: w });

describe('tile maths', () => {
  it('tileScale is the power of two at or above the device zoom, and none from 100% up', () => {
    expect(tileScale(1)).toBeNull();
    expect(tileScale(2)).toBeNull();
    // A zoom animation ending at 100% may land a rounding error short of it: still live.
    expect(tileScale(0.9999999)).toBeNull();
    expect(tileScale(0.99)).toBe(1);
    expect(tileScale(0.6)).toBe(1);
    expect(tileScale(0.5)).toBe(0.5);
    expect(tileScale(0.3)).toBe(0.5);
    expect(tileScale(0.12)).toBe(0.125);
    expect(tileScale(0)).toBeNull();
    expect(tileScale(-1)).toBeNull();
    expect(tileScale(Number.NaN)).toBeNull();
  });

  it('tiles are world-aligned squares of TILE_PX device pixels, nested across scales', () => {
    expect(TILE_PX).toBe(256);
    expect(tileRect(1, 2, -1)).toEqual({ x: 512, y: -256, width: 256, height: 256 });
    expect(tileRect(0.25, 1, 0)).toEqual({ x: 1024, y: 0, width: 1024, height: 1024 });
    // A view from -10 to 590 at scale 0.5 (512-unit tiles) spans tiles -1, 0 and 1.
    expect(tileRange({ x: -10, y: 0, width: 600, height: 512 }, 0.5)).toEqual([-1, 0, 1, 0]);
    // Touching a tile's edge is not overlapping it.
    expect(tileRange({ x: 0, y: 0, width: 512, height: 512 }, 0.5)).toEqual([0, 0, 0, 0]);
    // A coarse tile covers exactly 2 x 2 tiles of the next scale, 4 x 4 two scales up.
    expect(tileRange(tileRect(0.25, 1, -1), 0.5)).toEqual([2, -2, 3, -1]);
    expect(tileRange(tileRect(0.25, 1, -1), 1)).toEqual([4, -4, 7, -1]);
    expect(tileKey(0.25, 1, -1)).toBe('-2:1:-1');
    expect(tileKey(1, 1, -1)).not.toBe(tileKey(0.5, 1, -1));
  });

  it('a change touches the tiles its rect reaches, margin included', () => {
    // Tile (0, 0) at scale 1 is 0..256; with its 32-unit margin it reaches -32..288.
    expect(TILE_MARGIN).toBe(32);
    expect(tileReach(1, 0, 0)).toEqual({ x: -32, y: -32, width: 320, height: 320 });
    expect(tileReach(0.5, 1, 0)).toEqual({ x: 480, y: -32, width: 576, height: 576 });
    const near = { x: 280, y: 10, width: 5, height: 5 };
    const far = { x: 300, y: 10, width: 5, height: 5 };
    expect(tileTouched(1, 0, 0, [near])).toBe(true);
    expect(tileTouched(1, 0, 0, [far])).toBe(false);
    expect(tileTouched(1, 0, 0, [far, near])).toBe(true);
    expect(tileTouched(1, 0, 0, [])).toBe(false);
  });
});

describe('DirtyLog', () => {
  const r = (x: number) => ({ x, y: 0, width: 1, height: 1 });

  it('answers for consecutive recorded revisions only', () => {
    const log = new DirtyLog(3);
    log.record(1, [r(1)]);
    log.record(2, [r(2), r(22)]);
    log.record(3, [r(3)]);
    expect(log.since(3, 3)).toEqual([]);
    expect(log.since(2, 3)).toEqual([r(3)]);
    expect(log.since(0, 3)).toEqual([r(1), r(2), r(22), r(3)]);
    // Revisions not recorded (yet), or asked backwards: unknown.
    expect(log.since(0, 4)).toBeNull();
    expect(log.since(4, 3)).toBeNull();
    // Evicted: revision 1 is no longer known, so "since 0" cannot be answered.
    log.record(4, [r(4)]);
    expect(log.since(0, 4)).toBeNull();
    expect(log.since(1, 4)).toEqual([r(2), r(22), r(3), r(4)]);
    // A gap (a revision nobody recorded) makes everything before it unknown.
    log.record(6, [r(6)]);
    expect(log.since(4, 6)).toBeNull();
    expect(log.since(5, 6)).toEqual([r(6)]);
  });

  it('a batch recorded as unknown (or too large) means everything changed', () => {
    const log = new DirtyLog();
    log.record(1, [r(1)]);
    log.record(2, null);
    log.record(3, Array.from({ length: DIRTY_MAX_RECTS + 1 }, (_, i) => r(i)));
    expect(log.since(0, 1)).toEqual([r(1)]);
    expect(log.since(1, 2)).toBeNull();
    expect(log.since(2, 3)).toBeNull();
  });

  it('indexBatch updates the index and records old and new bounds of what a store batch touched', () => {
    const store = new Store(new ManualScheduler());
    const index = new SpatialIndex();
    const log = new DirtyLog();
    store.subscribeSync((diff) => indexBatch(index, diff, log, store.revision));
    const a = box('a', 0, 0);
    const b = box('b', 1000, 0);
    store.apply({ added: [a, b] }, 'local');
    expect(log.since(0, 1)).toEqual([renderBounds(a), renderBounds(b)]);
    const moved = { ...a, x: 500 };
    store.apply({ updated: [moved] }, 'remote');
    expect(log.since(1, 2)).toEqual([renderBounds(a), renderBounds(moved)]);
    expect(index.boundsFor('a')).toEqual(renderBounds(moved));
    store.apply({ removed: ['b'] }, 'local');
    expect(log.since(2, 3)).toEqual([renderBounds(b)]);
    expect(index.boundsFor('b')).toBeUndefined();
    // A whole board loaded at once is recorded as "everything".
    store.apply({ added: Array.from({ length: DIRTY_MAX_RECTS + 1 }, (_, i) => box(`n${i}`, i * 10, 0)) }, 'remote');
    expect(log.since(3, 4)).toBeNull();
    expect(index.size).toBe(DIRTY_MAX_RECTS + 2);
  });
});
