import { describe, expect, it } from 'vitest';
import { RecordingContext } from '../test/fakeCtx';
import { box, setup } from '../test/harness';
import { clipFrame, frameAt, membershipUpdates, resizedFrameUpdates, withFrameChildren } from './frames';
import { Renderer } from './renderer';
import { Viewport } from './viewport';

const frame = (id: string, x: number, y: number, w: number, h: number, z = 'a0') => box(id, 'frame', x, y, w, h, { z, name: id });
const filled = (id: string, x: number, y: number, w: number, h: number, init = {}) => box(id, 'rectangle', x, y, w, h, { fill: '#a5d8ff', ...init });

describe('frame membership (pure)', () => {
  it('an element belongs to the topmost frame holding its centre', () => {
    const f1 = frame('f1', 0, 0, 400, 400, 'a0');
    const f2 = frame('f2', 100, 100, 100, 100, 'a1');
    expect(frameAt(filled('r', 120, 120, 20, 20), [f1, f2])?.id).toBe('f2');
    expect(frameAt(filled('r', 300, 300, 20, 20), [f1, f2])?.id).toBe('f1');
    // Half out but centred inside: in.
    expect(frameAt(filled('r', 380, 10, 30, 30), [f1])?.id).toBe('f1');
    expect(frameAt(filled('r', 390, 10, 30, 30), [f1])).toBeUndefined();
  });

  it('joins, leaves, and keeps a child that moved with its frame', () => {
    const f = frame('f', 0, 0, 200, 200);
    const updates = membershipUpdates(
      [filled('in', 10, 10, 20, 20), filled('out', 500, 500, 20, 20, { frameId: 'f' }), filled('stay', 10, 10, 5, 5, { frameId: 'f' })],
      () => [f],
    );
    expect(updates).toEqual([
      { id: 'in', patch: { frameId: 'f' } },
      { id: 'out', patch: { frameId: null } },
    ]);
    // A child moved along with its frame keeps it even where the test says otherwise.
    expect(membershipUpdates([f, filled('c', 900, 900, 5, 5, { frameId: 'f' })], () => [])).toEqual([]);
  });

  it('a resized frame lets go of children outside and takes free elements inside', () => {
    const f = frame('f', 0, 0, 100, 100);
    const updates = resizedFrameUpdates(f, [filled('gone', 150, 0, 20, 20, { frameId: 'f' }), filled('new', 40, 40, 10, 10), filled('other', 40, 40, 10, 10, { frameId: 'g' })]);
    expect(updates).toEqual([
      { id: 'gone', patch: { frameId: null } },
      { id: 'new', patch: { frameId: 'f' } },
    ]);
  });

  it('adds a frame\'s children to a moved selection, once', () => {
    const f = frame('f', 0, 0, 100, 100);
    const kids = [filled('a', 1, 1, 5, 5, { frameId: 'f' }), filled('b', 9, 9, 5, 5, { frameId: 'f' })];
    expect(withFrameChildren([f, kids[0]!], () => kids).map((e) => e.id)).toEqual(['f', 'a', 'b']);
    expect(clipFrame(kids[0]!, (id) => (id === 'f' ? f : undefined))).toBe(f);
    expect(clipFrame(filled('x', 0, 0, 1, 1, { frameId: 'r' }), () => filled('r', 0, 0, 1, 1))).toBeUndefined();
  });
});

describe('frames in the select tool', () => {
  const scene = () => [frame('f', 0, 0, 300, 300), filled('child', 50, 50, 50, 50, { frameId: 'f', z: 'b1' }), filled('free', 600, 50, 50, 50, { z: 'b2' })];

  it('moving a frame moves its children, one undo step', () => {
    const h = setup(scene());
    h.editor.setSelection(['f']);
    // Grab the frame by its name label above it.
    h.drag([10, -10], [110, 90], 10, 5, { mod: true });
    expect(h.store.get('f')).toMatchObject({ x: 100, y: 100 });
    expect(h.store.get('child')).toMatchObject({ x: 150, y: 150, frameId: 'f' });
    expect(h.store.get('free')).toMatchObject({ x: 600, y: 50 });
    expect(h.commands.count('begin')).toBe(1);
    h.editor.run({ type: 'undo' });
    expect(h.store.get('child')).toMatchObject({ x: 50, y: 50 });
  });

  it('an element dragged into a frame joins it; dragged out, it leaves', () => {
    const h = setup(scene());
    h.editor.setSelection(['free']);
    h.drag([625, 75], [125, 175], 10, 5, { mod: true });
    expect(h.store.get('free')).toMatchObject({ x: 100, y: 150, frameId: 'f' });
    h.editor.setSelection(['child']);
    h.drag([75, 75], [475, 75], 10, 5, { mod: true });
    expect(h.store.get('child')!.frameId).toBeUndefined();
    // Both in the one move gesture each.
    expect(h.commands.count('begin')).toBe(2);
  });

  it('a frame resized past a child lets go of it', () => {
    const h = setup(scene());
    h.editor.setSelection(['f']);
    // The east handle from 300 to 60: the child's centre (75) is now outside.
    h.drag([300, 150], [60, 150], 10, 5, { mod: true });
    expect(h.store.get('f')!.width).toBe(60);
    expect(h.store.get('child')!.frameId).toBeUndefined();
  });
});

describe('frames on the canvas', () => {
  it("clips a child to its frame's box, and nothing else", () => {
    const f = frame('f', 0, 0, 300, 300);
    const child = filled('child', 250, 50, 100, 50, { frameId: 'f', z: 'b1' });
    const free = filled('free', 400, 50, 50, 50, { z: 'b2' });
    const els = [f, child, free];
    const ctx = new RecordingContext();
    new Renderer().renderStatic(ctx, els, new Viewport(800, 600), { get: (id) => els.find((e) => e.id === id) });
    expect(ctx.count('clip')).toBe(1);
    expect(ctx.of('rect')).toContainEqual([0, 0, 300, 300]);
    expect(ctx.count('save')).toBe(ctx.count('restore'));
    // Without a way to look the frame up (older callers) nothing is clipped.
    const plain = new RecordingContext();
    new Renderer().renderStatic(plain, els, new Viewport(800, 600));
    expect(plain.count('clip')).toBe(0);
  });
});
