import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../engine/scheduler';
import { box, setup } from '../test/harness';
import { actionAllowed, blockedReason, modeBadge, modeFor, toolAllowed } from '../tools/mode';
import type { CommentAnchor } from '../tools/tool';
import { pinAt, pinPoint, pinsFor } from './pins';
import { collaboratorsFrom, PresencePublisher } from './presence';
import { describeLink, expiryFor, fingerprint, parsePastedLink, relayProblem, syncLabel } from './sharing';
import type { IssuedLink, Thread } from './types';

const thread = (id: string, anchor: Thread['anchor'], resolved = false): Thread => ({
  id,
  anchor,
  createdBy: 'u',
  createdAt: 0,
  resolved,
  messages: [
    { id: `${id}m1`, author: 'u', authorName: 'Ann', text: 'hi', createdAt: 0 },
    { id: `${id}m2`, author: 'u', authorName: 'Ann', text: '', createdAt: 0, deleted: true },
  ],
});

describe('mode gating', () => {
  it('maps the core access levels to modes', () => {
    expect(['OWNER', 'EDIT', 'COMMENT', 'VIEW', 'NONE'].map(modeFor)).toEqual(['edit', 'edit', 'comment', 'view', 'view']);
  });

  it('VIEW allows only looking; COMMENT adds the comment tool; EDIT allows everything', () => {
    expect(toolAllowed('view', 'hand')).toBe(true);
    expect(toolAllowed('view', 'rectangle')).toBe(false);
    expect(toolAllowed('view', 'select')).toBe(false);
    expect(toolAllowed('view', 'comment')).toBe(false);
    expect(toolAllowed('comment', 'comment')).toBe(true);
    expect(toolAllowed('comment', 'pen')).toBe(false);
    expect(toolAllowed('edit', 'pen')).toBe(true);
    expect(actionAllowed('view', { type: 'delete' })).toBe(false);
    expect(actionAllowed('view', { type: 'undo' })).toBe(false);
    expect(actionAllowed('view', { type: 'zoomIn' })).toBe(true);
    expect(blockedReason('view')).toBe('You have view access — ask the owner for an edit link');
    expect(blockedReason('edit')).toBeNull();
    expect([modeBadge('view'), modeBadge('comment'), modeBadge('edit')]).toEqual(['View only', 'Can comment', null]);
  });

  it('an editor in view mode refuses drawing tools and edits by key, and keeps the board unchanged', () => {
    const h = setup([box('a', 'rectangle', 0, 0, 50, 50)]);
    h.editor.setSelection(['a']);
    h.editor.setMode('view');
    expect(h.editor.toolName).toBe('hand');
    expect(h.editor.interactive.selection.size).toBe(0);
    h.editor.setTool('rectangle');
    expect(h.editor.toolName).toBe('hand');
    h.editor.keyDown({ key: 'r', shift: false, alt: false, mod: false });
    expect(h.editor.toolName).toBe('hand');
    h.editor.run({ type: 'selectAll' });
    h.editor.run({ type: 'delete' });
    h.editor.insertElements([box('b', 'rectangle', 0, 0, 5, 5)]);
    expect(h.commands.events).toEqual([]);
    expect(h.store.size).toBe(1);
    h.editor.setMode('edit');
    expect(h.editor.toolName).toBe('select');
    h.editor.setTool('rectangle');
    expect(h.editor.toolName).toBe('rectangle');
  });

  it('in comment mode C picks the comment tool, and a click places a thread on the element under it', () => {
    const placed: CommentAnchor[] = [];
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100, { fill: '#fff' })], { onPlaceComment: (a) => placed.push(a) });
    h.editor.setMode('comment');
    h.editor.keyDown({ key: 'c', shift: false, alt: false, mod: false });
    expect(h.editor.toolName).toBe('comment');
    h.drag([50, 50], [50, 50], 1, 1);
    h.drag([300, 300], [300, 300], 1, 1);
    // A drag is not a click: nothing placed.
    h.drag([400, 400], [500, 500], 5, 5);
    expect(placed).toEqual([{ element: 'a', x: 50, y: 50 }, { x: 300, y: 300 }]);
    expect(h.commands.events).toEqual([]);
  });
});

describe('comment pins', () => {
  it('a pin follows its element (top-right corner) and falls back to the board point once it is gone', () => {
    const el = box('a', 'rectangle', 10, 20, 100, 50);
    const t = thread('t', { element: 'a', x: 40, y: 40 });
    expect(pinPoint(t, (id) => (id === 'a' ? el : undefined))).toEqual({ x: 110, y: 20 });
    const moved = { ...el, x: 200 };
    expect(pinPoint(t, () => moved)).toEqual({ x: 300, y: 20 });
    expect(pinPoint(t, () => undefined)).toEqual({ x: 40, y: 40 });
  });

  it('only open threads get pins, counting live messages; hit testing finds the topmost', () => {
    const threads = [thread('t1', { x: 0, y: 100 }), thread('t2', { x: 500, y: 500 }, true), thread('t3', { x: 4, y: 100 })];
    const pins = pinsFor(threads, () => undefined, 't3');
    expect(pins.map((p) => [p.thread, p.count, p.active])).toEqual([
      ['t1', 1, false],
      ['t3', 1, true],
    ]);
    const id = (p: { x: number; y: number }) => p;
    // The pin is drawn above and right of its tip.
    expect(pinAt(pins, { x: 15, y: 89 }, id)?.thread).toBe('t3');
    expect(pinAt(pins, { x: 200, y: 200 }, id)).toBeUndefined();
  });
});

describe('share and join dialogs', () => {
  it('expiry presets are whole days from now; never is null', () => {
    expect(expiryFor('never', 1000)).toBeNull();
    expect(expiryFor('1d', 1000.7)).toBe(1000 + 86400);
    expect(expiryFor('30d', 0)).toBe(30 * 86400);
  });

  it('checks relay addresses', () => {
    expect(relayProblem('', false)).toBeNull();
    expect(relayProblem('', true)).toMatch(/Enter the relay/);
    expect(relayProblem('ws://relay.example:8787', true)).toBeNull();
    expect(relayProblem('ws://relay.example:8787/', true)).toBeNull();
    expect(relayProblem('http://relay', true)).toMatch(/starts with ws:\/\/ or wss:\/\//);
    expect(relayProblem('ws://relay/room', true)).toMatch(/no path/);
  });

  it('accepts wss:// relays wherever ws:// ones are', () => {
    expect(relayProblem('wss://relay.example', true)).toBeNull();
    expect(relayProblem('wss://relay.example:8443/', false)).toBeNull();
    expect(relayProblem('wss://', true)).toMatch(/Use just wss:\/\/host:port/);
    expect(relayProblem('wss://relay.example/room', true)).toMatch(/Use just wss:\/\/host:port, with no path/);
    expect(relayProblem('wss://relay example', true)).toMatch(/no path/);
    expect(relayProblem('https://relay.example', true)).toMatch(/wss:\/\/relay\.example/);
  });

  it('checks the outline of a pasted link and leaves the rest to the core', () => {
    expect(parsePastedLink('  easel://board/x#cap=y \n')).toEqual({ link: 'easel://board/x#cap=y' });
    expect(parsePastedLink('')).toHaveProperty('problem');
    expect(parsePastedLink('https://example.com')).toEqual({ problem: 'That is not an Easel link: it should start with easel://board/' });
    expect(parsePastedLink('easel://board/x #cap')).toHaveProperty('problem');
  });

  it('fingerprints and link rows read well', () => {
    expect(fingerprint('AbCdEfGhIjKlMnOpQrSt')).toBe('AbCd EfGh IjKl MnOp');
    const link: IssuedLink = {
      link_id: 'l', board_id: 'b', level: 'COMMENT', subject_id: null, relay: null, issued_at: 0,
      expires_at: 3 * 86400, revoked_at: null, subject_key: null, status: 'active', url: 'easel://board/b',
    };
    expect(describeLink(link, 0)).toEqual({ level: 'Can comment', who: 'anyone with the link', expiry: 'expires in 3 days', status: 'active' });
    expect(describeLink({ ...link, status: 'revoked', subject_key: 'AAAABBBBCCCCDDDDEEEE' }, 0)).toMatchObject({ who: 'only AAAA BBBB CCCC DDDD', expiry: 'revoked' });
  });

  it('the sync indicator names the state and, when refused, the reason', () => {
    expect(syncLabel(null).text).toBe('Offline');
    expect(syncLabel({ state: 'connecting', detail: { attempt: 0 } }).tone).toBe('busy');
    expect(syncLabel({ state: 'downloading', detail: { received: 12_345_678 } })).toMatchObject({ text: 'Downloading… 12.3 MB', tone: 'busy' });
    expect(syncLabel({ state: 'synced' }, 'ws://r:1')).toMatchObject({ text: 'Synced', tone: 'ok' });
    const refused = syncLabel({ state: 'denied', detail: 'the link was revoked' });
    expect(refused).toMatchObject({ text: 'Refused: the link was revoked', tone: 'bad' });
    expect(syncLabel({ state: 'error', detail: 'connection refused' }).text).toBe('Reconnecting…');
    const failed = syncLabel({ state: 'failed', detail: 'sync stopped: the document engine failed: applying a remote update: x' });
    expect(failed).toMatchObject({ text: 'Sync stopped', tone: 'bad' });
    expect(failed.title).toContain('the document engine failed');
    expect(refused.title).toContain('the link was revoked');
  });
});

describe('presence', () => {
  it('sends at most one update per frame, the newest, and nothing when unchanged', () => {
    const sched = new ManualScheduler();
    const sent: string[] = [];
    const pub = new PresencePublisher(sched, (j) => sent.push(j));
    for (let i = 0; i < 50; i++) pub.update({ name: 'Ann', color: '#e03131', pointer: { x: i, y: 0 }, selection: [] });
    expect(sent).toEqual([]);
    sched.tick();
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!).pointer).toEqual({ x: 49, y: 0 });
    pub.update({ name: 'Ann', color: '#e03131', pointer: { x: 49, y: 0 }, selection: [] });
    sched.tick();
    expect(sent).toHaveLength(1);
    pub.reset();
    pub.update({ name: 'Ann', color: '#e03131', pointer: { x: 49, y: 0 }, selection: [] });
    sched.tick();
    expect(sent).toHaveLength(2);
  });

  it('reads peers defensively: bad JSON and pointer-less states are skipped, names cut', () => {
    const peers: [number, string][] = [
      [1, JSON.stringify({ name: 'Bo', color: '#2f9e44', pointer: { x: 1, y: 2 } })],
      [2, '{not json'],
      [3, JSON.stringify({ name: 'Cy', pointer: null })],
      [4, JSON.stringify({ name: 'x'.repeat(100), color: 'red; background:url(x)', pointer: { x: 0, y: Infinity } })],
      [5, JSON.stringify({ color: 'javascript:', pointer: { x: 3, y: 4 } })],
    ];
    const c = collaboratorsFrom(peers);
    expect(c.map((p) => [p.id, p.name])).toEqual([
      ['1', 'Bo'],
      ['5', 'Guest'],
    ]);
    expect(c[0]!.color).toBe('#2f9e44');
    expect(c[1]!.color).toMatch(/^#[0-9a-f]{6}$/);
  });
});
