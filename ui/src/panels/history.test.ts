import { describe, expect, it } from 'vitest';
import { formatSnapshot, relativeTime, snapshotRows, type SnapshotInfo } from './history';

const now = new Date(2026, 10, 28, 15, 30, 0); // local time
const at = (d: Date) => d.toISOString();
const snap = (id: number, created: Date, name: string | null, count = 3): SnapshotInfo => ({
  id,
  board_id: 'b',
  name,
  upto_seq: id * 10,
  element_count: count,
  size: 100,
  created_by: null,
  created_at: at(created),
});

describe('relative times', () => {
  it('reads like a person would say it', () => {
    expect(relativeTime(at(new Date(2026, 10, 28, 15, 29, 40)), now)).toBe('just now');
    expect(relativeTime(at(new Date(2026, 10, 28, 15, 25, 0)), now)).toBe('5 min ago');
    expect(relativeTime(at(new Date(2026, 10, 28, 9, 5, 0)), now)).toBe('Today 09:05');
    expect(relativeTime(at(new Date(2026, 10, 27, 23, 59, 0)), now)).toBe('Yesterday 23:59');
    expect(relativeTime(at(new Date(2026, 0, 3, 8, 0, 0)), now)).toBe('3 Jan 2026 08:00');
    expect(relativeTime('garbage', now)).toBe('garbage');
  });
});

describe('history list', () => {
  it('formats named and automatic snapshots with their element count', () => {
    const named = formatSnapshot(snap(1, new Date(2026, 10, 28, 15, 20), '  Before the review '), now);
    expect(named).toMatchObject({ id: 1, title: 'Before the review', named: true, when: '10 min ago', count: '3 elements' });
    const auto = formatSnapshot(snap(2, new Date(2026, 10, 28, 15, 29, 50), null, 1), now);
    expect(auto).toMatchObject({ title: 'Automatic snapshot', named: false, when: 'just now', count: '1 element' });
    expect(formatSnapshot(snap(3, now, '', 12345), now)).toMatchObject({ named: false, count: '12,345 elements' });
  });

  it('lists newest first and can keep named versions only', () => {
    const list = [snap(1, new Date(2026, 10, 27, 10, 0), 'v1'), snap(3, new Date(2026, 10, 28, 12, 0), null), snap(2, new Date(2026, 10, 28, 9, 0), 'v2')];
    expect(snapshotRows(list, now).map((r) => r.id)).toEqual([3, 2, 1]);
    expect(snapshotRows(list, now, true).map((r) => r.title)).toEqual(['v2', 'v1']);
  });
});
