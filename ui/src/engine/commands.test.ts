import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { MemoryCommands } from './commands';
import { ManualScheduler } from './scheduler';
import { Store } from './store';

const r = (id: string) => newElement(id, 'rectangle', 0, 0, { width: 10, height: 10, z: 'a0' });

describe('MemoryCommands', () => {
  it('a gesture is one undo step; commands outside gestures are one step each', () => {
    const store = new Store(new ManualScheduler());
    const c = new MemoryCommands(store, 'me', () => 42);
    c.beginGesture();
    c.dispatch({ type: 'add', elements: [r('a')] });
    for (let i = 1; i <= 5; i++) c.dispatch({ type: 'update', updates: [{ id: 'a', patch: { x: i } }] });
    c.endGesture();
    c.dispatch({ type: 'setText', id: 'a', text: 'hi' });
    expect(store.get('a')).toMatchObject({ x: 5, text: 'hi', author: 'me', updatedAt: 42 });
    c.undo();
    expect(store.get('a')!.text).toBeUndefined();
    expect(store.get('a')!.x).toBe(5);
    c.undo();
    expect(store.has('a')).toBe(false);
    expect(c.canUndo()).toBe(false);
    c.redo();
    expect(store.get('a')!.x).toBe(5);
    c.redo();
    expect(store.get('a')!.text).toBe('hi');
  });

  it('cancelGesture reverts the gesture and records nothing; a new edit clears redo', () => {
    const store = new Store(new ManualScheduler());
    const c = new MemoryCommands(store);
    c.dispatch({ type: 'add', elements: [r('a')] });
    c.beginGesture();
    c.dispatch({ type: 'update', updates: [{ id: 'a', patch: { x: 100 } }] });
    c.dispatch({ type: 'add', elements: [r('b')] });
    c.cancelGesture();
    expect(store.get('a')!.x).toBe(0);
    expect(store.has('b')).toBe(false);
    c.undo();
    expect(store.size).toBe(0);
    expect(c.canRedo()).toBe(true);
    c.dispatch({ type: 'add', elements: [r('c')] });
    expect(c.canRedo()).toBe(false);
  });

  it('patches clear nullable fields; group, ungroup and reorder edit their fields', () => {
    const store = new Store(new ManualScheduler());
    const c = new MemoryCommands(store);
    c.dispatch({ type: 'add', elements: [{ ...r('a'), link: 'https://x', start: { element: 'b', focus: 0, gap: 1 } }, r('b')] });
    c.dispatch({ type: 'update', updates: [{ id: 'a', patch: { link: null, start: null } }] });
    expect('link' in store.get('a')!).toBe(false);
    expect('start' in store.get('a')!).toBe(false);
    c.dispatch({ type: 'group', ids: ['a', 'b'], groupId: 'g1' });
    c.dispatch({ type: 'group', ids: ['a'], groupId: 'g2' });
    expect(store.get('a')!.groupIds).toEqual(['g1', 'g2']);
    c.dispatch({ type: 'ungroup', ids: ['a', 'b'], groupId: 'g1' });
    expect(store.get('a')!.groupIds).toEqual(['g2']);
    expect(store.get('b')!.groupIds).toBeUndefined();
    c.dispatch({ type: 'reorder', moves: [{ id: 'a', z: 'a5' }] });
    expect(store.sorted().map((e) => e.id)).toEqual(['b', 'a']);
    c.dispatch({ type: 'delete', ids: ['a'] });
    expect(store.has('a')).toBe(false);
  });
});
