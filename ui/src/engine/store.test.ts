import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { ManualScheduler } from './scheduler';
import { Store, type StoreChange } from './store';

const rect = (id: string, x = 0, z = 'a0') => newElement(id, 'rectangle', x, 0, { width: 10, height: 10, z });

describe('Store', () => {
  it('calls listeners once per frame with the batches of that frame coalesced', () => {
    const sched = new ManualScheduler();
    const store = new Store(sched);
    const calls: StoreChange[] = [];
    store.subscribe((c) => calls.push(c));
    store.apply({ added: [rect('a'), rect('b')] }, 'local');
    store.apply({ updated: [rect('a', 5)] }, 'remote');
    store.apply({ added: [rect('c')] }, 'remote');
    store.apply({ removed: ['c'] }, 'remote');
    expect(calls).toHaveLength(0);
    expect(sched.pending).toBe(1);
    sched.tick();
    expect(calls).toHaveLength(1);
    const c = calls[0]!;
    expect([...c.added].sort()).toEqual(['a', 'b']);
    expect(c.updated.size).toBe(0); // a was added this frame: reported as added
    expect(c.removed.size).toBe(0); // c came and went within the frame
    expect([...c.origins].sort()).toEqual(['local', 'remote']);
    expect(store.get('a')!.x).toBe(5);

    store.apply({ updated: [rect('b', 3)] }, 'remote');
    store.apply({ removed: ['a'] }, 'local');
    sched.tick();
    expect(calls).toHaveLength(2);
    expect([...calls[1]!.updated]).toEqual(['b']);
    expect([...calls[1]!.removed]).toEqual(['a']);
    sched.tick();
    expect(calls).toHaveLength(2); // nothing new, no call
  });

  it('bumps the version of each changed element only', () => {
    const store = new Store(new ManualScheduler());
    store.apply({ added: [rect('a'), rect('b')] }, 'local');
    const va = store.version('a');
    const vb = store.version('b');
    expect(va).toBeGreaterThan(0);
    store.apply({ updated: [rect('a', 1)] }, 'remote');
    expect(store.version('a')).toBeGreaterThan(va);
    expect(store.version('b')).toBe(vb);
    store.apply({ removed: ['a'] }, 'local');
    expect(store.version('a')).toBe(0);
  });

  it('sorts by z then id and sync listeners see each batch', () => {
    const store = new Store(new ManualScheduler());
    const seen: number[] = [];
    store.subscribeSync((d) => seen.push(d.added.length + d.updated.length + d.removed.length));
    store.apply({ added: [rect('b', 0, 'a1'), rect('a', 0, 'a1'), rect('c', 0, 'Zz')] }, 'local');
    expect(store.sorted().map((e) => e.id)).toEqual(['c', 'a', 'b']);
    store.apply({ removed: ['nope'] }, 'local');
    expect(seen).toEqual([3]);
  });
});
