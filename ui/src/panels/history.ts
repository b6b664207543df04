//! The history panel: the board's snapshots (named versions and automatic ones) newest first,
//! each with its time, element count and a preview drawn by the engine (`history_preview`);
//! "Save version…" makes a named snapshot, "Restore" (owner, after a confirmation) makes the
//! board look as it did then, as one change that Ctrl+Z undoes.

import type { Invoke } from '../bridge/tauri';
import { asAppError } from '../bridge/tauri';
import type { Element } from '../model/types';
import { drawPreview } from './preview';
import { el, Sheet, toast } from './sheet';

/** `SnapshotInfo` from the core (`history_list`). */
export interface SnapshotInfo {
  id: number;
  board_id: string;
  name: string | null;
  upto_seq: number;
  element_count: number;
  size: number;
  created_by: string | null;
  created_at: string;
}

export interface SnapshotRow {
  id: number;
  title: string;
  named: boolean;
  /** "just now", "5 min ago", "Yesterday 14:05", "27 Nov 2026 09:12". */
  when: string;
  /** The full local time, for the tooltip. */
  exact: string;
  count: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A time relative to `now` as a person reads it; local time of day past the last hour. */
export function relativeTime(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const s = Math.round((now.getTime() - t.getTime()) / 1000);
  const hm = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(now) - day(t)) / 86_400_000);
  if (days === 0) return `Today ${hm}`;
  if (days === 1) return `Yesterday ${hm}`;
  return `${t.getDate()} ${MONTHS[t.getMonth()]} ${t.getFullYear()} ${hm}`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** How a snapshot is listed. */
export function formatSnapshot(s: SnapshotInfo, now: Date): SnapshotRow {
  const named = !!s.name?.trim();
  return {
    id: s.id,
    title: named ? s.name!.trim() : 'Automatic snapshot',
    named,
    when: relativeTime(s.created_at, now),
    exact: new Date(s.created_at).toLocaleString(),
    count: plural(s.element_count, 'element'),
  };
}

/** The snapshots to list: newest first, named versions only when asked. */
export function snapshotRows(list: readonly SnapshotInfo[], now: Date, namedOnly = false): SnapshotRow[] {
  return [...list]
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
    .map((s) => formatSnapshot(s, now))
    .filter((r) => !namedOnly || r.named);
}

const PREVIEW_W = 232;
const PREVIEW_H = 120;

export class HistoryPanel {
  readonly sheet = new Sheet('history-panel', 'History');
  private snapshots: SnapshotInfo[] = [];
  private board: string | null = null;
  /** Previews by snapshot id: a snapshot never changes, so they are kept while the board is. */
  private readonly previews = new Map<number, string>();
  private selected: number | null = null;
  private readonly list = el('ol', { className: 'history-list' });
  private readonly namedOnly = el('input', { type: 'checkbox' });
  private readonly saveForm = el('form', { className: 'history-save', hidden: true });
  private readonly nameInput = el('input', { type: 'text', placeholder: 'Version name', maxLength: 200 });
  private readonly saveButton = el('button', { type: 'button', textContent: 'Save version…' });
  private readonly confirm = el('dialog', { className: 'confirm' });

  constructor(
    private readonly invoke: Invoke,
    private readonly host: { board: string | null; access: () => string | null; onRestored: (undo: { canUndo: boolean; canRedo: boolean }) => void },
  ) {
    const s = this.sheet;
    s.onOpen = () => void this.load();
    this.saveButton.addEventListener('click', () => {
      this.saveForm.hidden = !this.saveForm.hidden;
      if (!this.saveForm.hidden) this.nameInput.focus();
    });
    this.nameInput.setAttribute('aria-label', 'Version name');
    const save = el('button', { type: 'submit', textContent: 'Save' });
    this.saveForm.append(this.nameInput, save);
    this.saveForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    this.nameInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.saveForm.hidden = true;
        this.saveButton.focus();
      }
    });
    const filter = el('label', { className: 'history-filter' }, this.namedOnly, ' Named versions only');
    this.namedOnly.addEventListener('change', () => this.render());
    const bar = el('div', { className: 'sheet-actions' }, this.saveButton, filter);
    s.body.append(bar, this.saveForm, this.list);
    document.body.appendChild(this.confirm);
  }

  private async load(): Promise<void> {
    const board = this.host.board;
    if (board !== this.board) {
      this.previews.clear();
      this.selected = null;
      this.board = board;
    }
    this.saveButton.disabled = !board || !['OWNER', 'EDIT'].includes(this.host.access() ?? '');
    if (!board) {
      this.snapshots = [];
      this.render();
      return;
    }
    try {
      this.snapshots = await this.invoke<SnapshotInfo[]>('history_list', { board });
    } catch (e) {
      this.snapshots = [];
      toast(`Could not list history: ${asAppError(e).message}`, { error: true });
    }
    this.render();
  }

  private render(): void {
    const rows = snapshotRows(this.snapshots, new Date(), this.namedOnly.checked);
    if (!rows.length) {
      const msg = this.snapshots.length ? 'No named versions yet.' : 'No snapshots yet. Save a version to keep this moment.';
      this.list.replaceChildren(el('li', { className: 'history-empty', textContent: msg }));
      return;
    }
    const owner = this.host.access() === 'OWNER';
    this.list.replaceChildren(
      ...rows.map((r) => {
        const li = el('li', { className: r.named ? 'named' : 'auto' });
        li.dataset.snapshot = String(r.id);
        const head = el('button', { type: 'button', className: 'history-head' });
        head.setAttribute('aria-expanded', String(this.selected === r.id));
        const when = el('time', { textContent: r.when, title: r.exact });
        head.append(el('span', { className: 'history-title', textContent: r.title }), el('span', { className: 'history-meta' }, when, ` · ${r.count}`));
        head.addEventListener('click', () => {
          this.selected = this.selected === r.id ? null : r.id;
          this.render();
        });
        li.appendChild(head);
        if (this.selected === r.id) {
          const img = el('img', { className: 'history-preview', alt: `Preview of ${r.title}`, width: PREVIEW_W, height: PREVIEW_H });
          const cached = this.previews.get(r.id);
          if (cached) img.src = cached;
          else void this.preview(r.id, img);
          const restore = el('button', { type: 'button', textContent: 'Restore…', disabled: !owner, className: 'danger' });
          if (!owner) restore.title = 'Only the owner can restore';
          restore.addEventListener('click', () => void this.restore(r));
          li.append(img, el('div', { className: 'history-actions' }, restore));
        }
        return li;
      }),
    );
  }

  private async preview(id: number, img: HTMLImageElement): Promise<void> {
    try {
      const elements = await this.invoke<Element[]>('history_preview', { board: this.board, snapshotId: id });
      const canvas = document.createElement('canvas');
      drawPreview(canvas, elements, PREVIEW_W, PREVIEW_H);
      const url = canvas.toDataURL('image/png');
      this.previews.set(id, url);
      img.src = url;
    } catch (e) {
      img.alt = `No preview: ${asAppError(e).message}`;
    }
  }

  private async save(): Promise<void> {
    if (!this.board) return;
    const name = this.nameInput.value.trim();
    try {
      await this.invoke('snapshot', { board: this.board, name: name || null });
      this.nameInput.value = '';
      this.saveForm.hidden = true;
      toast(name ? `Saved version “${name}”` : 'Saved a version');
      await this.load();
    } catch (e) {
      toast(`Could not save a version: ${asAppError(e).message}`, { error: true });
    }
  }

  /** Asks first; restoring replaces what everyone sees (undoable, and synced like any edit). */
  private async restore(r: SnapshotRow): Promise<void> {
    const ok = await this.ask(`Restore “${r.title}” from ${r.when}?`, `The board will look as it did then (${r.count}). This is one change: Ctrl+Z undoes it.`, 'Restore');
    if (!ok || !this.board) return;
    try {
      const undo = await this.invoke<{ canUndo: boolean; canRedo: boolean }>('history_restore', { board: this.board, snapshotId: r.id });
      this.host.onRestored(undo);
      toast(`Restored “${r.title}”`);
      await this.load();
    } catch (e) {
      toast(`Could not restore: ${asAppError(e).message}`, { error: true });
    }
  }

  private ask(title: string, text: string, action: string): Promise<boolean> {
    const d = this.confirm;
    return new Promise((resolve) => {
      const yes = el('button', { type: 'button', textContent: action, className: 'danger' });
      const no = el('button', { type: 'button', textContent: 'Cancel' });
      d.replaceChildren(el('h2', { textContent: title }), el('p', { textContent: text }), el('div', { className: 'confirm-actions' }, no, yes));
      const done = (v: boolean) => {
        d.close();
        resolve(v);
      };
      yes.addEventListener('click', () => done(true));
      no.addEventListener('click', () => done(false));
      d.addEventListener('cancel', () => resolve(false), { once: true });
      d.showModal();
      no.focus();
    });
  }
}
