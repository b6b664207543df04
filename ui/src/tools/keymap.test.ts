import { describe, expect, it } from 'vitest';
import { box, setup } from '../test/harness';
import { resolveKey } from './keymap';
import type { KeyInput } from './tool';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ key: k, shift: false, alt: false, mod: false, ...mods });

describe('keymap', () => {
  it('maps Excalidraw tool keys, letters and digits', () => {
    const cases: [string, string][] = [
      ['v', 'select'], ['1', 'select'], ['h', 'hand'], ['r', 'rectangle'], ['2', 'rectangle'],
      ['d', 'diamond'], ['3', 'diamond'], ['o', 'ellipse'], ['4', 'ellipse'], ['a', 'arrow'],
      ['5', 'arrow'], ['l', 'line'], ['6', 'line'], ['p', 'pen'], ['7', 'pen'], ['t', 'text'],
      ['8', 'text'], ['e', 'eraser'], ['0', 'eraser'], ['f', 'frame'], ['s', 'sticky'], ['R', 'rectangle'],
    ];
    for (const [k, tool] of cases) expect(resolveKey(key(k)), k).toEqual({ type: 'tool', tool });
    expect(resolveKey(key('x'))).toBeNull();
  });
  it('maps the modifier shortcuts', () => {
    expect(resolveKey(key('z', { mod: true }))).toEqual({ type: 'undo' });
    expect(resolveKey(key('Z', { mod: true, shift: true }))).toEqual({ type: 'redo' });
    expect(resolveKey(key('y', { mod: true }))).toEqual({ type: 'redo' });
    expect(resolveKey(key('d', { mod: true }))).toEqual({ type: 'duplicate' });
    expect(resolveKey(key('a', { mod: true }))).toEqual({ type: 'selectAll' });
    expect(resolveKey(key('g', { mod: true }))).toEqual({ type: 'group' });
    expect(resolveKey(key('G', { mod: true, shift: true }))).toEqual({ type: 'ungroup' });
    expect(resolveKey(key('Delete'))).toEqual({ type: 'delete' });
    expect(resolveKey(key('Backspace'))).toEqual({ type: 'delete' });
    expect(resolveKey(key('!', { shift: true, code: 'Digit1' }))).toEqual({ type: 'zoomToFit' });
    expect(resolveKey(key('@', { shift: true, code: 'Digit2' }))).toEqual({ type: 'zoomToSelection' });
    expect(resolveKey(key('?', { shift: true }))).toEqual({ type: 'help' });
  });
});

describe('editor actions', () => {
  const els = () => [
    box('a', 'rectangle', 0, 0, 100, 100, { z: 'a0' }),
    box('b', 'rectangle', 200, 0, 100, 100, { z: 'a1' }),
    box('arr', 'arrow', 104, 50, 0, 0, { z: 'a2', points: [[0, 0], [92, 0]], start: { element: 'a', focus: 0, gap: 4 } }),
  ];

  it('Ctrl+A selects all, Delete removes them in one step and unbinds arrows', () => {
    const h = setup(els());
    h.editor.setSelection(['a']);
    h.editor.keyDown(key('Delete'));
    expect(h.store.has('a')).toBe(false);
    expect(h.store.get('arr')!.start).toBeUndefined();
    h.editor.keyDown(key('z', { mod: true }));
    expect(h.store.has('a')).toBe(true);
    expect(h.store.get('arr')!.start?.element).toBe('a');
    h.editor.keyDown(key('a', { mod: true }));
    expect(h.editor.interactive.selection.size).toBe(3);
  });

  it('Ctrl+D duplicates above everything, offset, with bindings remapped inside the copy', () => {
    const h = setup(els());
    h.editor.setSelection(['a', 'arr']);
    h.editor.keyDown(key('d', { mod: true }));
    const adds = h.commands.cmds('add');
    expect(adds).toHaveLength(1);
    const copies = adds[0]!.type === 'add' ? adds[0]!.elements : [];
    expect(copies.map((c) => c.x)).toEqual([10, 114]);
    expect(copies.every((c) => c.z > 'a2')).toBe(true);
    expect(copies[1]!.start?.element).toBe(copies[0]!.id);
    expect([...h.editor.interactive.selection]).toEqual(copies.map((c) => c.id));
  });

  it('Ctrl+G groups and Ctrl+Shift+G ungroups', () => {
    const h = setup(els());
    h.editor.setSelection(['a', 'b']);
    h.editor.keyDown(key('g', { mod: true }));
    const g = h.store.get('a')!.groupIds!.at(-1)!;
    expect(h.store.get('b')!.groupIds).toEqual([g]);
    // Clicking one member now selects both.
    h.editor.setSelection([]);
    h.editor.pointerDown(h.ptr(0, 50));
    h.editor.pointerUp(h.ptr(0, 50));
    expect([...h.editor.interactive.selection].sort()).toEqual(['a', 'b']);
    h.editor.keyDown(key('G', { mod: true, shift: true }));
    expect(h.store.get('a')!.groupIds).toBeUndefined();
  });

  it('bring to front / send to back reorder with fresh z keys', () => {
    const h = setup(els());
    h.editor.setSelection(['a']);
    h.editor.keyDown(key(']', { mod: true, shift: true }));
    expect(h.store.sorted().map((e) => e.id)).toEqual(['b', 'arr', 'a']);
    h.editor.keyDown(key('[', { mod: true, shift: true }));
    expect(h.store.sorted().map((e) => e.id)).toEqual(['a', 'b', 'arr']);
    expect(h.commands.cmds('reorder')).toHaveLength(2);
  });

  it('Shift+1 fits everything, Shift+2 fits the selection', () => {
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100), box('b', 'rectangle', 4000, 3000, 100, 100)]);
    h.editor.keyDown(key('!', { shift: true, code: 'Digit1' }));
    const vp = h.editor.viewport;
    const w = vp.visibleWorld();
    expect(w.x).toBeLessThanOrEqual(0);
    expect(w.x + w.width).toBeGreaterThanOrEqual(4100);
    expect(w.y + w.height).toBeGreaterThanOrEqual(3100);
    h.editor.setSelection(['b']);
    h.editor.keyDown(key('@', { shift: true, code: 'Digit2' }));
    const s = vp.toScreen({ x: 4050, y: 3050 });
    expect(s.x).toBeCloseTo(500);
    expect(s.y).toBeCloseTo(400);
    expect(vp.zoom).toBeGreaterThan(5);
  });

  it('visible elements come from the spatial index, in drawing order, and follow edits', () => {
    const h = setup([box('far', 'rectangle', 5000, 5000, 10, 10, { z: 'a0' }), box('b', 'rectangle', 10, 10, 10, 10, { z: 'a2' }), box('a', 'rectangle', 50, 10, 10, 10, { z: 'a1' })]);
    expect(h.editor.visibleElements().map((e) => e.id)).toEqual(['a', 'b']);
    h.mem.dispatch({ type: 'update', updates: [{ id: 'far', patch: { x: 100, y: 100 } }] });
    expect(h.editor.visibleElements().map((e) => e.id)).toEqual(['far', 'a', 'b']);
  });
});
