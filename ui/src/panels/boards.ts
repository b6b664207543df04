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

/** Whether the local user may rename `b` (owners and editors). */
const canRename = (b: BoardSummary): boolean => b.access === 'OWNER' || b.access === 'EDIT';

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

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where a popup menu of `size` goes for the button `anchor` in a `view`-sized window: below the
 * button, right edges aligned; above it when there is no room below; always inside the window,
 * `margin` from its edges (a sidebar's overflow must not hide an item).
 */
export function placeMenu(anchor: Box, size: { width: number; height: number }, view: { width: number; height: number }, margin = 8): { left: number; top: number } {
  let top = anchor.top + anchor.height + 2;
  if (top + size.height > view.height - margin && anchor.top - 2 - size.height >= margin) top = anchor.top - 2 - size.height;
  top = Math.max(margin, Math.min(top, view.height - margin - size.height));
  const left = Math.max(margin, Math.min(anchor.left + anchor.width - size.width, view.width - margin - size.width));
  return { left, top };
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
  /** The title being edited: kept across re-renders of the list (a refresh must not drop it). */
  private renaming: { id: string; input: HTMLInputElement } | null = null;

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
    // Double-click on a board renames it, as its tooltip says. Listened to on the list: the first
    // click opens the board, which may re-render the list before the second one.
    this.list.addEventListener('dblclick', (e) => {
      const li = (e.target as HTMLElement).closest?.('li');
      if (!li || !(e.target as HTMLElement).closest('.board-open')) return;
      const b = this.boards.find((x) => x.id === li.dataset.board);
      if (!b || !canRename(b)) return;
      e.preventDefault();
      this.rename(b, li);
    });
    this.empty = el('p', { className: 'board-empty', hidden: true });
    this.list.before(this.search);
    this.list.after(this.empty);
    // A fixed menu would stay behind while its row scrolls away.
    root.addEventListener('scroll', () => this.closeMenu());
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
    const r = this.renaming;
    const typing = !!r && document.activeElement === r.input;
    const caret = r ? [r.input.selectionStart, r.input.selectionEnd] : null;
    this.list.replaceChildren(...shown.map((b) => this.item(b)));
    if (r) {
      const li = this.list.querySelector<HTMLLIElement>(`li[data-board="${CSS.escape(r.id)}"]`);
      if (li) this.placeRenameInput(li, r.input);
      // Moving the input in the document loses its focus: give it back, caret where it was.
      if (typing && li) {
        r.input.focus();
        if (caret) r.input.setSelectionRange(caret[0] ?? null, caret[1] ?? null);
      }
    }
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
    // The second click of a double-click renames (below), it does not open again.
    open.addEventListener('click', (e) => {
      if (e.detail < 2) void this.host.open(b.id);
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

  /**
   * Puts the title editor in place of the row's open button (not inside it: a button would take
   * the input's Space and clicks as its own activation and reopen the board, dropping the edit).
   */
  private placeRenameInput(li: HTMLLIElement, input: HTMLInputElement): void {
    const open = li.querySelector<HTMLElement>('.board-open');
    if (!open) return;
    const row = el('div', { className: 'board-open renaming' });
    const thumb = open.querySelector('.thumb');
    if (thumb) row.append(thumb);
    row.append(input);
    open.replaceWith(row);
  }

  private rename(b: BoardSummary, li: HTMLLIElement): void {
    if (!li.querySelector('.board-open')) return;
    this.closeMenu();
    if (this.renaming?.id === b.id) {
      this.renaming.input.focus();
      return;
    }
    const input = el('input', { type: 'text', value: b.title, className: 'board-rename' });
    input.setAttribute('aria-label', 'Board title');
    this.renaming = { id: b.id, input };
    let done = false;
    const finish = async (save: boolean) => {
      if (done) return;
      done = true;
      if (this.renaming?.input === input) this.renaming = null;
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
    input.addEventListener('blur', () => {
      // A re-render moves the input (and blurs it): only leaving it for good ends the edit.
      if (input.isConnected && document.activeElement !== input) void finish(true);
    });
    input.addEventListener('click', (e) => e.stopPropagation());
    input.addEventListener('dblclick', (e) => e.stopPropagation());
    this.placeRenameInput(li, input);
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
      item('Rename', () => this.rename(b, this.rowOf(b) ?? li), !canRename(b)),
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
    // Fixed, at the button, kept inside the window: the sidebar's overflow would hide its end.
    const a = anchor.getBoundingClientRect();
    const at = placeMenu(a, { width: menu.offsetWidth, height: menu.offsetHeight }, { width: window.innerWidth, height: window.innerHeight });
    menu.style.left = `${at.left}px`;
    menu.style.top = `${at.top}px`;
    anchor.setAttribute('aria-expanded', 'true');
    this.menu = menu;
    menu.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }

  private rowOf(b: BoardSummary): HTMLLIElement | null {
    return this.list.querySelector<HTMLLIElement>(`li[data-board="${CSS.escape(b.id)}"]`);
  }

  private closeMenu(): void {
    this.menu?.parentElement?.querySelector('.board-more')?.removeAttribute('aria-expanded');
    this.menu?.remove();
    this.menu = null;
  }
}
