import { describe, expect, it } from 'vitest';
import { RenderLoop, Renderer } from '../engine/renderer';
import { ManualScheduler } from '../engine/scheduler';
import { Viewport } from '../engine/viewport';
import { RecordingContext } from '../test/fakeCtx';
import { box, setup } from '../test/harness';
import { collaboratorsFrom, initials, KEY_CHARS, LIMITS, PresencePublisher, shortKey, showCollaborators, viewFrom, viewOf } from './presence';

const peer = (id: number, state: unknown): [number, string] => [id, JSON.stringify(state)];
const view = { cx: 100, cy: 50, zoom: 2, w: 800, h: 600 };

describe('presence payload', () => {
  it('publishes our view rounded, and nothing new when only float noise changed', () => {
    const vp = new Viewport(800, 600);
    vp.set(10.123456, -20.987654, 1.23456789);
    const v = viewOf(vp);
    // 400 / 1.23456789 = 324.000003: the centre is 10.1235 + 324 and -20.9877 + 243.
    expect(v).toEqual({ cx: 334.12, cy: 222.01, zoom: 1.2346, w: 800, h: 600 });
    const sched = new ManualScheduler();
    const sent: string[] = [];
    const pub = new PresencePublisher(sched, (j) => sent.push(j));
    const send = () => pub.update({ name: 'Ann', color: '#e03131', pointer: null, selection: [], view: viewOf(vp) });
    send();
    sched.tick();
    vp.set(vp.x + 1e-7, vp.y, vp.zoom);
    send();
    sched.tick();
    expect(sent).toHaveLength(1);
    vp.panBy(5, 0);
    send();
    sched.tick();
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[1]!).view.cx).toBeCloseTo(334.12 - 5 / 1.23456789, 2);
    // A whole message stays small: name, colour, pointer and view in well under 200 bytes.
    expect(sent[1]!.length).toBeLessThan(200);
  });

  it('sends at most LIMITS.selection ids, so a peer never drops our whole selection', () => {
    const sched = new ManualScheduler();
    const sent: string[] = [];
    const pub = new PresencePublisher(sched, (j) => sent.push(j));
    const ids = Array.from({ length: 1500 }, (_, i) => `e${i}`);
    pub.update({ name: 'Ann', color: '#e03131', pointer: null, selection: ids });
    sched.tick();
    const sel = JSON.parse(sent[0]!).selection as string[];
    expect(sel).toHaveLength(LIMITS.selection);
    expect(sel[999]).toBe('e999');
  });
});

describe('reading peers', () => {
  it('keeps a peer with a selection or a view but no pointer; skips one with nothing to show', () => {
    const c = collaboratorsFrom([
      peer(1, { name: 'Ann', color: '#2f9e44', pointer: null, selection: ['a', 'b'] }),
      peer(2, { name: 'Bo', pointer: null, view }),
      peer(3, { name: 'Cy', pointer: null, selection: [] }),
    ]);
    expect(c.map((p) => [p.id, p.point, p.selection, p.view])).toEqual([
      ['1', null, ['a', 'b'], null],
      ['2', null, [], view],
    ]);
  });

  it('drops a malformed part on its own and keeps the rest of the peer', () => {
    const [c] = collaboratorsFrom([
      peer(7, { name: 'Di', pointer: { x: 1, y: 2 }, selection: 'a,b', view: { ...view, w: 0 } }),
    ]);
    expect(c).toEqual({ id: '7', name: 'Di', color: expect.stringMatching(/^#[0-9a-f]{6}$/), point: { x: 1, y: 2 }, selection: [], view: null, key: null, following: null });
  });

  it('reads short keys (who they are, whom they follow) only in their plain form', () => {
    const [a, b] = collaboratorsFrom([
      peer(1, { pointer: null, view, key: shortKey('AbCdEfGh_-0123456789xyz'), following: 'Zz9+/=' }),
      peer(2, { pointer: null, view, key: 'x'.repeat(KEY_CHARS + 1), following: '<img src=x>' }),
    ]);
    expect([a!.key, a!.following]).toEqual(['AbCdEfGh_-012345', 'Zz9+/=']);
    expect([b!.key, b!.following]).toEqual([null, null]);
  });

  it('bounds selections: the first 1000 entries, strings of sane length, no repeats', () => {
    const ids = [...Array.from({ length: 1200 }, (_, i) => `e${i}`)];
    ids.splice(3, 0, 'e0', 42 as unknown as string, '', 'x'.repeat(LIMITS.id + 1));
    const [c] = collaboratorsFrom([peer(1, { pointer: null, selection: ids })]);
    // 1000 entries read; of those, 4 were the junk inserted above.
    expect(c!.selection).toHaveLength(996);
    expect(c!.selection.slice(0, 4)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(c!.selection.at(-1)).toBe('e995');
  });

  it('checks every number of a view and clamps the zoom to ours', () => {
    expect(viewFrom(view)).toEqual(view);
    expect(viewFrom({ ...view, zoom: 1e6 })).toEqual({ ...view, zoom: 30 });
    for (const bad of [
      { ...view, cx: 'NaN' },
      { ...view, cy: 1e12 },
      { ...view, zoom: 0 },
      { ...view, zoom: -1 },
      { ...view, w: 0.5 },
      { ...view, h: 1e6 },
      { cx: 1, cy: 2, zoom: 1 },
      [1, 2, 3],
      null,
      'view',
    ]) {
      expect(viewFrom(bad)).toBeNull();
    }
    // Infinity does not survive JSON: it arrives as null and the view is dropped.
    const [c] = collaboratorsFrom([peer(1, { pointer: { x: 0, y: 0 }, view: { ...view, cx: Infinity } })]);
    expect(c!.view).toBeNull();
  });

  it('skips states that are too long, not objects, or past the peer limit; cleans names', () => {
    const long = JSON.stringify({ pointer: { x: 0, y: 0 }, name: 'x'.repeat(LIMITS.json) });
    const many = Array.from({ length: LIMITS.peers + 5 }, (_, i) => peer(100 + i, { pointer: { x: i, y: 0 } }));
    const c = collaboratorsFrom([
      [1, long],
      peer(2, [{ pointer: { x: 0, y: 0 } }]),
      peer(3, 'string'),
      peer(4, { name: ' Eve\u0000\u001b[31m\n  Smith ', pointer: { x: 0, y: 0 } }),
      ...many,
    ]);
    expect(c).toHaveLength(LIMITS.peers);
    expect(c[0]!.id).toBe('4');
    expect(c[0]!.name).toBe('Eve  [31m   Smith');
    expect(initials(c[0]!.name)).toBe('ES');
    expect([initials('bo'), initials('  '), initials('Ébé Ôl')]).toEqual(['B', '?', 'ÉÔ']);
  });
});

describe('collaborators on the interactive layer', () => {
  it('presence repaints only the interactive layer, and the board layer never shows it', () => {
    const sched = new ManualScheduler();
    let statics = 0;
    let interactives = 0;
    const loop = new RenderLoop(() => statics++, () => interactives++, sched);
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100)], { invalidate: (l) => loop.invalidate(l) });
    sched.tick();
    const before = statics;
    for (let i = 0; i < 5; i++) {
      showCollaborators(h.editor, collaboratorsFrom([peer(1, { name: 'Ann', color: '#123456', pointer: { x: i, y: i }, selection: ['a'] })]));
      sched.tick();
    }
    expect(statics).toBe(before);
    expect(interactives).toBeGreaterThanOrEqual(5);

    // What the layers paint: their colour only on the interactive one.
    const inter = new RecordingContext();
    const stat = new RecordingContext();
    const r = new Renderer();
    r.renderInteractive(inter, h.editor.interactive, (id) => h.store.get(id), h.editor.viewport);
    r.renderStatic(stat, [...h.store.values()], h.editor.viewport);
    const painted = (ctx: RecordingContext) => ctx.calls.some((c) => c.args.includes('#123456'));
    expect(painted(inter)).toBe(true);
    expect(painted(stat)).toBe(false);
  });
});
