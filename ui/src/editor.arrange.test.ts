import { describe, expect, it } from 'vitest';
import { box, setup } from './test/harness';
import { resolveKey } from './tools/keymap';
import type { KeyInput } from './tools/tool';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ key: k, shift: false, alt: false, mod: false, ...mods });

describe('arrange shortcuts', () => {
  it('maps the Excalidraw keys', () => {
    expect(resolveKey(key(']', { mod: true }))).toEqual({ type: 'bringForward' });
    expect(resolveKey(key('[', { mod: true }))).toEqual({ type: 'sendBackward' });
    expect(resolveKey(key('}', { mod: true, shift: true }))).toEqual({ type: 'bringToFront' });
    expect(resolveKey(key('{', { mod: true, shift: true }))).toEqual({ type: 'sendToBack' });
    expect(resolveKey(key('L', { mod: true, shift: true }))).toEqual({ type: 'toggleLock' });
    expect(resolveKey(key('ArrowLeft', { mod: true, shift: true }))).toEqual({ type: 'align', how: 'left' });
    expect(resolveKey(key('ArrowDown', { mod: true, shift: true }))).toEqual({ type: 'align', how: 'bottom' });
    expect(resolveKey(key('h', { alt: true, code: 'KeyH' }))).toEqual({ type: 'distribute', axis: 'x' });
    expect(resolveKey(key('˙', { alt: true, code: 'KeyH' }))).toEqual({ type: 'distribute', axis: 'x' });
    expect(resolveKey(key('v', { alt: true, code: 'KeyV' }))).toEqual({ type: 'distribute', axis: 'y' });
    expect(resolveKey(key('m'))).toEqual({ type: 'toggleMinimap' });
  });
});

describe('editor arrange actions', () => {
  const els = () => [
    box('a', 'rectangle', 0, 0, 100, 100, { z: 'a0' }),
    box('b', 'rectangle', 200, 50, 100, 50, { z: 'a1' }),
    box('c', 'rectangle', 250, 300, 40, 40, { z: 'a2' }),
    box('arr', 'arrow', 104, 50, 0, 0, { z: 'a3', points: [[0, 0], [92, 0]], start: { element: 'a', focus: 0, gap: 4 } }),
  ];

  it('aligns as one undo step and bound arrows follow', () => {
    const h = setup(els());
    h.editor.setSelection(['a', 'b', 'c']);
    h.editor.keyDown(key('ArrowDown', { mod: true, shift: true }));
    expect(['a', 'b', 'c'].map((id) => h.store.get(id)!.y + h.store.get(id)!.height)).toEqual([340, 340, 340]);
    expect(h.commands.cmds('update')).toHaveLength(1);
    expect(h.store.get('arr')!.y).not.toBe(50);
    h.editor.keyDown(key('z', { mod: true }));
    expect(h.store.get('a')!.y).toBe(0);
    expect(h.store.get('arr')!.y).toBe(50);
  });

  it('moves a group as one unit', () => {
    const h = setup(els());
    h.editor.setSelection(['a', 'b']);
    h.editor.groupSelection();
    h.editor.setSelection(['a', 'b', 'c']);
    h.editor.alignSelection('left');
    // The group's left edge (0) is already the leftmost: only c moves, the group keeps its shape.
    expect(h.store.get('b')!.x).toBe(200);
    expect(h.store.get('c')!.x).toBe(0);
  });

  it('distributes three elements horizontally', () => {
    const h = setup(els());
    h.editor.setSelection(['a', 'b', 'c']);
    h.editor.keyDown(key('h', { alt: true, code: 'KeyH' }));
    // Bounds include half the stroke (1): span -1..301 (b ends at 301), sizes 102+102+42, gaps of 28.
    expect(['a', 'b', 'c'].map((id) => h.store.get(id)!.x)).toEqual([0, 130, 260]);
  });

  it('Ctrl+] and Ctrl+[ move one step', () => {
    const h = setup(els());
    h.editor.setSelection(['a']);
    h.editor.keyDown(key(']', { mod: true }));
    expect(h.store.sorted().map((e) => e.id)).toEqual(['b', 'a', 'c', 'arr']);
    h.editor.keyDown(key('[', { mod: true }));
    expect(h.store.sorted().map((e) => e.id)).toEqual(['a', 'b', 'c', 'arr']);
  });

  it('locks: a locked element cannot be clicked, marqueed or moved; Ctrl+Shift+L with nothing selected unlocks all', () => {
    const h = setup(els());
    h.editor.setSelection(['a']);
    h.editor.keyDown(key('L', { mod: true, shift: true }));
    expect(h.store.get('a')!.locked).toBe(true);
    // Moving the (still selected) locked element does nothing.
    h.drag([50, 50], [150, 150]);
    expect(h.store.get('a')!.x).toBe(0);
    h.editor.setSelection([]);
    h.editor.pointerDown(h.ptr(50, 50));
    h.editor.pointerUp(h.ptr(50, 50));
    expect(h.editor.interactive.selection.has('a')).toBe(false);
    h.drag([-10, -10], [120, 120]);
    expect(h.editor.interactive.selection.has('a')).toBe(false);
    h.editor.setSelection([]);
    h.editor.keyDown(key('L', { mod: true, shift: true }));
    expect(h.store.get('a')!.locked).toBe(false);
    expect([...h.editor.interactive.selection]).toEqual(['a']);
  });

  it('applyStyle patches the selection in one step and sets the tool defaults', () => {
    const h = setup([...els(), box('t', 'text', 0, 400, 50, 25, { z: 'a4', text: 'hello' })]);
    h.editor.setSelection(['a', 'b']);
    h.editor.applyStyle({ stroke: '#e03131', strokeWidth: 4 });
    const ups = h.commands.cmds('update');
    expect(ups).toHaveLength(1);
    expect(ups[0]!.type === 'update' && ups[0]!.updates.map((u) => u.id)).toEqual(['a', 'b']);
    expect(h.store.get('a')!.stroke).toBe('#e03131');
    expect(h.store.get('c')!.stroke).not.toBe('#e03131');
    expect(h.editor.style.strokeWidth).toBe(4);
    h.editor.keyDown(key('z', { mod: true }));
    expect(h.store.get('a')!.stroke).not.toBe('#e03131');
    h.editor.setSelection(['t']);
    h.editor.applyStyle({ fontSize: 40 });
    expect(h.store.get('t')!.fontSize).toBe(40);
    expect(h.store.get('t')!.height).toBe(50);
  });

  it('Edges (rounded) patches only kinds with edges, in one step, and carries to new ones that have them', () => {
    const h = setup([...els(), box('t', 'text', 0, 400, 50, 25, { z: 'a4', text: 'hello' }), box('e', 'ellipse', 0, 500, 50, 50, { z: 'a5' })]);
    h.editor.setSelection(['a', 'arr', 't', 'e']);
    h.editor.applyStyle({ rounded: true });
    const ups = h.commands.cmds('update');
    expect(ups).toHaveLength(1);
    expect(ups[0]!.type === 'update' && ups[0]!.updates.map((u) => u.id)).toEqual(['a', 'arr']);
    expect([h.store.get('a')!.rounded, h.store.get('arr')!.rounded, h.store.get('t')!.rounded, h.store.get('e')!.rounded]).toEqual([true, true, false, false]);
    expect(h.store.get('b')!.rounded).toBe(false);
    expect(h.editor.create('arrow', 0, 0).rounded).toBe(true);
    expect(h.editor.create('diamond', 0, 0).rounded).toBe(true);
    expect(h.editor.create('text', 0, 0).rounded).toBe(false);
    h.editor.keyDown(key('z', { mod: true }));
    expect([h.store.get('a')!.rounded, h.store.get('arr')!.rounded]).toEqual([false, false]);
    // Nothing with edges selected: no empty update, only the defaults change.
    h.editor.setSelection(['t']);
    h.editor.applyStyle({ rounded: false });
    expect(h.commands.cmds('update')).toHaveLength(1);
    expect(h.editor.create('line', 0, 0).rounded).toBe(false);
  });
});
