import { describe, expect, it } from 'vitest';
import { box, setup } from '../test/harness';
import { gridMove, snapMove, snapPoint, toGrid } from './snap';

const r = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('snapMove', () => {
  it("snaps the nearest of a box's edges and centre to another element's, per axis, and nothing out of reach", () => {
    const other = r(200, 0, 100, 100);
    // Left edge 195 is 5 from the other's left edge 200; the y lines are far from any.
    const s = snapMove(r(195, 300, 40, 40), [other], 8);
    expect(s.dx).toBe(5);
    expect(s.dy).toBe(0);
    expect(s.guides).toEqual([{ axis: 'x', at: 200, from: 0, to: 340, marks: [0, 100, 300, 340] }]);
    // A box as wide as the other lines up on both edges and the centre: a guide for each.
    expect(snapMove(r(195, 300, 100, 40), [other], 8).guides.map((g) => g.at)).toEqual([200, 250, 300]);
    // The centre (223 + 25 = 248) lines up with the other's centre 250 before its edges do.
    expect(snapMove(r(223, 300, 50, 50), [other], 8).dx).toBe(2);
    expect(snapMove(r(100, 300, 50, 50), [other], 8)).toEqual({ dx: 0, dy: 0, guides: [] });
  });

  it('takes the closest line of all the references, on both axes at once', () => {
    const s = snapMove(r(96, 203, 20, 10), [r(0, 0, 100, 100), r(300, 210, 20, 50)], 8);
    // Its centre 106 → 100 is 6 away but its left edge 96 → 100 is 4: the left edge wins.
    expect(s.dx).toBe(4);
    // Its centre 208 → 210 (the second box's top) is 2.
    expect(s.dy).toBe(2);
    expect(s.guides.map((g) => [g.axis, g.at])).toEqual([
      ['x', 100],
      ['y', 210],
    ]);
  });
});

describe('snapPoint and the grid', () => {
  it('snaps a dragged corner only on the axes it moves', () => {
    const s = snapPoint({ x: 103, y: 47 }, { x: true, y: false }, [r(0, 0, 100, 50)], 8);
    expect(s.point).toEqual({ x: 100, y: 47 });
    expect(s.guides).toHaveLength(1);
    expect(snapPoint({ x: 103, y: 47 }, { x: true, y: true }, [r(0, 0, 100, 50)], 8).point).toEqual({ x: 100, y: 50 });
  });

  it('rounds to the grid', () => {
    expect(toGrid(29)).toBe(20);
    expect(toGrid(31)).toBe(40);
    expect(gridMove(r(13, -8, 50, 50))).toEqual({ dx: 7, dy: 8 });
  });
});

describe('snapping in the select tool', () => {
  const scene = () => [box('a', 'rectangle', 0, 0, 100, 100, { fill: '#ffc9c9' }), box('b', 'rectangle', 300, 300, 100, 100, { fill: '#a5d8ff' })];

  it('a moved rectangle snaps its left edge to another\'s right edge, shows the guide while dragging, and clears it', () => {
    const h = setup(scene());
    h.editor.setSelection(['b']);
    // Dragged by (-195, -150): its left edge would be at 105; it snaps to a's right edge, 100.
    h.editor.pointerDown(h.ptr(350, 350));
    h.editor.pointerMove(h.ptr(250, 250));
    h.editor.pointerMove(h.ptr(155, 200));
    expect(h.editor.interactive.guides?.map((g) => [g.axis, g.at])).toEqual([['x', 100]]);
    h.editor.pointerUp(h.ptr(155, 200));
    h.sched.tick();
    expect(h.store.get('b')).toMatchObject({ x: 100, y: 150 });
    expect(h.editor.interactive.guides).toBeNull();
  });

  it('Ctrl held moves without snapping', () => {
    const h = setup(scene());
    h.editor.setSelection(['b']);
    h.drag([350, 350], [155, 200], 10, 5, { mod: true });
    expect(h.store.get('b')).toMatchObject({ x: 105, y: 150 });
  });

  it('a resize handle snaps the edge it moves', () => {
    const h = setup(scene());
    h.editor.setSelection(['b']);
    // The west handle of b dragged to x = 97: the left edge snaps to a's right edge, 100.
    h.drag([300, 350], [97, 350]);
    expect(h.store.get('b')).toMatchObject({ x: 100, width: 300, y: 300, height: 100 });
  });

  it("with the grid on (Ctrl+'), moves snap the box's corner to the grid and new shapes their corners", () => {
    const h = setup(scene());
    expect(h.editor.keyDown({ key: "'", shift: false, alt: false, mod: true })).toBe(true);
    expect(h.editor.gridSize).toBe(20);
    h.editor.setSelection(['b']);
    h.drag([350, 350], [357, 338]);
    expect(h.store.get('b')).toMatchObject({ x: 300, y: 280 });
    h.use('rectangle');
    h.drag([13, 207], [128, 291]);
    const made = h.store.get('n1')!;
    expect([made.x, made.y, made.width, made.height]).toEqual([20, 200, 100, 100]);
    h.editor.keyDown({ key: "'", shift: false, alt: false, mod: true });
    expect(h.editor.gridSize).toBeNull();
  });

  it('a dragged line point snaps to an edge', () => {
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100), box('L', 'line', 200, 200, 100, 0, { points: [[0, 0], [100, 0]] })]);
    h.editor.setSelection(['L']);
    h.drag([300, 200], [104, 150]);
    expect(h.store.get('L')!.points!.at(-1)).toEqual([-100, -50]);
  });
});
