import { describe, expect, it } from 'vitest';
import { compareDrawOrder, newElement, type Element } from '../model/types';
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

  it('keeps drawing order right across edits that reuse the sorted cache (random batches)', () => {
    const store = new Store(new ManualScheduler());
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T,>(a: readonly T[]): T => a[rand(a.length)]!;
    const zs = ['Zz', 'a0', 'a1', 'a2', 'a3', 'a4', 'b00', 'b01'];
    let next = 0;
    for (let round = 0; round < 400; round++) {
      const ids = [...store.values()].map((e) => e.id);
      const diff: { added: Element[]; updated: Element[]; removed: string[] } = { added: [], updated: [], removed: [] };
      for (let k = 0; k < 1 + rand(3); k++) {
        const op = rand(5);
        if (op === 0 || ids.length === 0) {
          // New elements mostly on top, as drawing does; sometimes anywhere.
          const top = store.sorted().at(-1)?.z ?? 'a0';
          diff.added.push(rect(`n${next++}`, 0, rand(4) ? `${top}V` : pick(zs)));
        } else if (op === 1) {
          const id = pick(ids);
          diff.updated.push({ ...store.get(id)!, x: rand(100) });
        } else if (op === 2) {
          const id = pick(ids);
          diff.updated.push({ ...store.get(id)!, z: pick(zs) });
        } else if (op === 3) {
          diff.removed.push(pick(ids));
        } else {
          const id = pick(ids);
          diff.removed.push(id);
          diff.added.push(rect(id, 1, pick(zs)));
        }
      }
      store.apply(diff, 'remote');
      if (rand(3) === 0) continue; // Several batches between reads, too.
      const want = [...store.values()].sort(compareDrawOrder).map((e) => `${e.id}@${e.z}:${e.x}`);
      expect(store.sorted().map((e) => `${e.id}@${e.z}:${e.x}`)).toEqual(want);
    }
  });
});
