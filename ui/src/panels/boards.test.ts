import { describe, expect, it } from 'vitest';
import type { BoardSummary } from '../bridge/tauri';
import { accessBadge, filterBoards } from './boards';

const b = (title: string, access = 'OWNER'): BoardSummary => ({ id: title || 'x', title, updated_at: '2026-11-28T00:00:00Z', access });
const titles = (list: BoardSummary[]) => list.map((x) => x.title);

describe('board search', () => {
  const boards = [b('Roadmap 2027'), b('Café menu'), b('Sprint retro'), b('road trip', 'VIEW'), b('')];

  it('keeps every board, in order, for an empty or blank query', () => {
    expect(titles(filterBoards(boards, ''))).toEqual(titles(boards));
    expect(titles(filterBoards(boards, '   '))).toEqual(titles(boards));
  });

  it('matches a substring of the title, ignoring case', () => {
    expect(titles(filterBoards(boards, 'ROAD'))).toEqual(['Roadmap 2027', 'road trip']);
    expect(titles(filterBoards(boards, 'retro'))).toEqual(['Sprint retro']);
    expect(filterBoards(boards, 'nothing')).toEqual([]);
  });

  it('needs every word, in any order', () => {
    expect(titles(filterBoards(boards, 'trip road'))).toEqual(['road trip']);
    expect(titles(filterBoards(boards, 'road 2027'))).toEqual(['Roadmap 2027']);
  });

  it('ignores accents both ways and finds untitled boards', () => {
    expect(titles(filterBoards(boards, 'cafe'))).toEqual(['Café menu']);
    expect(titles(filterBoards([b('cafe')], 'café'))).toEqual(['cafe']);
    expect(titles(filterBoards(boards, 'untitled'))).toEqual(['']);
  });
});

describe('access badge', () => {
  it('shows nothing for your boards and the level for shared ones', () => {
    expect(accessBadge('OWNER')).toBeNull();
    expect(accessBadge('EDIT')).toBe('Can edit');
    expect(accessBadge('COMMENT')).toBe('Can comment');
    expect(accessBadge('VIEW')).toBe('View only');
  });
});
