import { describe, expect, it } from 'vitest';
import { Store } from '../engine/store';
import type { Element } from '../model/types';
import { ManualScheduler } from '../engine/scheduler';
import { box } from '../test/harness';
import { TauriCommands, type BoardChanged } from './tauri';

const rect = (id: string): Element => box(id, 'rectangle', 0, 0, 10, 10);

function setup(fail = false) {
  const store = new Store(new ManualScheduler());
  const calls: [string, Record<string, unknown> | undefined][] = [];
  const errors: unknown[] = [];
  const invoke = async <T,>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    calls.push([cmd, args]);
    if (cmd === 'board_open') return { board: { id: 'b', title: 'B' }, access: 'owner', elements: [], canUndo: false, canRedo: false } as T;
    if (fail && cmd === 'elements_apply') throw { kind: 'denied', message: 'read only' };
    return { canUndo: cmd !== 'undo', canRedo: cmd === 'undo' } as T;
  };
  const commands = new TauriCommands(store, 'b', invoke, (e) => errors.push(e));
  return { store, calls, errors, commands };
}

describe('TauriCommands', () => {
  it('sends a gesture as one elements_apply batch, previewing locally meanwhile', async () => {
    const { store, calls, commands } = setup();
    commands.beginGesture('draw');
    commands.dispatch({ type: 'add', elements: [rect('r')] });
    commands.dispatch({ type: 'update', updates: [{ id: 'r', patch: { width: 50 } }] });
    expect(store.get('r')?.width).toBe(50);
    expect(calls).toEqual([]);
    commands.endGesture();
    await commands.settled();
    expect(calls).toHaveLength(1);
    const [cmd, args] = calls[0]!;
    expect(cmd).toBe('elements_apply');
    expect((args!.commands as unknown[]).length).toBe(2);
    expect(commands.canUndo()).toBe(true);
  });

  it('sends nothing for a cancelled gesture and reverts its preview', async () => {
    const { store, calls, commands } = setup();
    commands.beginGesture();
    commands.dispatch({ type: 'add', elements: [rect('r')] });
    commands.cancelGesture();
    await commands.settled();
    expect(store.has('r')).toBe(false);
    expect(calls).toEqual([]);
  });

  it('undo goes to the core; the store follows board-changed events', async () => {
    const { store, calls, commands } = setup();
    commands.dispatch({ type: 'add', elements: [rect('r')] });
    commands.undo();
    await commands.settled();
    expect(calls.map((c) => c[0])).toEqual(['elements_apply', 'undo']);
    expect(commands.canRedo()).toBe(true);
    const change: BoardChanged = { board: 'b', origin: 'local', added: [], updated: [], removed: ['r'] };
    commands.receive(change);
    commands.receive({ ...change, board: 'other', removed: [] });
    expect(store.has('r')).toBe(false);
  });

  it('a reset event replaces the whole board: what it does not name is gone', async () => {
    const { store, commands } = setup();
    commands.dispatch({ type: 'add', elements: [rect('a'), rect('b')] });
    await commands.settled();
    const kept = { ...rect('a'), x: 42 };
    commands.receive({ board: 'b', origin: 'remote', reset: true, added: [], updated: [kept], removed: [] });
    expect(store.get('a')?.x).toBe(42);
    expect(store.has('b')).toBe(false);
  });

  it('a refused edit is reported and the store resyncs with the core', async () => {
    const { store, errors, commands } = setup(true);
    commands.dispatch({ type: 'add', elements: [rect('r')] });
    expect(store.has('r')).toBe(true);
    await commands.settled();
    expect(errors).toEqual([{ kind: 'denied', message: 'read only' }]);
    expect(store.has('r')).toBe(false);
  });

  it('tells the UI when undo/redo availability changes (for the toolbar buttons)', async () => {
    const { commands } = setup();
    const seen: [boolean, boolean][] = [];
    commands.onUndoState = () => seen.push([commands.canUndo(), commands.canRedo()]);
    commands.dispatch({ type: 'add', elements: [rect('r')] });
    commands.undo();
    await commands.settled();
    expect(seen).toEqual([[true, false], [true, false], [false, true]]);
  });
});
