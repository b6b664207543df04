import { describe, expect, it } from 'vitest';
import { nextBoardTitle } from './desktop';

describe('new board titles', () => {
  it('the first board, then the lowest free number', () => {
    expect(nextBoardTitle([])).toBe('My first board');
    expect(nextBoardTitle(['My first board'])).toBe('Board 2');
    expect(nextBoardTitle(['My first board', 'Board 2'])).toBe('Board 3');
    // Two boards give Board 3 whatever the other one is called, and a freed number is reused.
    expect(nextBoardTitle(['Roadmap', 'Sprint'])).toBe('Board 2');
    expect(nextBoardTitle(['Board 3', 'Board 7', 'My first board'])).toBe('Board 2');
    expect(nextBoardTitle(['Board 2', 'Board 3', 'Board 4'])).toBe('Board 5');
  });
});
