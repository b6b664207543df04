import { describe, expect, it } from 'vitest';
import { ACTION_FILTERS, actionLabel, AuditPager, describeDetail, type AuditEntry } from './audit';

const entry = (id: number, action = 'open', detail: Record<string, unknown> = {}): AuditEntry => ({ id, board_id: 'b', actor_id: 'u', action, detail, created_at: '2026-11-28T10:00:00Z' });

describe('audit labels', () => {
  it('names every action the brief lists', () => {
    const expected: Record<string, string> = {
      create: 'Created the board',
      open: 'Opened',
      rename: 'Renamed',
      grant: 'Granted access',
      'link.create': 'Created a share link',
      'link.revoke': 'Revoked a share link',
      join: 'Joined with a link',
      'peer.join': 'A peer joined',
      'peer.denied': 'A peer was refused',
      'peer.write_refused': 'A peer’s edit was refused',
      denied: 'Was denied',
      export: 'Exported',
      import: 'Imported',
      restore: 'Restored a version',
      snapshot: 'Saved a version',
      'board.rekey': 'Re-keyed the board',
      'comment.add': 'Commented',
      'comment.resolve': 'Resolved a comment thread',
    };
    for (const [action, label] of Object.entries(expected)) expect(actionLabel(action), action).toBe(label);
  });

  it('makes unknown actions readable instead of showing raw ids', () => {
    expect(actionLabel('comment.pin')).toBe('Comment pin');
    expect(actionLabel('peer.kick_out')).toBe('Peer kick out');
    expect(actionLabel('')).toBe('(no action)');
  });

  it('offers every filter with its label, all first', () => {
    expect(ACTION_FILTERS[0]).toEqual(['', 'All actions']);
    for (const [value, label] of ACTION_FILTERS.slice(1)) expect(label).toBe(actionLabel(value));
  });

  it('describes the details of common actions', () => {
    expect(describeDetail(entry(1, 'rename', { from: 'A', to: 'B' }))).toBe('“A” → “B”');
    expect(describeDetail(entry(1, 'grant', { subject: 'u2', level: 'EDIT' }), (id) => (id === 'u2' ? 'Ann' : id))).toBe('Ann: edit');
    expect(describeDetail(entry(1, 'grant', { subject: null, level: 'VIEW' }))).toBe('anyone with the link: view');
    expect(describeDetail(entry(1, 'denied', { op: 'restore', needed: 'OWNER', held: 'EDIT' }))).toBe('restore needs owner, held edit');
    expect(describeDetail(entry(1, 'export', { format: 'svg', elements: 4, bytes: 2048 }))).toBe('SVG, 4 elements, 2.0 KB');
    expect(describeDetail(entry(1, 'snapshot', { snapshot: 3, name: null }))).toBe('automatic');
    expect(describeDetail(entry(1, 'peer.denied', { room: 'r1', reason: 'bad link' }))).toBe('room: r1, reason: bad link');
  });
});

describe('audit paging', () => {
  /** A log of ids 1..n, newest first, as `audit_query` pages it. */
  const log = (n: number, actions: (id: number) => string = () => 'open') => {
    const all = Array.from({ length: n }, (_, i) => entry(n - i, actions(n - i)));
    const calls: { action?: string; beforeId?: number; limit: number }[] = [];
    const fetch = async (f: { action?: string; beforeId?: number; limit: number }) => {
      calls.push(f);
      return all.filter((e) => (!f.action || e.action === f.action) && (f.beforeId === undefined || e.id < f.beforeId)).slice(0, f.limit);
    };
    return { fetch, calls };
  };

  it('loads pages before the last id until a short page', async () => {
    const { fetch, calls } = log(7);
    const p = new AuditPager(fetch, 3);
    expect(await p.more()).toBe(3);
    expect(p.beforeId).toBe(5);
    expect(await p.more()).toBe(3);
    expect(p.done).toBe(false);
    expect(await p.more()).toBe(1);
    expect(p.done).toBe(true);
    expect(await p.more()).toBe(0);
    expect(p.entries.map((e) => e.id)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(calls.map((c) => c.beforeId)).toEqual([undefined, 5, 2]);
  });

  it('a new filter starts over and sends the action', async () => {
    const { fetch, calls } = log(10, (id) => (id % 2 ? 'open' : 'export'));
    const p = new AuditPager(fetch, 4);
    await p.more();
    p.reset('export');
    expect(p.entries).toEqual([]);
    expect(p.beforeId).toBeUndefined();
    await p.more();
    await p.more();
    expect(p.entries.map((e) => e.id)).toEqual([10, 8, 6, 4, 2]);
    expect(p.done).toBe(true);
    expect(calls.slice(1).every((c) => c.action === 'export')).toBe(true);
  });

  it('drops a page that arrives after the filter changed', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const p = new AuditPager(async () => {
      await slow;
      return [entry(9, 'open')];
    }, 5);
    const pending = p.more();
    p.reset('export');
    release();
    expect(await pending).toBe(0);
    expect(p.entries).toEqual([]);
    expect(p.loading).toBe(false);
  });
});
