//! The board list sidebar: a search box that filters by title as you type, a thumbnail per board
//! (drawn by the engine from `board_preview`, cached per board until its `updated_at` moves),
//! rename (double-click the title, or the ⋯ menu), delete with Undo (`board_undelete`), and a
//! badge with the access level of boards shared with you.

import type { BoardSummary, Invoke } from '../bridge/tauri';
import { asAppError } from '../bridge/tauri';
import type { Element } from '../model/types';
import { drawPreview, ThumbnailCache } from './preview';
import { el, toast } from './sheet';

const THUMB_W = 64;
const THUMB_H = 44;

/** Lower case, accents removed: "Café" matches "cafe". */
function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The boards whose title holds every word of `query` (any order, any case, accents ignored). */
export function filterBoards(boards: readonly BoardSummary[], query: string): BoardSummary[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [...boards];
  return boards.filter((b) => {
    const title = fold(b.title || 'Untitled');
    return words.every((w) => title.includes(w));
  });
}

/** The badge for a board's access level; none for boards you own. */
export function accessBadge(access: string): string | null {
  switch (access) {
    case 'OWNER':
      return null;
    case 'EDIT':
      return 'Can edit';
    case 'COMMENT':
      return 'Can comment';
    case 'VIEW':
      return 'View only';
    default:
      return access.toLowerCase();
  }
}

/** What the sidebar needs from the desktop shell. */
export interface BoardHost {
  readonly board: string | null;
  open(id: string): Promise<void>;
  refreshList(): Promise<void>;
  /** The board `id` is gone: open another one (or show the welcome). */
  leave(id: string): Promise<void>;
}

export class BoardsPanel {
  private boards: BoardSummary[] = [];
  private current: string | null = null;
  private readonly search: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLParagraphElement;
  readonly thumbs = new ThumbnailCache();
  /** Thumbnails wait for each other: one board read at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private menu: HTMLElement | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly host: BoardHost,
    private readonly invoke: Invoke,
  ) {
    this.list = root.querySelector('ul')!;
    this.search = el('input', { type: 'search', placeholder: 'Search boards', className: 'board-search' });
    this.search.setAttribute('aria-label', 'Search boards by title');
    this.search.addEventListener('input', () => this.render());
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.search.value) {
        e.preventDefault();
        e.stopPropagation();
        this.search.value = '';
        this.render();
      } else if (e.key === 'Enter') {
        const first = filterBoards(this.boards, this.search.value)[0];
        if (first) void this.host.open(first.id);
      } else if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.list.querySelector<HTMLButtonElement>('.board-open')?.focus();
      }
    });
    this.list.addEventListener('keydown', (e) => this.arrowKeys(e));
    this.empty = el('p', { className: 'board-empty', hidden: true });
    this.list.before(this.search);
    this.list.after(this.empty);
    document.addEventListener('pointerdown', (e) => {
      if (this.menu && !this.menu.contains(e.target as Node)) this.closeMenu();
    });
  }

  get visible(): boolean {
    return !this.root.hidden && !this.root.classList.contains('collapsed');
  }

  /** Shows or hides the sidebar (the list itself stays loaded). */
  toggle(show = !this.visible): void {
    this.root.classList.toggle('collapsed', !show);
    if (show) this.search.focus();
  }

  focusSearch(): void {
    this.toggle(true);
    this.search.select();
  }

  /** The shell's list changed (or the open board did). */
  update(boards: BoardSummary[], current: string | null): void {
    this.boards = boards;
    this.current = current;
    this.thumbs.retain(boards.map((b) => b.id));
    this.render();
  }

  /** The access the local user holds on the open board ('OWNER', 'EDIT', ...). */
  currentAccess(): string | null {
    return this.boards.find((b) => b.id === this.current)?.access ?? null;
  }

  currentTitle(): string {
    return this.boards.find((b) => b.id === this.current)?.title || 'Untitled';
  }

  private render(): void {
    const shown = filterBoards(this.boards, this.search.value);
    this.list.replaceChildren(...shown.map((b) => this.item(b)));
    this.empty.hidden = shown.length > 0 || this.boards.length === 0;
    this.empty.textContent = `No board matches “${this.search.value.trim()}”`;
  }

  private item(b: BoardSummary): HTMLLIElement {
    const li = el('li');
    li.dataset.board = b.id;
    const open = el('button', { type: 'button', className: 'board-open', title: `Open “${b.title || 'Untitled'}”` });
    if (b.id === this.current) open.setAttribute('aria-current', 'true');
    const thumb = el('img', { className: 'thumb', alt: '', width: THUMB_W, height: THUMB_H });
    const url = this.thumbs.get(b.id, b.updated_at);
    if (url) thumb.src = url;
    else {
      const stale = this.thumbs.stale(b.id);
      if (stale) thumb.src = stale;
      this.loadThumb(b);
    }
    const title = el('span', { className: 'board-title', textContent: b.title || 'Untitled' });
    title.title = 'Double-click to rename';
    const text = el('span', { className: 'board-text' }, title);
    const badge = accessBadge(b.access);
    if (badge) text.append(el('span', { className: `badge access-${b.access.toLowerCase()}`, textContent: badge }));
    open.append(thumb, text);
    open.addEventListener('click', () => void this.host.open(b.id));
    title.addEventListener('dblclick', (e) => {
      e.preventDefault();
      this.rename(b, li);
    });
    const more = el('button', { type: 'button', className: 'board-more', textContent: '⋯', title: 'Board menu' });
    more.setAttribute('aria-label', `Menu for “${b.title || 'Untitled'}”`);
    more.setAttribute('aria-haspopup', 'menu');
    more.addEventListener('click', (e) => {
      e.stopPropagation();
      this.openMenu(b, li, more);
    });
    li.append(open, more);
    return li;
  }

  /** Up/Down move between boards; F2 renames, Delete deletes the focused one. */
  private arrowKeys(e: KeyboardEvent): void {
    const items = [...this.list.querySelectorAll<HTMLButtonElement>('.board-open')];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const b = this.boards.find((x) => x.id === items[i]!.closest('li')!.dataset.board);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? i + 1 : i - 1;
      if (next < 0) this.search.focus();
      else items[Math.min(next, items.length - 1)]!.focus();
    } else if (e.key === 'F2' && b) {
      e.preventDefault();
      this.rename(b, items[i]!.closest('li')!);
    } else if (e.key === 'Delete' && b) {
      e.preventDefault();
      e.stopPropagation();
      void this.remove(b);
    }
  }

  private loadThumb(b: BoardSummary): void {
    const stamp = b.updated_at;
    if (!this.thumbs.claim(b.id, stamp)) return;
    this.queue = this.queue.then(async () => {
      try {
        const elements = await this.invoke<Element[]>('board_preview', { board: b.id });
        const canvas = document.createElement('canvas');
        drawPreview(canvas, elements, THUMB_W, THUMB_H);
        const url = canvas.toDataURL('image/png');
        this.thumbs.set(b.id, stamp, url);
        const img = this.list.querySelector<HTMLImageElement>(`li[data-board="${b.id}"] img.thumb`);
        if (img) img.src = url;
      } catch {
        // No picture (a board we may not read): the placeholder stays; a later list retries.
        this.thumbs.release(b.id, stamp);
      }
    });
  }

  private rename(b: BoardSummary, li: HTMLLIElement): void {
    const title = li.querySelector<HTMLElement>('.board-title');
    if (!title) return;
    this.closeMenu();
    const input = el('input', { type: 'text', value: b.title, className: 'board-rename' });
    input.setAttribute('aria-label', 'Board title');
    let done = false;
    const finish = async (save: boolean) => {
      if (done) return;
      done = true;
      const next = input.value.trim();
      if (save && next && next !== b.title) {
        try {
          await this.invoke('board_rename', { board: b.id, title: next });
          b.title = next;
        } catch (e) {
          toast(`Could not rename: ${asAppError(e).message}`, { error: true });
        }
      }
      this.render();
    };
    input.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter') void finish(true);
      else if (e.key === 'Escape') void finish(false);
    });
    input.addEventListener('blur', () => void finish(true));
    input.addEventListener('click', (e) => e.stopPropagation());
    title.replaceWith(input);
    input.focus();
    input.select();
  }

  private async remove(b: BoardSummary): Promise<void> {
    this.closeMenu();
    const name = b.title || 'Untitled';
    try {
      await this.invoke('board_delete', { board: b.id });
    } catch (e) {
      toast(`Could not delete “${name}”: ${asAppError(e).message}`, { error: true });
      return;
    }
    this.boards = this.boards.filter((x) => x.id !== b.id);
    this.render();
    if (this.current === b.id) await this.host.leave(b.id);
    toast(`Deleted “${name}”`, {
      ms: 10_000,
      action: [
        'Undo',
        async () => {
          try {
            await this.invoke('board_undelete', { board: b.id });
            await this.host.refreshList();
            await this.host.open(b.id);
          } catch (e) {
            toast(`Could not restore “${name}”: ${asAppError(e).message}`, { error: true });
          }
        },
      ],
    });
  }

  private openMenu(b: BoardSummary, li: HTMLLIElement, anchor: HTMLElement): void {
    const wasOpen = this.menu?.dataset.board === b.id;
    this.closeMenu();
    if (wasOpen) return;
    const menu = el('div', { className: 'board-menu' });
    menu.setAttribute('role', 'menu');
    menu.dataset.board = b.id;
    const item = (label: string, fn: () => void, disabled = false) => {
      const m = el('button', { type: 'button', textContent: label, disabled });
      m.setAttribute('role', 'menuitem');
      m.addEventListener('click', fn);
      return m;
    };
    const owner = b.access === 'OWNER';
    menu.append(
      item('Rename', () => this.rename(b, li), !(owner || b.access === 'EDIT')),
      item('Delete', () => void this.remove(b), !owner),
    );
    menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.closeMenu();
        anchor.focus();
      }
    });
    li.appendChild(menu);
    this.menu = menu;
    menu.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }

  private closeMenu(): void {
    this.menu?.remove();
    this.menu = null;
  }
}
