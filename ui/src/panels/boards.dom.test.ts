// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { BoardSummary } from '../bridge/tauri';
import { BoardsPanel, placeMenu } from './boards';

const summary = (id: string, title: string): BoardSummary => ({ id, title, updated_at: '2026-12-01T00:00:00Z', access: 'OWNER' });

function panel(boards: BoardSummary[]) {
  document.body.innerHTML = '<aside id="boards"><ul></ul></aside>';
  const root = document.getElementById('boards')!;
  const opened: string[] = [];
  const renamed: [string, string][] = [];
  let p: BoardsPanel;
  const host = {
    board: null as string | null,
    async open(id: string) {
      opened.push(id);
      // As the shell does: opening a board re-renders the list with the new current board.
      p.update([...boards], id);
    },
    async refreshList() {},
    async leave() {},
  };
  const invoke = async <T,>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    if (cmd === 'board_rename') renamed.push([args!.board as string, args!.title as string]);
    if (cmd === 'board_preview') throw new Error('no preview in tests');
    return undefined as T;
  };
  p = new BoardsPanel(root, host, invoke);
  p.update(boards, 'a');
  return { p, root, opened, renamed };
}

const click = (t: Element, detail: number) => t.dispatchEvent(new MouseEvent('click', { bubbles: true, detail }));
const dblclick = (t: Element) => t.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));
const row = (root: HTMLElement, id: string) => root.querySelector<HTMLLIElement>(`li[data-board="${id}"]`)!;

describe('board list: renaming', () => {
  it('a double-click on a title renames it (the board opens once, the editor survives the re-render)', async () => {
    const { root, opened } = panel([summary('a', 'First'), summary('b', 'Second')]);
    click(row(root, 'b').querySelector('.board-title')!, 1);
    await Promise.resolve();
    // The list was re-rendered by the open: the second click lands on the new row.
    const title = row(root, 'b').querySelector('.board-title')!;
    click(title, 2);
    dblclick(title);
    expect(opened).toEqual(['b']);
    const input = root.querySelector<HTMLInputElement>('input.board-rename');
    expect(input).not.toBeNull();
    expect(input!.value).toBe('Second');
    expect(document.activeElement).toBe(input);
  });

  it('the title editor is not inside the open button (whose Space and clicks would reopen the board)', () => {
    const { root } = panel([summary('a', 'Only board')]);
    dblclick(row(root, 'a').querySelector('.board-title')!);
    const input = root.querySelector<HTMLInputElement>('input.board-rename')!;
    expect(input.closest('button')).toBeNull();
  });

  it('a title with spaces is typed and saved; a list refresh while typing keeps the edit', async () => {
    const { p, root, renamed } = panel([summary('a', 'Old')]);
    root.querySelector<HTMLButtonElement>('.board-more')!.click();
    const rename = [...root.querySelectorAll<HTMLButtonElement>('.board-menu button')].find((b) => b.textContent === 'Rename')!;
    rename.click();
    const input = root.querySelector<HTMLInputElement>('input.board-rename')!;
    input.value = 'Sprint planning';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keyup', { key: ' ', bubbles: true }));
    p.update([summary('a', 'Old')], 'a'); // the 500 ms refresh lands meanwhile
    expect(root.querySelector('input.board-rename')).toBe(input);
    expect(document.activeElement).toBe(input);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await Promise.resolve();
    expect(renamed).toEqual([['a', 'Sprint planning']]);
  });
});

describe('board menu placement', () => {
  const view = { width: 1000, height: 700 };
  it('opens below its button, right edges aligned', () => {
    expect(placeMenu({ left: 200, top: 100, width: 24, height: 24 }, { width: 120, height: 70 }, view)).toEqual({ left: 104, top: 126 });
  });
  it('opens above its button when there is no room below', () => {
    expect(placeMenu({ left: 200, top: 650, width: 24, height: 24 }, { width: 120, height: 70 }, view)).toEqual({ left: 104, top: 578 });
  });
  it('stays inside the window', () => {
    const at = placeMenu({ left: 2, top: 20, width: 24, height: 24 }, { width: 120, height: 70 }, view);
    expect(at.left).toBeGreaterThanOrEqual(8);
  });
});
