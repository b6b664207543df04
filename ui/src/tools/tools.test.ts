import { describe, expect, it } from 'vitest';
import { elementBounds, hitTest } from '../engine/geometry';
import type { Command } from '../engine/commands';
import { box, setup } from '../test/harness';

const addOf = (c: Command) => (c.type === 'add' ? c.elements : []);

describe('shape tools', () => {
  it('rectangle: idle → pointing → dragging → idle, one add, one gesture, ≤1 update per frame', () => {
    const h = setup();
    h.use('rectangle');
    h.drag([100, 100], [300, 250], 20, 5);
    expect(h.transitions.rectangle).toEqual(['idle', 'pointing', 'dragging', 'idle']);
    expect(h.commands.cmds('add')).toHaveLength(1);
    expect(h.commands.count('begin')).toBe(1);
    expect(h.commands.count('end')).toBe(1);
    expect(h.commands.cmds('update').length).toBeGreaterThan(1);
    expect(h.commands.maxUpdatesPerFrame()).toBe(1);
    const el = h.store.get('n1')!;
    expect(el).toMatchObject({ kind: 'rectangle', x: 100, y: 100, width: 200, height: 150 });
    expect(h.editor.toolName).toBe('select');
    expect([...h.editor.interactive.selection]).toEqual(['n1']);
    // The whole drag is one undo step.
    h.commands.undo();
    expect(h.store.size).toBe(0);
    h.commands.redo();
    expect(h.store.get('n1')!.width).toBe(200);
  });

  it('ellipse with Shift is a circle; diamond with Alt grows from the centre', () => {
    const h = setup();
    h.use('ellipse');
    h.drag([0, 0], [100, 40], 4, 2, { shift: true });
    expect(h.store.get('n1')).toMatchObject({ kind: 'ellipse', width: 100, height: 100 });
    h.use('diamond');
    h.drag([500, 500], [550, 520], 4, 2, { alt: true });
    expect(h.store.get('n2')).toMatchObject({ kind: 'diamond', x: 450, y: 480, width: 100, height: 40 });
  });

  it('a click without dragging adds a default-size shape centred on the click', () => {
    const h = setup();
    h.use('rectangle');
    h.editor.pointerDown(h.ptr(50, 50));
    h.editor.pointerUp(h.ptr(50, 50));
    expect(h.transitions.rectangle).toEqual(['idle', 'pointing', 'idle']);
    expect(h.store.get('n1')).toMatchObject({ x: -10, y: 10, width: 120, height: 80 });
  });

  it('frame: drawn below everything, adopts the elements inside it', () => {
    const h = setup([box('in', 'rectangle', 20, 20, 10, 10), box('out', 'rectangle', 500, 500, 10, 10)]);
    h.use('frame');
    h.drag([0, 0], [100, 100]);
    expect(h.transitions.frame).toEqual(['idle', 'pointing', 'dragging', 'idle']);
    const f = h.store.get('n1')!;
    expect(f.kind).toBe('frame');
    expect(f.z < 'a2').toBe(true);
    expect(h.store.get('in')!.frameId).toBe('n1');
    expect(h.store.get('out')!.frameId).toBeUndefined();
  });

  it('Escape mid-drag removes the shape and leaves no undo step', () => {
    const h = setup();
    h.use('rectangle');
    h.editor.pointerDown(h.ptr(0, 0));
    h.editor.pointerMove(h.ptr(50, 50));
    h.editor.keyDown({ key: 'Escape', shift: false, alt: false, mod: false });
    h.sched.tick();
    expect(h.store.size).toBe(0);
    expect(h.commands.canUndo()).toBe(false);
    expect(h.editor.tool.state).toBe('idle');
  });
});

describe('select tool', () => {
  const els = () => [
    box('a', 'rectangle', 0, 0, 100, 100, { fill: '#f00' }),
    box('b', 'rectangle', 200, 0, 100, 100, { fill: '#0f0' }),
    box('c', 'ellipse', 0, 300, 100, 100, { fill: '#00f' }),
  ];

  it('click selects, Shift-click toggles, clicking empty canvas clears', () => {
    const h = setup(els());
    h.editor.pointerDown(h.ptr(50, 50));
    h.editor.pointerUp(h.ptr(50, 50));
    expect(h.transitions.select).toEqual(['idle', 'pointing_element', 'idle']);
    expect([...h.editor.interactive.selection]).toEqual(['a']);
    h.editor.pointerDown(h.ptr(250, 50, { shift: true }));
    h.editor.pointerUp(h.ptr(250, 50, { shift: true }));
    expect([...h.editor.interactive.selection].sort()).toEqual(['a', 'b']);
    h.editor.pointerDown(h.ptr(50, 50, { shift: true }));
    h.editor.pointerUp(h.ptr(50, 50, { shift: true }));
    expect([...h.editor.interactive.selection]).toEqual(['b']);
    h.editor.pointerDown(h.ptr(600, 600));
    h.editor.pointerUp(h.ptr(600, 600));
    expect(h.editor.interactive.selection.size).toBe(0);
    expect(h.commands.events).toHaveLength(0); // selection is not an edit
  });

  it('marquee selects the elements wholly inside it', () => {
    const h = setup(els());
    h.drag([-10, -10], [310, 150]);
    expect(h.transitions.select).toEqual(['idle', 'pointing_canvas', 'brushing', 'idle']);
    expect([...h.editor.interactive.selection].sort()).toEqual(['a', 'b']);
    expect(h.editor.interactive.marquee).toBeNull();
    h.drag([-10, -10], [250, 150]); // b only half inside
    expect([...h.editor.interactive.selection]).toEqual(['a']);
  });

  it('clicking a grouped element selects its group; dragging moves the group as one gesture', () => {
    const h = setup([...els().map((e) => (e.id !== 'c' ? { ...e, groupIds: ['g'] } : e))]);
    h.drag([50, 50], [80, 90], 12, 4);
    expect(h.transitions.select).toEqual(['idle', 'pointing_element', 'translating', 'idle']);
    expect(h.store.get('a')).toMatchObject({ x: 30, y: 40 });
    expect(h.store.get('b')).toMatchObject({ x: 230, y: 40 });
    expect(h.store.get('c')).toMatchObject({ x: 0, y: 300 });
    expect(h.commands.count('begin')).toBe(1);
    expect(h.commands.count('end')).toBe(1);
    expect(h.commands.maxUpdatesPerFrame()).toBe(1);
    expect(h.commands.cmds('update').length).toBeLessThanOrEqual(4);
    h.commands.undo();
    expect(h.store.get('a')).toMatchObject({ x: 0, y: 0 });
  });

  it('a bound arrow follows the shape it is bound to', () => {
    const h = setup([
      box('a', 'rectangle', 0, 0, 100, 100, { fill: '#f00' }),
      box('b', 'rectangle', 300, 0, 100, 100, { fill: '#0f0' }),
      box('arr', 'arrow', 104, 50, 0, 0, {
        points: [[0, 0], [192, 0]],
        start: { element: 'a', focus: 0, gap: 4 },
        end: { element: 'b', focus: 0, gap: 4 },
      }),
    ]);
    h.drag([350, 50], [350, 250]); // move b down by 200
    const arr = h.store.get('arr')!;
    const end = { x: arr.x + arr.points![1]![0], y: arr.y + arr.points![1]![1] };
    const b = h.store.get('b')!;
    expect(b.y).toBe(200);
    // The end now sits just outside b's outline, on the line from a's centre to b's centre.
    expect(hitTest(b, end, 4.5)).toBe(true);
    expect(end.y).toBeGreaterThan(100);
    const start = { x: arr.x, y: arr.y };
    expect(hitTest(h.store.get('a')!, start, 4.5)).toBe(true);
    expect(arr.end?.element).toBe('b');
  });

  it('resizes with the se handle; the nw corner stays put', () => {
    const h = setup(els());
    h.editor.setSelection(['a']);
    h.drag([100, 100], [150, 120]);
    expect(h.transitions.select).toEqual(['idle', 'pointing_handle', 'resizing', 'idle']);
    expect(h.store.get('a')).toMatchObject({ x: 0, y: 0, width: 150, height: 120 });
    // The w edge handle moves only the left edge.
    h.drag([0, 60], [-50, 999]);
    expect(h.store.get('a')).toMatchObject({ x: -50, y: 0, width: 200, height: 120 });
  });

  it('resizing a rotated element keeps the opposite corner fixed in world space', () => {
    const a = box('a', 'rectangle', 0, 0, 100, 50, { fill: '#f00', angle: Math.PI / 6 });
    const h = setup([a]);
    h.editor.setSelection(['a']);
    const before = elementCorners(h.store.get('a')!);
    const se = before[2]!;
    h.drag([se.x, se.y], [se.x + 40, se.y + 30]);
    const after = elementCorners(h.store.get('a')!);
    expect(after[0]!.x).toBeCloseTo(before[0]!.x);
    expect(after[0]!.y).toBeCloseTo(before[0]!.y);
    expect(after[2]!.x).toBeCloseTo(se.x + 40);
    expect(after[2]!.y).toBeCloseTo(se.y + 30);
  });

  it('the rotate handle rotates about the centre; Shift snaps to 15°', () => {
    const h = setup(els());
    h.editor.setSelection(['a']);
    // Rotate handle sits 24 px above the top middle at zoom 1: (50, -24). Drag to the right of centre.
    h.drag([50, -24], [150, 50], 6, 3);
    expect(h.transitions.select).toEqual(['idle', 'pointing_handle', 'rotating', 'idle']);
    expect(h.store.get('a')!.angle).toBeCloseTo(Math.PI / 2);
    h.drag([150 - 26, 50], [50 + 50, 50 + 53], 6, 3, { shift: true }); // handle now at the right
    const steps = h.store.get('a')!.angle / (Math.PI / 12);
    expect(steps).toBeCloseTo(Math.round(steps));
    expect(Math.round(steps)).toBe(9); // 90° + 46.7°, snapped to 135°
  });

  it('Alt-drag moves a copy and leaves the original in place, one undo step (as Excalidraw)', () => {
    const h = setup(els());
    h.editor.pointerDown(h.ptr(50, 50));
    h.editor.pointerUp(h.ptr(50, 50));
    h.drag([50, 50], [150, 250], 10, 5, { alt: true });
    expect(h.store.size).toBe(4);
    expect(h.store.get('a')).toMatchObject({ x: 0, y: 0 });
    const copy = [...h.store.values()].find((e) => !['a', 'b', 'c'].includes(e.id))!;
    expect(copy).toMatchObject({ kind: 'rectangle', x: 100, y: 200, width: 100, height: 100, fill: '#f00' });
    expect(copy.z > h.store.get('c')!.z).toBe(true);
    expect([...h.editor.interactive.selection]).toEqual([copy.id]);
    expect(h.commands.count('begin')).toBe(1);
    h.commands.undo();
    expect(h.store.size).toBe(3);
    expect(h.store.get('a')).toMatchObject({ x: 0, y: 0 });
  });

  it('double-click inside an unfilled shape edits its text', () => {
    let edited: string | undefined;
    const h = setup([box('r', 'rectangle', 0, 0, 200, 100), box('e', 'ellipse', 300, 0, 200, 100)], { editText: (el, d) => ((edited = el.id), d('x')) });
    h.editor.doubleClick(h.ptr(100, 50));
    expect(edited).toBe('r');
    expect(h.store.get('r')!.text).toBe('x');
    h.editor.doubleClick(h.ptr(400, 50));
    expect(edited).toBe('e');
  });

  it('double-click on empty canvas starts a text there', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup(els(), { editText: (_el, d) => (done = d) });
    h.editor.doubleClick(h.ptr(600, 600));
    expect(h.editor.toolName).toBe('text');
    expect(h.editor.tool.state).toBe('editing');
    done!('typed');
    const t = [...h.store.values()].find((e) => e.kind === 'text')!;
    expect(t).toMatchObject({ text: 'typed', x: 600 });
    expect(t.y).toBeLessThan(600);
    expect(t.y + t.height).toBeGreaterThan(600);
    expect(h.editor.toolName).toBe('select');
    h.commands.undo();
    expect([...h.store.values()].some((e) => e.kind === 'text')).toBe(false);
  });

  it('double-click on a shape edits its text as one step', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup(els(), { editText: (_el, d) => (done = d) });
    h.editor.doubleClick(h.ptr(50, 50));
    done!('label');
    expect(h.store.get('a')!.text).toBe('label');
    h.commands.undo();
    expect(h.store.get('a')!.text).toBeUndefined();
  });
});

function elementCorners(el: import('../model/types').Element) {
  const c = { x: el.x + el.width / 2, y: el.y + el.height / 2 };
  const rot = (x: number, y: number) => {
    const dx = x - c.x;
    const dy = y - c.y;
    return { x: c.x + dx * Math.cos(el.angle) - dy * Math.sin(el.angle), y: c.y + dx * Math.sin(el.angle) + dy * Math.cos(el.angle) };
  };
  return [rot(el.x, el.y), rot(el.x + el.width, el.y), rot(el.x + el.width, el.y + el.height), rot(el.x, el.y + el.height)];
}

describe('line and arrow tools', () => {
  it('arrow binds its start and end to the shapes under the pointer', () => {
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100, { fill: '#f00' }), box('b', 'ellipse', 300, 0, 100, 100, { fill: '#0f0' })]);
    h.use('arrow');
    h.drag([50, 50], [350, 50]);
    expect(h.transitions.arrow).toEqual(['idle', 'pointing', 'dragging', 'idle']);
    expect(h.commands.cmds('add')).toHaveLength(1);
    expect(h.commands.count('begin')).toBe(1);
    expect(h.commands.maxUpdatesPerFrame()).toBe(1);
    const arr = h.store.get('n1')!;
    expect(arr.kind).toBe('arrow');
    expect(arr.start?.element).toBe('a');
    expect(arr.end?.element).toBe('b');
    expect(arr.x).toBeCloseTo(104);
    expect(arr.x + arr.points![1]![0]).toBeCloseTo(296);
    expect(h.editor.interactive.bindingTarget).toBeNull();
  });

  it('arrow from inside an unfilled rectangle to inside an unfilled ellipse binds both ends (as Excalidraw)', () => {
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100), box('b', 'ellipse', 300, 0, 100, 100)]);
    h.use('arrow');
    h.drag([40, 60], [340, 40]);
    const arr = h.store.get('n1')!;
    expect(arr.start?.element).toBe('a');
    expect(arr.end?.element).toBe('b');
    // The ends sit on the outlines (gap away), not where the pointer was.
    expect(arr.x).toBeGreaterThan(100);
    expect(arr.x + arr.points![1]![0]).toBeLessThan(300);
  });

  it('inside nested outlines, the innermost shape binds', () => {
    const h = setup([box('big', 'rectangle', 0, 0, 400, 400), box('small', 'diamond', 100, 100, 100, 100, { z: 'a0' })]);
    h.use('arrow');
    h.drag([600, 150], [150, 150]);
    expect(h.store.get('n1')!.end?.element).toBe('small');
  });

  it('arrow from empty space binds nothing; line never binds', () => {
    const h = setup([box('b', 'rectangle', 300, 0, 100, 100, { fill: '#0f0' })]);
    h.use('line');
    h.drag([0, 50], [350, 50]);
    const l = h.store.get('n1')!;
    expect(l.kind).toBe('line');
    expect(l.start).toBeUndefined();
    expect(l.end).toBeUndefined();
    expect(l.points![1]).toEqual([350, 0]);
    h.use('arrow');
    h.drag([0, 500], [100, 500]);
    expect(h.store.get('n2')!.start).toBeUndefined();
  });
});

describe('pen tool', () => {
  it('idle → drawing → idle; one add with points and pressures on release', () => {
    const h = setup();
    h.use('pen');
    h.editor.pointerDown(h.ptr(10, 10, { pointerType: 'pen', pressure: 0.2 }));
    for (let i = 1; i <= 20; i++) h.editor.pointerMove(h.ptr(10 + i * 5, 10 + (i % 3), { pointerType: 'pen', pressure: 0.2 + i / 40 }));
    expect(h.editor.interactive.draft!.points).toHaveLength(21);
    expect(h.commands.events).toHaveLength(0);
    h.editor.pointerUp(h.ptr(110, 12, { pointerType: 'pen', pressure: 0.7 }));
    expect(h.transitions.pen).toEqual(['idle', 'drawing', 'idle']);
    const adds = h.commands.cmds('add').flatMap(addOf);
    expect(adds).toHaveLength(1);
    const el = adds[0]!;
    expect(el.kind).toBe('freedraw');
    expect(el.points).toHaveLength(21);
    expect(el.points![0]).toEqual([0, 0]);
    expect(el.pressures).toHaveLength(21);
    expect(el.x).toBe(10);
    expect(h.editor.interactive.draft).toBeNull();
    expect(h.editor.toolName).toBe('pen');
    expect(h.commands.count('begin')).toBe(1);
  });

  it('a mouse stroke records no pressures', () => {
    const h = setup();
    h.use('pen');
    h.drag([0, 0], [50, 50]);
    expect(h.store.get('n1')!.pressures).toBeUndefined();
  });
});

describe('text and sticky tools', () => {
  it('text: click creates, editor commits, one undo step; empty text leaves nothing', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup([], { editText: (_el, d) => (done = d) });
    h.use('text');
    h.editor.pointerDown(h.ptr(100, 100));
    h.editor.pointerUp(h.ptr(100, 100));
    expect(h.editor.tool.state).toBe('editing');
    done!('hello\nworld');
    expect(h.transitions.text).toEqual(['idle', 'pointing', 'editing', 'idle']);
    const t = h.store.get('n1')!;
    expect(t.text).toBe('hello\nworld');
    expect(t.height).toBeCloseTo(50);
    expect(h.commands.cmds('setText')).toHaveLength(1);
    expect(h.commands.count('begin')).toBe(h.commands.count('end'));
    h.commands.undo();
    expect(h.store.size).toBe(0);

    h.use('text');
    h.editor.pointerDown(h.ptr(300, 300));
    h.editor.pointerUp(h.ptr(300, 300));
    done!('');
    expect(h.store.size).toBe(0);
  });

  it('text tool on an existing text edits it', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup([box('t', 'text', 0, 0, 100, 25, { text: 'old' })], { editText: (_el, d) => (done = d) });
    h.use('text');
    h.editor.pointerDown(h.ptr(50, 10));
    h.editor.pointerUp(h.ptr(50, 10));
    done!('new');
    expect(h.store.size).toBe(1);
    expect(h.store.get('t')!.text).toBe('new');
  });

  it('sticky: a click places a 200×200 note centred on the click', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup([], { editText: (_el, d) => (done = d) });
    h.use('sticky');
    h.editor.pointerDown(h.ptr(100, 100));
    h.editor.pointerUp(h.ptr(100, 100));
    done!('note');
    expect(h.transitions.sticky).toEqual(['idle', 'pointing', 'editing', 'idle']);
    expect(h.store.get('n1')).toMatchObject({ kind: 'sticky', x: 0, y: 0, width: 200, height: 200, text: 'note' });
  });
});

describe('eraser tool', () => {
  it('deletes what the drag passes over, once, on release', () => {
    const h = setup([
      box('a', 'rectangle', 0, 0, 100, 100),
      box('b', 'rectangle', 200, 0, 100, 100),
      box('c', 'rectangle', 0, 300, 100, 100),
    ]);
    h.use('eraser');
    h.editor.pointerDown(h.ptr(-20, 50));
    h.editor.pointerMove(h.ptr(120, 50));
    h.editor.pointerMove(h.ptr(250, 50));
    expect([...(h.editor.interactive.erasing ?? [])].sort()).toEqual(['a', 'b']);
    expect(h.store.size).toBe(3);
    h.editor.pointerUp(h.ptr(250, 50));
    expect(h.transitions.eraser).toEqual(['idle', 'erasing', 'idle']);
    expect(h.commands.cmds('delete')).toEqual([{ type: 'delete', ids: ['a', 'b'] }]);
    expect([...h.store.values()].map((e) => e.id)).toEqual(['c']);
    h.commands.undo();
    expect(h.store.size).toBe(3);
  });
});

describe('hand tool and Space', () => {
  it('panning keeps the pressed world point under the pointer', () => {
    const h = setup();
    h.use('hand');
    const vp = h.editor.viewport;
    const screen = { x: 100, y: 100 };
    h.editor.pointerDown(h.ptr(vp.toWorld(screen).x, vp.toWorld(screen).y));
    const grabbed = vp.toWorld(screen);
    const to = vp.toWorld({ x: 160, y: 130 });
    h.editor.pointerMove(h.ptr(to.x, to.y));
    expect(vp.toScreen(grabbed).x).toBeCloseTo(160);
    expect(vp.toScreen(grabbed).y).toBeCloseTo(130);
    h.editor.pointerUp(h.ptr(to.x, to.y));
    expect(h.transitions.hand).toEqual(['idle', 'panning', 'idle']);
    expect(h.commands.events).toHaveLength(0);
  });

  it('Space switches to the hand while held and back on release', () => {
    const h = setup();
    h.use('rectangle');
    const k = { shift: false, alt: false, mod: false };
    h.editor.keyDown({ key: ' ', ...k });
    expect(h.editor.toolName).toBe('hand');
    h.editor.keyUp({ key: ' ', ...k });
    expect(h.editor.toolName).toBe('rectangle');
  });
});

describe('bounds of created elements', () => {
  it('pen element bounds cover the stroke', () => {
    const h = setup();
    h.use('pen');
    h.drag([0, 0], [50, 80]);
    const b = elementBounds(h.store.get('n1')!);
    expect(b).toMatchObject({ x: 0, y: 0, width: 50, height: 80 });
  });
});
