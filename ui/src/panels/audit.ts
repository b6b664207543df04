//! The audit log view (owner only): the board's audit entries newest first as a table (time,
//! who, action, details), filtered by action, a page at a time ("Load more" asks `audit_query`
//! for the entries before the last id shown).

import type { Invoke } from '../bridge/tauri';
import { asAppError } from '../bridge/tauri';
import { relativeTime } from './history';
import { el, Sheet } from './sheet';

/** `AuditEntry` from the core. */
export interface AuditEntry {
  id: number;
  board_id: string;
  actor_id: string | null;
  action: string;
  detail: Record<string, unknown> | null;
  created_at: string;
}

/** Readable names of the actions the core, the CLI and hosting peers write. */
export const ACTION_LABELS: Record<string, string> = {
  create: 'Created the board',
  open: 'Opened',
  rename: 'Renamed',
  delete: 'Deleted the board',
  undelete: 'Restored the board from the trash',
  purge: 'Removed the board',
  grant: 'Granted access',
  revoke: 'Revoked access',
  'link.create': 'Created a share link',
  'link.revoke': 'Revoked a share link',
  'link.revoke.applied': 'Closed a revoked link’s connections',
  join: 'Joined with a link',
  connect: 'Connected to a server',
  disconnect: 'Disconnected from a server',
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
  'comment.reply': 'Replied to a comment',
  'comment.edit': 'Edited a comment',
  'comment.delete': 'Deleted a comment',
  'comment.resolve': 'Resolved a comment thread',
  'comment.reopen': 'Reopened a comment thread',
};

/** The filter menu: [value sent as `action`, label]; '' is every action. */
export const ACTION_FILTERS: [string, string][] = [
  ['', 'All actions'],
  ...['open', 'create', 'rename', 'snapshot', 'restore', 'export', 'import', 'grant', 'revoke', 'link.create', 'link.revoke', 'join', 'peer.join', 'peer.denied', 'peer.write_refused', 'denied', 'board.rekey', 'comment.add', 'comment.reply', 'comment.resolve'].map(
    (a): [string, string] => [a, ACTION_LABELS[a]!],
  ),
];

/** A readable label for any action; unknown ones ("comment.pin") get a readable fallback. */
export function actionLabel(action: string): string {
  const known = ACTION_LABELS[action];
  if (known) return known;
  const words = action.replace(/[._]/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : '(no action)';
}

const LEVELS: Record<string, string> = { VIEW: 'view', COMMENT: 'comment', EDIT: 'edit', OWNER: 'owner', NONE: 'none' };
const level = (v: unknown) => (typeof v === 'string' ? (LEVELS[v] ?? v.toLowerCase()) : String(v));
const short = (v: unknown) => (typeof v === 'string' && v.length > 13 ? `${v.slice(0, 8)}…` : String(v));

/** One line of details for an entry; `name` turns user ids into names. */
export function describeDetail(e: Pick<AuditEntry, 'action' | 'detail'>, name: (id: string) => string = short): string {
  const d = e.detail ?? {};
  const has = (k: string) => d[k] !== undefined && d[k] !== null;
  switch (e.action) {
    case 'rename':
      return `“${String(d.from ?? '')}” → “${String(d.to ?? '')}”${d.source === 'sync' ? ' (from sync)' : ''}`;
    case 'create':
      return has('title') ? `“${String(d.title)}”${d.replica ? ' (replica)' : ''}` : '';
    case 'grant':
    case 'revoke':
      return `${has('subject') ? name(String(d.subject)) : 'anyone with the link'}${has('level') ? `: ${level(d.level)}` : ''}`;
    case 'denied':
      return `${String(d.op ?? 'operation')} needs ${level(d.needed)}, held ${level(d.held)}`;
    case 'export':
      return `${String(d.format ?? '').toUpperCase()}, ${Number(d.elements ?? 0)} elements, ${formatBytes(Number(d.bytes ?? 0))}`;
    case 'import':
      return `${has('source') ? String(d.source) : 'a file'}${has('elements') ? `, ${Number(d.elements)} elements` : ''}`;
    case 'snapshot':
      return has('name') ? `“${String(d.name)}”` : 'automatic';
    case 'restore':
      return `${has('name') ? `“${String(d.name)}”` : `snapshot ${String(d.snapshot ?? '')}`}${has('elements') ? `, ${Number(d.elements)} elements` : ''}`;
    case 'open':
      return d.doc === 'comments' ? 'comments' : '';
  }
  return Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${k.endsWith('id') ? short(v) : k === 'level' || k === 'grant' ? level(v) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Paging state: the entries loaded so far for one (board, action) and where the next page
 * starts. A page shorter than `pageSize` means the log has no more.
 */
export class AuditPager {
  entries: AuditEntry[] = [];
  done = false;
  loading = false;
  /** Bumped on every reset, so a page that arrives for an old filter is dropped. */
  private generation = 0;

  constructor(
    private readonly fetch: (filter: { action?: string; beforeId?: number; limit: number }) => Promise<AuditEntry[]>,
    readonly pageSize = 50,
    public action = '',
  ) {}

  /** The `before_id` of the next page (the oldest id shown). */
  get beforeId(): number | undefined {
    return this.entries.length ? this.entries[this.entries.length - 1]!.id : undefined;
  }

  reset(action = this.action): void {
    this.action = action;
    this.entries = [];
    this.done = false;
    this.loading = false;
    this.generation++;
  }

  /** Loads the next page; returns how many entries it added. */
  async more(): Promise<number> {
    if (this.done || this.loading) return 0;
    this.loading = true;
    const gen = this.generation;
    try {
      const page = await this.fetch({ action: this.action || undefined, beforeId: this.beforeId, limit: this.pageSize });
      if (gen !== this.generation) return 0;
      const seen = new Set(this.entries.map((e) => e.id));
      const fresh = page.filter((e) => !seen.has(e.id));
      this.entries.push(...fresh);
      if (page.length < this.pageSize) this.done = true;
      return fresh.length;
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }
}

export class AuditPanel {
  readonly sheet = new Sheet('audit-panel', 'Audit log');
  private readonly pager: AuditPager;
  private names = new Map<string, string>();
  private board: string | null = null;
  private readonly select = el('select');
  private readonly tbody = el('tbody');
  private readonly moreButton = el('button', { type: 'button', textContent: 'Load more' });
  private readonly note = el('p', { className: 'sheet-note' });

  constructor(
    private readonly invoke: Invoke,
    private readonly host: { board: string | null },
  ) {
    this.pager = new AuditPager((f) => this.invoke<AuditEntry[]>('audit_query', { board: this.board, filter: f }));
    for (const [value, label] of ACTION_FILTERS) this.select.append(el('option', { value, textContent: label }));
    this.select.setAttribute('aria-label', 'Filter by action');
    this.select.addEventListener('change', () => void this.reload());
    this.moreButton.addEventListener('click', () => void this.more());
    const table = el('table', { className: 'audit-table' });
    const head = table.createTHead().insertRow();
    for (const h of ['Time', 'Who', 'Action', 'Details']) head.append(el('th', { textContent: h, scope: 'col' }));
    table.append(this.tbody);
    this.sheet.body.append(el('div', { className: 'sheet-actions' }, el('label', {}, 'Show ', this.select)), el('div', { className: 'audit-scroll' }, table), this.note, this.moreButton);
    this.sheet.onOpen = () => void this.reload();
  }

  private async reload(): Promise<void> {
    this.board = this.host.board;
    this.pager.reset(this.select.value);
    this.tbody.replaceChildren();
    try {
      const names = await this.invoke<Record<string, string>>('user_names');
      this.names = new Map(Object.entries(names));
    } catch {
      // Ids stand in for names.
    }
    await this.more();
  }

  private async more(): Promise<void> {
    if (!this.board) return;
    this.moreButton.disabled = true;
    this.note.textContent = 'Loading…';
    try {
      const before = this.pager.entries.length;
      await this.pager.more();
      this.render(before);
      this.note.textContent = this.pager.entries.length ? `${this.pager.entries.length} entries${this.pager.done ? ' — the start of the log' : ''}` : 'No entries.';
    } catch (e) {
      this.note.textContent = `Could not read the audit log: ${asAppError(e).message}`;
    }
    this.moreButton.hidden = this.pager.done;
    this.moreButton.disabled = false;
  }

  private render(from: number): void {
    const now = new Date();
    const name = (id: string) => this.names.get(id) ?? short(id);
    for (const e of this.pager.entries.slice(from)) {
      const tr = this.tbody.insertRow();
      tr.dataset.action = e.action;
      const when = el('time', { textContent: relativeTime(e.created_at, now), title: new Date(e.created_at).toLocaleString(), dateTime: e.created_at });
      tr.insertCell().append(when);
      tr.insertCell().textContent = e.actor_id ? name(e.actor_id) : 'a peer';
      const action = tr.insertCell();
      action.textContent = actionLabel(e.action);
      action.title = e.action;
      tr.insertCell().textContent = describeDetail(e, name);
      if (e.action === 'denied' || e.action.endsWith('denied') || e.action.endsWith('refused')) tr.className = 'warn';
    }
  }
}
