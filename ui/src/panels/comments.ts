import { asAppError, type AppError, type Invoke } from '../bridge/tauri';
import type { Editor } from '../editor';
import { pinPoint, pinsFor } from '../collab/pins';
import type { Thread } from '../collab/types';
import type { Mode } from '../tools/mode';
import type { CommentAnchor } from '../tools/tool';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * The comments side panel (open / resolved threads, each with its messages, a reply box, edit and
 * delete of one's own messages, resolve / reopen), the composer the comment tool opens, and the
 * pins on the interactive layer. Threads come from `board_open` and `comments-changed`.
 */
export class CommentsPanel {
  readonly root = el('aside', { id: 'comments-panel', 'aria-label': 'Comments', hidden: '' });
  private readonly list = el('div', { class: 'threads' });
  private readonly tabs = el('div', { class: 'tabs', role: 'tablist' });
  private threads: Thread[] = [];
  private board: string | null = null;
  private me = '';
  private mode: Mode = 'edit';
  private showResolved = false;
  private active: string | null = null;
  private composer: HTMLElement | null = null;
  onToggle?: (open: boolean) => void;

  constructor(
    private readonly editor: Editor,
    private readonly invoke: Invoke,
    private readonly onError: (e: AppError) => void,
  ) {
    const head = el('header');
    head.append(el('h2', {}, 'Comments'), button('×', () => this.toggle(false), { 'aria-label': 'Close comments', class: 'close' }));
    this.root.append(head, this.tabs, this.list);
    // Pins follow their elements: recompute when the board changes.
    editor.store.subscribe(() => this.updatePins());
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  toggle(show = !this.visible): void {
    this.root.hidden = !show;
    document.body.classList.toggle('comments-open', show);
    this.onToggle?.(show);
    if (show) this.render();
  }

  open(board: string, me: string, threads: Thread[], mode: Mode): void {
    this.board = board;
    this.me = me;
    this.mode = mode;
    this.active = null;
    this.closeComposer();
    this.setThreads(threads);
  }

  setThreads(threads: Thread[]): void {
    this.threads = threads;
    this.updatePins();
    if (this.visible) this.render();
  }

  /** Opens the panel on a thread (a pin was clicked). */
  focus(thread: string): void {
    this.active = thread;
    const t = this.threads.find((x) => x.id === thread);
    if (t?.resolved) this.showResolved = true;
    this.toggle(true);
    this.updatePins();
    this.root.querySelector(`[data-thread="${CSS.escape(thread)}"]`)?.scrollIntoView({ block: 'nearest' });
  }

  private updatePins(): void {
    this.editor.interactive.pins = this.board ? pinsFor(this.threads, (id) => this.editor.store.get(id), this.active) : [];
    this.editor.invalidate('interactive');
  }

  private get canWrite(): boolean {
    return this.mode !== 'view';
  }

  private async run(cmd: string, args: Record<string, unknown>): Promise<boolean> {
    try {
      await this.invoke(cmd, { board: this.board, ...args });
      return true;
    } catch (e) {
      this.onError(asAppError(e));
      return false;
    }
  }

  // --- New thread ------------------------------------------------------------------------------

  /** The first message of a thread at `anchor`, typed in a bubble beside it. */
  compose(anchor: CommentAnchor): void {
    this.closeComposer();
    const vp = this.editor.viewport;
    const s = vp.toScreen({ x: anchor.x, y: anchor.y });
    const box = el('form', { class: 'comment-composer' });
    box.style.left = `${Math.min(s.x + 8, vp.width - 280)}px`;
    box.style.top = `${Math.min(s.y + 8, vp.height - 140)}px`;
    const ta = el('textarea', { placeholder: anchor.element ? 'Comment on this element…' : 'Add a comment…', rows: '3', 'aria-label': 'New comment' });
    const send = el('button', { type: 'submit', class: 'primary' }, 'Comment');
    box.append(ta, el('div', { class: 'actions' }));
    box.lastElementChild!.append(button('Cancel', () => this.closeComposer()), send);
    box.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = ta.value.trim();
      if (!text) return;
      send.disabled = true;
      const ok = await this.run('comment_add', { anchor, text });
      send.disabled = false;
      if (ok) this.closeComposer();
    });
    ta.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Escape') this.closeComposer();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) box.requestSubmit();
    });
    document.getElementById('board')!.appendChild(box);
    this.composer = box;
    requestAnimationFrame(() => ta.focus());
  }

  private closeComposer(): void {
    this.composer?.remove();
    this.composer = null;
  }

  // --- Panel -----------------------------------------------------------------------------------

  private render(): void {
    const open = this.threads.filter((t) => !t.resolved);
    const resolved = this.threads.filter((t) => t.resolved);
    this.tabs.replaceChildren(
      button(`Open (${open.length})`, () => ((this.showResolved = false), this.render()), { role: 'tab', 'aria-selected': String(!this.showResolved) }),
      button(`Resolved (${resolved.length})`, () => ((this.showResolved = true), this.render()), { role: 'tab', 'aria-selected': String(this.showResolved) }),
    );
    const shown = [...(this.showResolved ? resolved : open)].reverse();
    if (!shown.length) {
      const hint = this.showResolved ? 'No resolved threads.' : this.canWrite ? 'No comments yet. Pick the comment tool (C) and click the board.' : 'No comments yet.';
      this.list.replaceChildren(el('p', { class: 'muted' }, hint));
      return;
    }
    this.list.replaceChildren(...shown.map((t) => this.renderThread(t)));
  }

  private renderThread(t: Thread): HTMLElement {
    const card = el('article', { class: 'thread', 'data-thread': t.id });
    if (t.id === this.active) card.classList.add('active');
    const where = t.anchor.element && this.editor.store.get(t.anchor.element) ? 'on an element' : 'on the board';
    const head = el('header');
    const goTo = button(where, () => this.reveal(t), { class: 'link', title: 'Show on the board' });
    head.append(goTo);
    if (this.canWrite) {
      head.append(button(t.resolved ? 'Reopen' : 'Resolve', () => void this.run('comment_resolve', { thread: t.id, resolved: !t.resolved }), { class: 'resolve' }));
    }
    card.append(head);
    for (const m of t.messages) {
      const msg = el('div', { class: 'message' });
      const meta = el('div', { class: 'meta' });
      meta.append(el('strong', {}, m.authorName || 'Someone'), el('time', {}, new Date(m.createdAt).toLocaleString()));
      if (m.editedAt && !m.deleted) meta.append(el('span', { class: 'muted' }, '(edited)'));
      msg.append(meta);
      if (m.deleted) msg.append(el('p', { class: 'muted deleted' }, 'Message deleted'));
      else msg.append(el('p', { class: 'text' }, m.text));
      if (!m.deleted && m.author === this.me && this.canWrite) {
        const tools = el('div', { class: 'own' });
        tools.append(
          button('Edit', () => this.editMessage(msg, m.id, m.text)),
          button('Delete', () => void this.run('comment_delete', { message: m.id }), { class: 'danger' }),
        );
        msg.append(tools);
      }
      card.append(msg);
    }
    if (this.canWrite && !t.resolved) {
      const form = el('form', { class: 'reply' });
      const ta = el('textarea', { rows: '1', placeholder: 'Reply…', 'aria-label': 'Reply' });
      ta.addEventListener('keydown', (e) => {
        e.stopPropagation();
        if (e.key === 'Enter' && !e.shiftKey) {
          e.preventDefault();
          form.requestSubmit();
        }
      });
      form.append(ta, el('button', { type: 'submit' }, 'Reply'));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const text = ta.value.trim();
        if (text) void this.run('comment_reply', { thread: t.id, text });
      });
      card.append(form);
    }
    card.addEventListener('click', () => {
      if (this.active !== t.id) {
        this.active = t.id;
        this.updatePins();
        for (const c of this.list.querySelectorAll('.thread')) c.classList.toggle('active', c === card);
      }
    });
    return card;
  }

  private editMessage(msg: HTMLElement, id: string, text: string): void {
    const form = el('form', { class: 'reply' });
    const ta = el('textarea', { rows: '2', 'aria-label': 'Edit message' });
    ta.value = text;
    ta.addEventListener('keydown', (e) => e.stopPropagation());
    form.append(ta, el('button', { type: 'submit' }, 'Save'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (ta.value.trim()) void this.run('comment_edit', { message: id, text: ta.value.trim() });
    });
    msg.querySelector('.text')?.replaceWith(form);
    ta.focus();
  }

  /** Pans the board so the thread's pin is in view. */
  private reveal(t: Thread): void {
    const p = pinPoint(t, (id) => this.editor.store.get(id));
    const vp = this.editor.viewport;
    const s = vp.toScreen(p);
    vp.panBy(vp.width / 2 - s.x, vp.height / 2 - s.y);
  }
}
