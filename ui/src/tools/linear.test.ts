import { describe, expect, it } from 'vitest';
import { absolutePoints } from '../engine/geometry';
import { box, setup } from '../test/harness';

const key = (k: string) => ({ key: k, shift: false, alt: false, mod: false });

/** A press and release at (x, y), and the frame after it. */
function click(h: ReturnType<typeof setup>, x: number, y: number, mods = {}) {
  h.editor.pointerDown(h.ptr(x, y, mods));
  h.editor.pointerUp(h.ptr(x, y, mods));
  h.sched.tick();
}

const pts = (h: ReturnType<typeof setup>, id = 'n1') => absolutePoints(h.store.get(id)!).map((p) => [Math.round(p.x), Math.round(p.y)]);

describe('line tool, point by point (Excalidraw multi-point)', () => {
  it('a click starts a line, each click adds a point, the last segment follows the pointer, Enter finishes', () => {
    const h = setup();
    h.use('line');
    click(h, 0, 0);
    expect(h.editor.tool.state).toBe('adding_points');
    h.editor.pointerMove(h.ptr(100, 10));
    h.sched.tick();
    expect(pts(h)).toEqual([
      [0, 0],
      [100, 10],
    ]);
    click(h, 100, 0);
    h.editor.pointerMove(h.ptr(100, 80));
    click(h, 100, 100);
    h.editor.pointerMove(h.ptr(300, 300));
    h.sched.tick();
    expect(pts(h)).toHaveLength(4);
    expect(h.editor.keyDown(key('Enter'))).toBe(true);
    // The segment that followed the pointer goes; the placed points stay.
    expect(pts(h)).toEqual([
      [0, 0],
      [100, 0],
      [100, 100],
    ]);
    expect(h.transitions.line).toEqual(['idle', 'pointing', 'adding_points', 'idle']);
    // One add, one gesture: one undo step takes the whole line away.
    expect(h.commands.cmds('add')).toHaveLength(1);
    expect(h.commands.count('begin')).toBe(1);
    expect(h.commands.count('end')).toBe(1);
    expect(h.editor.toolName).toBe('select');
    expect([...h.editor.interactive.selection]).toEqual(['n1']);
    h.editor.run({ type: 'undo' });
    expect(h.store.get('n1')).toBeUndefined();
  });

  it('Escape finishes the line (it does not throw it away); a double-click finishes it too', () => {
    const h = setup();
    h.use('line');
    click(h, 0, 0);
    click(h, 50, 0);
    h.editor.keyDown(key('Escape'));
    expect(pts(h)).toEqual([
      [0, 0],
      [50, 0],
    ]);
    h.use('line');
    click(h, 0, 100);
    click(h, 60, 100);
    // A double-click at a new spot: its first press adds the point, its second finishes.
    click(h, 60, 160);
    h.editor.pointerDown(h.ptr(60, 160));
    h.editor.pointerUp(h.ptr(60, 160));
    h.editor.doubleClick(h.ptr(60, 160));
    expect(pts(h, 'n2')).toEqual([
      [0, 100],
      [60, 100],
      [60, 160],
    ]);
    expect(h.editor.toolName).toBe('select');
  });

  it('the double-click that finishes an arrow on a shape does not open that shape\'s text', () => {
    let edited = 0;
    const h = setup([box('r', 'rectangle', 200, 0, 100, 100)], { editText: (_el, done) => (edited++, done(null)) });
    h.use('arrow');
    click(h, 0, 50);
    click(h, 250, 50);
    h.editor.pointerDown(h.ptr(250, 50));
    h.editor.pointerUp(h.ptr(250, 50));
    h.editor.doubleClick(h.ptr(250, 50));
    expect(edited).toBe(0);
    const a = h.store.get('n1')!;
    expect(a.end?.element).toBe('r');
    expect(a.endArrowhead).toBe('arrow');
    // Bound: the end sits on the rectangle's outline, not where it was clicked.
    expect(a.x + a.points!.at(-1)![0]).toBeLessThan(200);
    // A later double-click is delivered again: on the arrow, it edits the arrow's label.
    h.editor.doubleClick(h.ptr(100, 50));
    expect(edited).toBe(1);
  });

  it("a double-click on an arrow edits its label, as Excalidraw's", () => {
    const h = setup([box('A', 'arrow', 0, 50, 200, 0, { points: [[0, 0], [200, 0]] })], { editText: (_el, done) => done('yes') });
    h.editor.doubleClick(h.ptr(100, 50));
    expect(h.store.get('A')!.text).toBe('yes');
  });

  it('a line left with a single point is dropped without an undo step', () => {
    const h = setup();
    h.use('line');
    click(h, 10, 10);
    h.editor.keyDown(key('Enter'));
    expect(h.store.get('n1')).toBeUndefined();
    expect(h.commands.count('cancel')).toBe(1);
    expect(h.commands.canUndo()).toBe(false);
  });

  it('Shift locks each segment to 15° steps', () => {
    const h = setup();
    h.use('line');
    click(h, 0, 0);
    click(h, 100, 7, { shift: true });
    h.editor.keyDown(key('Enter'));
    expect(pts(h)).toEqual([
      [0, 0],
      [100, 0],
    ]);
  });

  it('switching tools keeps the points placed', () => {
    const h = setup();
    h.use('line');
    click(h, 0, 0);
    click(h, 40, 40);
    h.use('rectangle');
    expect(pts(h)).toEqual([
      [0, 0],
      [40, 40],
    ]);
    expect(h.editor.toolName).toBe('rectangle');
  });

  it('the arrow tool draws the arrowheads chosen in the style panel', () => {
    const h = setup();
    h.editor.applyStyle({ startArrowhead: 'dot', endArrowhead: 'triangle' });
    h.use('arrow');
    h.drag([0, 0], [100, 0]);
    expect(h.store.get('n1')).toMatchObject({ startArrowhead: 'dot', endArrowhead: 'triangle' });
    // Other kinds never take arrowheads from the style.
    h.use('rectangle');
    h.drag([0, 100], [100, 200]);
    expect(h.store.get('n2')!.endArrowhead).toBeUndefined();
    h.use('line');
    h.drag([0, 300], [100, 300]);
    expect(h.store.get('n3')!.startArrowhead).toBeUndefined();
  });
});

describe("line editor (a selected line's points)", () => {
  const line = () => box('L', 'line', 0, 0, 200, 100, { points: [[0, 0], [100, 100], [200, 0]] });

  it('dragging a point moves it alone, as one undo step', () => {
    const h = setup([line()]);
    h.editor.setSelection(['L']);
    h.drag([100, 100], [100, 150]);
    expect(pts(h, 'L')).toEqual([
      [0, 0],
      [100, 150],
      [200, 0],
    ]);
    expect(h.transitions.select).toEqual(['idle', 'pointing_point', 'dragging_point', 'idle']);
    expect(h.commands.count('begin')).toBe(1);
    h.editor.run({ type: 'undo' });
    expect(pts(h, 'L')[1]).toEqual([100, 100]);
  });

  it('dragging a segment\'s midpoint inserts a point there', () => {
    const h = setup([line()]);
    h.editor.setSelection(['L']);
    h.drag([50, 50], [20, 80]);
    expect(pts(h, 'L')).toEqual([
      [0, 0],
      [20, 80],
      [100, 100],
      [200, 0],
    ]);
    expect(h.commands.count('begin')).toBe(1);
  });

  it('a clicked point is active and Delete removes it; a line keeps two points', () => {
    const h = setup([line()]);
    h.editor.setSelection(['L']);
    click(h, 200, 0);
    expect(h.editor.interactive.activePoint).toBe(2);
    h.editor.keyDown(key('Delete'));
    expect(pts(h, 'L')).toEqual([
      [0, 0],
      [100, 100],
    ]);
    expect(h.store.get('L')).toBeDefined();
    click(h, 0, 0);
    h.editor.keyDown(key('Delete'));
    expect(pts(h, 'L')).toHaveLength(2);
    // With no active point, Delete deletes the line.
    h.editor.setSelection(['L']);
    h.editor.keyDown(key('Delete'));
    expect(h.store.get('L')).toBeUndefined();
  });

  it('a rotated line edited point by point keeps its drawing and loses the rotation', () => {
    const h = setup([box('R', 'line', 0, 0, 100, 0, { points: [[0, 0], [100, 0]], angle: Math.PI / 2 })]);
    h.editor.setSelection(['R']);
    // Rotated a quarter turn about (50, 0): its ends are at (50, -50) and (50, 50).
    h.drag([50, 50], [80, 50]);
    const r = h.store.get('R')!;
    expect(r.angle).toBe(0);
    expect(pts(h, 'R')).toEqual([
      [50, -50],
      [80, 50],
    ]);
  });

  it("dragging an arrow's end onto a shape binds it there; dragging it off lets go", () => {
    const h = setup([
      box('r', 'rectangle', 300, 0, 100, 100),
      box('A', 'arrow', 0, 50, 200, 0, { points: [[0, 0], [200, 0]], endArrowhead: 'arrow' }),
    ]);
    h.editor.setSelection(['A']);
    h.drag([200, 50], [350, 50]);
    let a = h.store.get('A')!;
    expect(a.end?.element).toBe('r');
    expect(pts(h, 'A')[1]![0]).toBeLessThan(300);
    expect(pts(h, 'A')[1]![0]).toBeGreaterThan(290);
    h.drag([pts(h, 'A')[1]![0]!, 50], [200, 200]);
    a = h.store.get('A')!;
    expect(a.end).toBeUndefined();
    expect(pts(h, 'A')[1]).toEqual([200, 200]);
  });

  it('a bound end follows when the point next to it moves', () => {
    const h = setup([
      box('r', 'rectangle', 300, 0, 100, 100),
      box('A', 'arrow', 0, 50, 296, 0, { points: [[0, 0], [150, 0], [296, 0]], end: { element: 'r', focus: 0, gap: 4 } }),
    ]);
    h.editor.setSelection(['A']);
    h.drag([150, 50], [150, -200]);
    expect(pts(h, 'A').slice(0, 2)).toEqual([
      [0, 50],
      [150, -200],
    ]);
    const end = pts(h, 'A')[2]!;
    // Aimed at the centre from (150, -200): it now lands on the top-left part of the outline.
    expect(end[1]).toBeLessThan(50);
    expect(h.store.get('A')!.end?.element).toBe('r');
  });
});

describe('elbow arrows', () => {
  const orthogonal = (p: number[][]) => p.every((q, i) => i === 0 || q[0] === p[i - 1]![0] || q[1] === p[i - 1]![1]);
  const shapes = () => [box('a', 'rectangle', 0, 0, 100, 100, { fill: '#ffc9c9' }), box('b', 'rectangle', 300, 200, 100, 100, { fill: '#a5d8ff' })];

  it('an elbow arrow drawn between two shapes binds both and routes between their facing sides', () => {
    const h = setup(shapes());
    h.editor.applyStyle({ elbowed: true });
    h.use('arrow');
    h.drag([50, 50], [350, 250]);
    const a = h.store.get('n1')!;
    expect(a.elbowed).toBe(true);
    expect(a.start).toMatchObject({ element: 'a', side: 'right' });
    expect(a.end).toMatchObject({ element: 'b', side: 'left' });
    expect(pts(h)).toEqual([
      [104, 50],
      [200, 50],
      [200, 250],
      [296, 250],
    ]);
    // The style's elbow does not reach other kinds.
    h.use('rectangle');
    h.drag([600, 600], [700, 700]);
    expect(h.store.get('n2')!.elbowed).toBeUndefined();
  });

  it('routes again when a bound shape moves', () => {
    const h = setup(shapes());
    h.editor.applyStyle({ elbowed: true });
    h.use('arrow');
    h.drag([50, 50], [350, 250]);
    h.use('select');
    h.editor.setSelection(['b']);
    // b moved up above a's level: the route now enters b from its left at its new middle.
    h.drag([350, 250], [350, 0], 10, 5, { mod: true });
    const p = pts(h);
    expect(orthogonal(p)).toBe(true);
    expect(p.at(-1)).toEqual([296, 0]);
    expect(p[0]).toEqual([104, 50]);
  });

  it('the Arrow type turns a drawn arrow into an elbow arrow and back into a straight one', () => {
    const h = setup(shapes());
    h.use('arrow');
    h.drag([50, 50], [350, 250]);
    expect(pts(h)).toHaveLength(2);
    h.editor.applyStyle({ elbowed: true, rounded: false });
    expect(h.store.get('n1')!.elbowed).toBe(true);
    expect(orthogonal(pts(h))).toBe(true);
    expect(pts(h).length).toBeGreaterThan(2);
    h.editor.applyStyle({ elbowed: false, rounded: false });
    expect(h.store.get('n1')!.elbowed).toBe(false);
    expect(pts(h)).toHaveLength(2);
  });

  it("shows only an elbow arrow's ends; dragging one off its shape lets go and routes to the pointer", () => {
    const h = setup(shapes());
    h.editor.applyStyle({ elbowed: true });
    h.use('arrow');
    h.drag([50, 50], [350, 250]);
    h.use('select');
    h.editor.setSelection(['n1']);
    // The corner of the route is no handle: a press there grabs the arrow itself.
    h.editor.pointerDown(h.ptr(200, 50));
    expect(h.editor.tool.state).toBe('pointing_element');
    h.editor.pointerUp(h.ptr(200, 50));
    h.drag([296, 250], [600, 500], 10, 5, { mod: true });
    const a = h.store.get('n1')!;
    expect(a.end).toBeUndefined();
    expect(pts(h).at(-1)).toEqual([600, 500]);
    expect(orthogonal(pts(h))).toBe(true);
  });
});
