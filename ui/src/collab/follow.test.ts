import { describe, expect, it } from 'vitest';
import { remoteSelection, REMOTE_PAD_PX } from '../engine/handles';
import { Renderer } from '../engine/renderer';
import { Viewport } from '../engine/viewport';
import { RecordingContext } from '../test/fakeCtx';
import { box } from '../test/harness';
import { avatarRow, type Camera, Follower, followCamera, followLabel, MAX_AVATARS, type StopReason } from './follow';
import type { Collaborator, View } from './presence';

const visible = (c: Camera, w: number, h: number) => ({ x: c.x, y: c.y, width: w / c.zoom, height: h / c.zoom });
const ann = (view: View | null, extra: Partial<Collaborator> = {}): Collaborator => ({
  id: '1', name: 'Ann', color: '#e03131', point: null, selection: [], view, key: null, following: null, ...extra,
});

describe('following: the camera', () => {
  it('the same window size shows exactly their rectangle', () => {
    const c = followCamera({ cx: 500, cy: 300, zoom: 2, w: 800, h: 600 }, 800, 600);
    expect(c).toEqual({ x: 300, y: 150, zoom: 2 });
  });

  it('a smaller or differently shaped window fits their whole rectangle around their centre', () => {
    // They see 400 × 300 world units centred on (500, 300).
    const v = { cx: 500, cy: 300, zoom: 2, w: 800, h: 600 };
    const half = followCamera(v, 400, 300);
    expect(half.zoom).toBe(1);
    expect(visible(half, 400, 300)).toEqual({ x: 300, y: 150, width: 400, height: 300 });
    // A tall window: the width decides, and more shows above and below.
    const tall = followCamera(v, 400, 900);
    expect(tall.zoom).toBe(1);
    const r = visible(tall, 400, 900);
    expect([r.x, r.width]).toEqual([300, 400]);
    expect(r.y + r.height / 2).toBe(300);
    expect(r.height).toBe(900);
    // A wide window: the height decides.
    const wide = followCamera(v, 2000, 600);
    expect(wide.zoom).toBe(2);
    expect(visible(wide, 2000, 600).x + 500).toBe(500);
  });

  it('the zoom stays in our range', () => {
    expect(followCamera({ cx: 0, cy: 0, zoom: 0.1, w: 16000, h: 16000 }, 100, 100).zoom).toBe(0.1);
    expect(followCamera({ cx: 0, cy: 0, zoom: 30, w: 1, h: 1 }, 1000, 1000).zoom).toBe(30);
  });
});

describe('following: when it starts and stops', () => {
  const make = () => {
    const vp = new Viewport(800, 600);
    const events: (string | null)[] = [];
    const stops: StopReason[] = [];
    const f = new Follower(vp, (t, reason) => {
      events.push(t?.name ?? null);
      if (reason) stops.push(reason);
    });
    return { vp, f, events, stops };
  };
  const v1 = { cx: 500, cy: 300, zoom: 2, w: 800, h: 600 };

  it('tracks their view as it changes, and refits when our window resizes', () => {
    const { vp, f, stops } = make();
    f.start(ann(v1));
    expect([vp.x, vp.y, vp.zoom]).toEqual([300, 150, 2]);
    f.peers([ann({ ...v1, cx: 600 })]);
    expect([vp.x, vp.y, vp.zoom]).toEqual([400, 150, 2]);
    vp.resize(400, 300);
    expect(f.following?.name).toBe('Ann');
    expect([vp.x, vp.y, vp.zoom]).toEqual([400, 150, 1]);
    // A peer update without a view keeps the camera and keeps following.
    f.peers([ann(null)]);
    expect([vp.x, vp.y, vp.zoom]).toEqual([400, 150, 1]);
    expect(stops).toEqual([]);
  });

  it('our own pan or zoom stops it; their next move then leaves our camera alone', () => {
    const { vp, f, stops } = make();
    f.start(ann(v1));
    vp.panBy(10, 0);
    expect(f.following).toBeNull();
    f.peers([ann({ ...v1, cx: 900 })]);
    expect(vp.x).toBe(295);
    f.start(ann(v1));
    vp.zoomBy(1.25);
    expect(f.following).toBeNull();
    expect(stops).toEqual(['moved', 'moved']);
  });

  it('a pan stops it even before their first view arrived', () => {
    const { vp, f, stops } = make();
    f.start(ann(null));
    vp.resize(700, 500);
    expect(f.following?.name).toBe('Ann');
    vp.panBy(0, 5);
    expect(stops).toEqual(['moved']);
  });

  it('Esc stops it (and is only used while following); so does clicking them again', () => {
    const { f, stops } = make();
    expect(f.key('Escape')).toBe(false);
    f.start(ann(v1));
    expect(f.key('a')).toBe(false);
    expect(f.key('Escape')).toBe(true);
    expect(f.following).toBeNull();
    f.toggle(ann(v1));
    f.toggle(ann(v1));
    expect(stops).toEqual(['escape', 'stopped']);
  });

  it('stops when they leave; switching to someone else follows them', () => {
    const { vp, f, events, stops } = make();
    f.start(ann(v1));
    const bo = ann({ cx: 0, cy: 0, zoom: 1, w: 800, h: 600 }, { id: '2', name: 'Bo', key: 'bokey' });
    f.toggle(bo);
    // Presence says whom we follow by their key.
    expect(f.following?.key).toBe('bokey');
    expect([vp.x, vp.y]).toEqual([-400, -300]);
    f.peers([ann(v1)]);
    expect(stops).toEqual(['left']);
    expect(events).toEqual(['Ann', 'Bo', null]);
    expect(followLabel('Bo')).toBe('Following Bo — Esc to stop');
  });

  it('the avatar row: initials, the one followed pressed and kept visible, the rest counted', () => {
    const list = Array.from({ length: MAX_AVATARS + 3 }, (_, i) => ann(i === 0 ? null : v1, { id: String(i), name: `P${i} X`, color: '#0c8599' }));
    const row = avatarRow(list, String(MAX_AVATARS + 2));
    expect(row.avatars.map((a) => a.id)).toEqual(['0', '1', '2', '3', '4', String(MAX_AVATARS + 2)]);
    expect(row.avatars[0]).toMatchObject({ initials: 'PX', disabled: true, pressed: false });
    expect(row.avatars.at(-1)).toMatchObject({ pressed: true, disabled: false, title: expect.stringContaining('Following P8 X') });
    expect(row.more).toEqual(['P5 X', 'P6 X', 'P7 X']);
    expect(row.avatars.some((a) => a.followsMe)).toBe(false);
  });

  it('marks who follows us, by our short key', () => {
    const list = [ann(v1, { following: 'mykey' }), ann(v1, { id: '2', name: 'Bo', following: 'other' })];
    const row = avatarRow(list, null, 'mykey');
    expect(row.avatars.map((a) => a.followsMe)).toEqual([true, false]);
    expect(row.avatars[0]!.title).toBe('Ann — click to follow their view · Ann is following you');
    // Without a key of our own, nobody is marked.
    expect(avatarRow(list, null, null).avatars.map((a) => a.followsMe)).toEqual([false, false]);
  });
});

describe("collaborators' selections", () => {
  it('one element: its box rotated with it, padded, tagged at the topmost corner', () => {
    const el = box('a', 'rectangle', 0, 0, 100, 50, { angle: Math.PI / 2 });
    const s = remoteSelection([el], 2)!;
    const pad = REMOTE_PAD_PX / 2;
    expect(s.frame).toBeNull();
    // Turned a quarter about (50, 25): the box now spans x 25..75, y -25..75.
    const xs = s.outlines[0]!.map((p) => p.x);
    const ys = s.outlines[0]!.map((p) => p.y);
    expect(Math.min(...xs)).toBeCloseTo(25 - pad);
    expect(Math.max(...xs)).toBeCloseTo(75 + pad);
    expect(Math.min(...ys)).toBeCloseTo(-25 - pad);
    expect(Math.max(...ys)).toBeCloseTo(75 + pad);
    expect(s.tag.x).toBeCloseTo(25 - pad);
    expect(s.tag.y).toBeCloseTo(-25 - pad);
  });

  it('several: a ring each and an unrotated frame around their bounds', () => {
    const s = remoteSelection([box('a', 'rectangle', 0, 0, 10, 10), box('b', 'ellipse', 100, 50, 20, 20)], 1)!;
    expect(s.outlines).toHaveLength(2);
    const p = 2 * REMOTE_PAD_PX;
    expect(s.frame).toEqual([
      { x: -p, y: -p },
      { x: 120 + p, y: -p },
      { x: 120 + p, y: 70 + p },
      { x: -p, y: 70 + p },
    ]);
    expect(s.tag).toEqual({ x: -p, y: -p });
    expect(remoteSelection([], 1)).toBeNull();
  });

  it('are drawn in their colour with their name, skipping elements that are gone, with or without a pointer', () => {
    const a = box('a', 'rectangle', 0, 0, 100, 100);
    const ctx = new RecordingContext();
    new Renderer().renderInteractive(
      ctx,
      {
        selection: new Set(),
        collaborators: [
          { id: '1', name: 'Ann', color: '#2f9e44', point: null, selection: ['gone', 'a'] },
          { id: '2', name: 'Bo', color: '#9c36b5', point: null, selection: ['gone'] },
        ],
      },
      (id) => (id === 'a' ? a : undefined),
      new Viewport(800, 600),
    );
    // One ring, in Ann's colour, and her tag; Bo selected nothing that exists and has no pointer.
    expect(ctx.of('stroke')).toEqual([['#2f9e44']]);
    expect(ctx.of('moveTo')).toEqual([[-3, -3]]);
    expect(ctx.of('fillText').map((t) => t[0])).toEqual(['Ann']);
    expect(ctx.of('fillRect').map((r) => r.at(-1))).toEqual(['#2f9e44']);
    expect(JSON.stringify(ctx.calls)).not.toContain('#9c36b5');
  });
});
