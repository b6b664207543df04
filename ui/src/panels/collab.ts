import { asAppError, type AppError, type Invoke, type Listen, type OpenedBoard } from '../bridge/tauri';
import type { Editor } from '../editor';
import type { Vec } from '../engine/geometry';
import { rafScheduler } from '../engine/scheduler';
import { FollowBar } from './follow';
import { collaboratorsFrom, colorFor, PresencePublisher, shortKey, showCollaborators, viewOf } from '../collab/presence';
import { describeLink, EXPIRY_PRESETS, type ExpiryPreset, expiryFor, fingerprint, LEVELS, levelLabel, parsePastedLink, relayProblem, syncLabel } from '../collab/sharing';
import { boardsToHost, type FoundHost, type HostStatus, hostedLabel, hostingSummary, hostRows, otherAddresses } from '../collab/lan';
import { identityNotice } from '../collab/notice';
import type { CommentsChanged, IdentityInfo, IssuedLink, Joined, Level, LinkPreview, PresenceEvent, ShareCreated, SyncStatus, SyncStatusEvent } from '../collab/types';
import { modeBadge, modeFor } from '../tools/mode';
import type { CommentAnchor } from '../tools/tool';
import { CommentsPanel } from './comments';

/** What the collaboration controls need from the board list (desktop.ts). */
export interface BoardHost {
  /** Opens a board (after a re-key or a join). */
  open(id: string): Promise<void>;
  readonly board: string | null;
}

const now = () => Date.now() / 1000;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A modal dialog with a title, a body and a row of buttons; removed from the page on close. */
function modal(title: string, id: string): { dialog: HTMLDialogElement; body: HTMLElement; actions: HTMLElement; error: HTMLElement } {
  document.getElementById(id)?.remove();
  const dialog = el('dialog', { id, class: 'collab-dialog' });
  const body = el('div', { class: 'body' });
  const error = el('p', { class: 'error', role: 'alert' });
  error.hidden = true;
  const actions = el('div', { class: 'actions' });
  dialog.append(el('h2', {}, title), body, error, actions);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  return { dialog, body, actions, error };
}

function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * The desktop app's sharing, sync and comments: the top bar (access badge, sync indicator,
 * Share, Join, Comments), the Connect, Share and Join dialogs, the identity notice, collaborators'
 * cursors, selections and avatars (click one to follow their view; panels/follow.ts) and the
 * comments panel. Every change goes through a core command; this only shows what the core says.
 */
export class Collab {
  readonly bar = el('div', { id: 'collab-bar' });
  private readonly badge = el('span', { class: 'badge', hidden: '' });
  private readonly syncButton = el('button', { type: 'button', class: 'sync', 'data-tone': 'off' });
  private readonly shareButton = el('button', { type: 'button', class: 'primary' }, 'Share');
  private readonly commentsButton = el('button', { type: 'button', class: 'comments-toggle', 'aria-pressed': 'false' }, 'Comments');
  private readonly notice = el('div', { id: 'notice', role: 'status', hidden: '' });
  private identity: IdentityInfo | null = null;
  /** The key store warning the notice was last filled with. */
  private noticeWarning: string | null = null;
  private opened: OpenedBoard | null = null;
  private sync: { url: string; status: SyncStatus } | null = null;
  private hosting: HostStatus | null = null;
  /** Redraws the open Connect dialog's hosting section when the host changes. */
  private hostingView: (() => void) | null = null;
  private readonly presence = new PresencePublisher(rafScheduler, (json) => this.call('presence_set', { board: this.board, presence: json }));
  /** Our pointer (world) as last reported, published with our selection and view. */
  private pointerAt: Vec | null = null;
  readonly comments: CommentsPanel;
  readonly follow: FollowBar;

  constructor(
    private readonly editor: Editor,
    private readonly host: BoardHost,
    private readonly invoke: Invoke,
    private readonly listen: Listen,
    private readonly onError: (e: AppError) => void,
  ) {
    this.comments = new CommentsPanel(editor, invoke, onError);
    this.syncButton.addEventListener('click', () => this.connectDialog());
    this.shareButton.addEventListener('click', () => void this.shareDialog());
    this.commentsButton.addEventListener('click', () => this.comments.toggle());
    this.comments.onToggle = (open) => this.commentsButton.setAttribute('aria-pressed', String(open));
    const join = button('Join…', () => this.joinDialog(), { title: 'Join a board with a link someone sent you' });
    this.bar.append(this.badge, this.syncButton, this.commentsButton, join, this.shareButton);
    // Until a board opens, only Join… (someone new may have nothing but a link).
    for (const b of [this.syncButton, this.commentsButton, this.shareButton]) b.hidden = true;
    document.querySelector('#welcome')?.append(button('Join with a link…', () => this.joinDialog(), { class: 'secondary' }));
    (document.getElementById('top-right') ?? document.body).append(this.bar);
    document.body.append(this.notice, this.comments.root);
    this.follow = new FollowBar(editor.viewport, () => (this.myKey ? shortKey(this.myKey) : null), () => this.publish());
    this.bar.prepend(this.follow.root);
    editor.viewport.onChange(() => this.publish());
    this.renderSync();
  }

  private get board(): string | null {
    return this.host.board;
  }

  async start(): Promise<void> {
    await this.listen<SyncStatusEvent>('sync-status', (e) => {
      if (e.payload.board !== this.board) return;
      const was = this.sync?.status.state;
      this.sync = { url: e.payload.url, status: e.payload.status };
      this.renderSync();
      if (e.payload.status.state === 'synced' && was !== 'synced') {
        // A new connection knows nothing of us yet.
        this.presence.reset();
        this.publish();
      }
    });
    await this.listen<CommentsChanged>('comments-changed', (e) => {
      if (e.payload.board === this.board) this.comments.setThreads(e.payload.threads);
    });
    await this.listen<PresenceEvent>('presence', (e) => {
      if (e.payload.board !== this.board) return;
      const peers = collaboratorsFrom(e.payload.peers);
      showCollaborators(this.editor, peers);
      this.follow.set(peers);
    });
    await this.listen<HostStatus>('host-status', (e) => {
      this.hosting = e.payload;
      this.hostingView?.();
      this.renderSync();
    });
    await this.listen<IdentityInfo>('identity-changed', (e) => this.setIdentity(e.payload));
    await this.listen<string>('link-opened', () => void this.takePendingLink());
    this.setIdentity(await this.invoke<IdentityInfo>('identity_get'));
    this.hosting = await this.invoke<HostStatus>('host_status').catch(() => null);
    await this.takePendingLink();
  }

  /** A board was opened: its access, sync and comments. */
  boardOpened(opened: OpenedBoard): void {
    this.opened = opened;
    this.syncButton.hidden = false;
    this.commentsButton.hidden = false;
    const mode = modeFor(opened.access);
    this.editor.setMode(mode);
    const badge = modeBadge(mode);
    this.badge.hidden = !badge;
    this.badge.textContent = badge ?? '';
    this.badge.title = mode === 'view' ? 'You have view access — ask the owner for an edit link' : mode === 'comment' ? 'You can comment but not draw — ask the owner for an edit link' : '';
    this.shareButton.hidden = opened.access !== 'OWNER';
    this.sync = opened.sync ?? null;
    this.editor.interactive.collaborators = [];
    this.follow.clear();
    this.presence.reset();
    this.comments.open(opened.board.id, opened.me ?? '', opened.threads ?? [], mode);
    this.renderSync();
  }

  /** Where our pointer is (world), for collaborators' screens. */
  pointer(p: Vec | null): void {
    this.pointerAt = p;
    this.publish();
  }

  /**
   * Queues our presence (pointer, selection, view) for the next frame; call it when any of them
   * changes. Nothing is sent twice in a row, nor while the board is not synced.
   */
  publish(): void {
    if (!this.board || this.sync?.status.state !== 'synced') return;
    const key = this.myKey;
    this.presence.update({
      name: this.identity?.name ?? 'Someone',
      color: colorFor(key ?? 'me'),
      pointer: this.pointerAt,
      selection: [...this.editor.interactive.selection],
      view: viewOf(this.editor.viewport),
      key: key ? shortKey(key) : undefined,
      following: this.follow.follower.following?.key ?? null,
    });
  }

  /** Our public key (or, before the identity loads, our id on this board). */
  private get myKey(): string | null {
    return this.identity?.publicKey ?? this.opened?.me ?? null;
  }

  /** The comment tool placed a thread: ask for its first message. */
  placeComment(anchor: CommentAnchor): void {
    this.comments.compose(anchor);
  }

  private call(cmd: string, args: Record<string, unknown>): void {
    this.invoke(cmd, args).catch((e: unknown) => this.onError(asAppError(e)));
  }

  private setIdentity(id: IdentityInfo): void {
    this.identity = id;
    // A warning about the key store shows once per installation (collab/notice.ts); the Share
    // dialog repeats it.
    const n = identityNotice(id, typeof localStorage === 'undefined' ? null : localStorage);
    // The identity reports more than once a start (loading, then ready): a warning on screen
    // stays until dismissed.
    const onScreen = !this.notice.hidden && !!id.warning && this.noticeWarning === id.warning;
    this.noticeWarning = id.warning;
    this.notice.replaceChildren(...n.lines.map((l) => el('p', {}, l)), button('Dismiss', () => (this.notice.hidden = true)));
    this.notice.hidden = !(n.show || onScreen);
    this.notice.dataset.tone = n.tone;
  }

  private renderSync(): void {
    // Without a relay sync, a hosted board says so: peers sync with us.
    const l = (!this.sync && hostedLabel(this.hosting, this.board)) || syncLabel(this.sync?.status ?? null, this.sync?.url);
    this.syncButton.textContent = `● ${l.text}`;
    this.syncButton.dataset.tone = l.tone;
    this.syncButton.title = `${l.title} — click to connect`;
    this.syncButton.setAttribute('aria-label', `Sync: ${l.text}. Connect…`);
  }

  // --- Connect ---------------------------------------------------------------------------------

  connectDialog(): void {
    const board = this.board;
    if (!board) return;
    const { dialog, body, actions, error } = modal('Connect to a relay or host', 'connect-dialog');
    const input = el('input', { type: 'url', placeholder: 'ws://relay.example:8787', spellcheck: 'false', 'aria-label': 'Relay or host address' });
    input.value = this.sync?.url ?? this.opened?.remotes?.[0]?.url ?? '';
    body.append(el('p', {}, 'Sync this board through a relay or another Easel that hosts it. The address is remembered and used whenever the board opens.'), el('label', {}, 'Relay or host'), input);
    const connect = button('Connect', async () => {
      const problem = relayProblem(input.value, true);
      if (problem) return show(problem);
      try {
        const status = await this.invoke<SyncStatus>('sync_connect', { board, url: input.value.trim() });
        this.sync = { url: input.value.trim().replace(/\/+$/, ''), status };
        this.renderSync();
        dialog.close();
      } catch (e) {
        show(asAppError(e).message);
      }
    }, { class: 'primary' });
    const show = (m: string) => {
      error.textContent = m;
      error.hidden = false;
    };
    const stop = button('Stop syncing', async () => {
      await this.invoke('sync_disconnect', { board }).catch((e: unknown) => this.onError(asAppError(e)));
      this.sync = null;
      this.renderSync();
      dialog.close();
    });
    stop.hidden = !this.sync;
    actions.append(stop, button('Cancel', () => dialog.close()), connect);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') connect.click();
    });
    const hostSection = el('section', { class: 'lan-host' });
    const found = el('ul', { class: 'links hosts', 'aria-label': 'Hosts on this network' });
    const scan = button('Scan', () => void this.scanHosts(board, found, scan, (url) => {
      input.value = url;
      connect.click();
    }), { title: 'Look for Easel hosts on this network (mDNS)' });
    const foundHead = el('div', { class: 'lan-head' });
    foundHead.append(el('h3', {}, 'Hosts on this network'), scan);
    body.append(el('h3', {}, 'Host on this network'), hostSection, foundHead, found);
    this.hostingView = () => this.renderHosting(hostSection, board, show);
    this.hostingView();
    dialog.addEventListener('close', () => (this.hostingView = null));
    dialog.showModal();
    void this.scanHosts(board, found, scan, (url) => {
      input.value = url;
      connect.click();
    });
  }

  /** The "Host on this network" section: start or stop hosting, the address to give peers. */
  private renderHosting(section: HTMLElement, board: string, show: (m: string) => void): void {
    const s = hostingSummary(this.hosting, board);
    const parts: HTMLElement[] = [el('p', {}, s.text)];
    const url = this.hosting?.host?.url;
    if (s.hosting && url) {
      const field = el('input', { readonly: '', 'aria-label': 'Address for peers' });
      field.value = url;
      const copy = button('Copy', async () => {
        try {
          await navigator.clipboard.writeText(url);
          copy.textContent = 'Copied';
        } catch {
          field.select();
        }
      }, { title: 'Copy the address peers connect to' });
      const row = el('div', { class: 'copy-row' });
      row.append(field, copy);
      parts.push(row);
      const others = otherAddresses(this.hosting?.host ?? null);
      if (others) parts.push(el('p', { class: 'muted addresses' }, others));
      parts.push(el('p', { class: 'muted', 'data-announced': String(this.hosting?.host?.announced ?? false) }, s.announce));
    }
    const buttons = el('div', { class: 'lan-buttons' });
    if (!s.hostsBoard) {
      const start = button(s.hosting ? 'Host this board too' : 'Host this board', async () => {
        start.disabled = true;
        try {
          const st = await this.invoke<HostStatus>('host_start', { boards: boardsToHost(this.hosting, board) });
          this.hosting = st;
          const moved = st.rekeyed.find((r) => r.from === board);
          if (moved) {
            // Hosting bound the board to our key under a new id: follow it.
            await this.host.open(moved.to);
            this.connectDialog();
            return;
          }
          this.renderHosting(section, board, show);
        } catch (e) {
          show(asAppError(e).message);
          start.disabled = false;
        }
      }, { class: 'host-start', title: 'Serve this board from this computer to peers on the same network' });
      buttons.append(start);
    }
    if (s.hosting || this.hosting?.error) {
      // Stopping also forgets hosting remembered from the last run that could not start again.
      const stop = button(s.hosting ? 'Stop hosting' : 'Forget it', async () => {
        stop.disabled = true;
        try {
          this.hosting = await this.invoke<HostStatus>('host_stop');
        } catch (e) {
          show(asAppError(e).message);
        }
        this.renderHosting(section, board, show);
      }, { class: 'danger' });
      buttons.append(stop);
    }
    parts.push(buttons);
    section.replaceChildren(...parts);
  }

  /** Fills the "Hosts on this network" list from an mDNS scan. */
  private async scanHosts(board: string, list: HTMLElement, scan: HTMLButtonElement, use: (url: string) => void): Promise<void> {
    scan.disabled = true;
    scan.textContent = 'Scanning…';
    list.replaceChildren(el('li', { class: 'muted' }, 'Looking for Easel hosts…'));
    try {
      const found = await this.invoke<FoundHost[]>('hosts_discover', { waitMs: 2000 });
      const rows = hostRows(found, board, this.hosting?.host ?? null);
      if (!rows.length) list.replaceChildren(el('li', { class: 'muted' }, 'No Easel hosts answered on this network.'));
      else
        list.replaceChildren(
          ...rows.map((r) => {
            const li = el('li', { 'data-offers': String(r.offersBoard), 'data-self': String(r.self) });
            const who = el('span', { class: 'host-name' });
            who.append(el('strong', {}, r.name), el('span', { class: 'muted' }, r.detail));
            li.append(who);
            if (r.offersBoard && r.url) {
              const url = r.url;
              li.append(button('Connect', () => use(url), { class: 'primary', title: `Sync this board with ${url}` }));
            }
            return li;
          }),
        );
    } catch (e) {
      list.replaceChildren(el('li', { class: 'muted' }, `Cannot look for hosts: ${asAppError(e).message}`));
    } finally {
      scan.disabled = false;
      scan.textContent = 'Scan again';
    }
  }

  // --- Share -----------------------------------------------------------------------------------

  async shareDialog(): Promise<void> {
    const board = this.board;
    if (!board || !this.opened) return;
    const { dialog, body, actions, error } = modal(`Share “${this.opened.board.title}”`, 'share-dialog');
    const show = (m: string | null) => {
      error.textContent = m ?? '';
      error.hidden = !m;
    };
    if (this.identity?.state === 'unavailable') show(`Sharing is unavailable: ${this.identity.error}`);
    const level = el('select', { 'aria-label': 'Access level' });
    for (const [v, label, hint] of LEVELS) level.append(el('option', { value: v, title: hint }, label));
    level.value = 'EDIT';
    const expiry = el('select', { 'aria-label': 'Expires' });
    for (const [v, label] of EXPIRY_PRESETS) expiry.append(el('option', { value: v }, label));
    const relay = el('input', { type: 'url', placeholder: 'ws://relay.example:8787', spellcheck: 'false', 'aria-label': 'Relay' });
    relay.value = this.sync?.url ?? this.opened.remotes?.[0]?.url ?? '';
    const row = (label: string, control: HTMLElement) => {
      const r = el('label', { class: 'row' });
      r.append(el('span', {}, label), control);
      return r;
    };
    const created = el('div', { class: 'created', hidden: '' });
    const list = el('ul', { class: 'links' });
    body.append(row('People with the link', level), row('Link expires', expiry), row('Relay', relay), created, el('h3', {}, 'Links issued'), list);
    // The key store warning the start-up notice showed once, for whoever wants to see it again.
    if (this.identity?.warning) body.prepend(el('p', { class: 'warning key-store-note' }, `Note: ${this.identity.warning}.`));

    const renderLinks = (links: IssuedLink[]) => {
      if (!links.length) {
        list.replaceChildren(el('li', { class: 'muted' }, 'No links yet.'));
        return;
      }
      list.replaceChildren(
        ...links.map((l) => {
          const d = describeLink(l, now());
          const li = el('li', { 'data-status': l.status });
          li.append(el('span', { class: 'level' }, d.level), el('span', {}, d.who), el('span', { class: 'muted' }, d.expiry));
          if (l.status === 'active') {
            li.append(
              button('Revoke', async () => {
                try {
                  await this.invoke<IssuedLink>('share_revoke', { board: this.board, link: l.link_id });
                  await refresh();
                } catch (e) {
                  show(asAppError(e).message);
                }
              }, { class: 'danger', title: 'Stop this link working; the relay is told at once' }),
            );
          } else li.append(el('span', { class: 'status' }, d.status));
          return li;
        }),
      );
    };
    const refresh = async () => {
      try {
        renderLinks(await this.invoke<IssuedLink[]>('share_links', { board: this.board }));
      } catch (e) {
        show(asAppError(e).message);
      }
    };

    const copy = button('Copy link', async () => {
      show(null);
      const problem = relayProblem(relay.value, true);
      if (problem) return show(`${problem} (people who join sync through it).`);
      copy.disabled = true;
      try {
        const r = await this.invoke<ShareCreated>('share_create', {
          board: this.board,
          level: level.value as Level,
          relay: relay.value.trim(),
          expiresAt: expiryFor(expiry.value as ExpiryPreset, now()),
        });
        let copied = true;
        try {
          await navigator.clipboard.writeText(r.link.url);
        } catch {
          copied = false;
        }
        const field = el('input', { readonly: '', 'aria-label': 'Share link' });
        field.value = r.link.url;
        created.replaceChildren(el('p', {}, copied ? `Copied a “${levelLabel(r.link.level)}” link to the clipboard:` : 'Copy this link:'), field);
        for (const w of r.warnings ?? []) created.append(el('p', { class: 'warning', role: 'alert' }, `Warning: ${w}`));
        created.hidden = false;
        field.select();
        if (r.rekeyedFrom) {
          // The board moved to an id bound to our key: follow it.
          await this.host.open(r.link.board_id);
        }
        await refresh();
      } catch (e) {
        show(asAppError(e).message);
      } finally {
        copy.disabled = false;
      }
    }, { class: 'primary' });
    actions.append(button('Done', () => dialog.close()), copy);
    dialog.showModal();
    if (this.identity?.state !== 'unavailable') await refresh();
  }

  // --- Join ------------------------------------------------------------------------------------

  private async takePendingLink(): Promise<void> {
    try {
      const link = await this.invoke<string | null>('link_pending');
      if (link) await this.joinPrompt(link);
    } catch (e) {
      this.onError(asAppError(e));
    }
  }

  /** "Join with link…": paste a link, for when the easel:// scheme is not registered. */
  joinDialog(): void {
    const { dialog, body, actions, error } = modal('Join with a link', 'join-dialog');
    const input = el('input', { type: 'text', placeholder: 'easel://board/…', spellcheck: 'false', 'aria-label': 'Share link' });
    body.append(el('p', {}, 'Paste the link someone shared with you.'), input);
    const next = button('Continue', async () => {
      const r = parsePastedLink(input.value);
      if ('problem' in r) {
        error.textContent = r.problem;
        error.hidden = false;
        return;
      }
      dialog.close();
      await this.joinPrompt(r.link);
    }, { class: 'primary' });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') next.click();
    });
    actions.append(button('Cancel', () => dialog.close()), next);
    dialog.showModal();
  }

  /** Shows what a link grants and who issued it, then joins on confirmation. */
  async joinPrompt(link: string): Promise<void> {
    const { dialog, body, actions, error } = modal('Join a shared board', 'join-prompt');
    const show = (m: string) => {
      error.textContent = m;
      error.hidden = false;
    };
    let preview: LinkPreview;
    try {
      preview = await this.invoke<LinkPreview>('link_preview', { link });
    } catch (e) {
      body.append(el('p', {}, 'This link cannot be used:'));
      show(asAppError(e).message);
      actions.append(button('Close', () => dialog.close()));
      dialog.showModal();
      return;
    }
    const dl = el('dl');
    const item = (k: string, v: string, cls = '') => dl.append(el('dt', {}, k), el('dd', cls ? { class: cls } : {}, v));
    item('Board', preview.title ?? 'Untitled board');
    item('Access', levelLabel(preview.level));
    item('Shared by', preview.issued_by ?? 'someone');
    item('Their key', fingerprint(preview.owner_key), 'key');
    item('Relay', preview.relay ?? 'none named');
    if (preview.expires_at) item('Expires', new Date(preview.expires_at * 1000).toLocaleString());
    body.append(dl, el('p', { class: 'muted' }, preview.personal ? 'This link was made for you only.' : 'Anyone with this link can use it. Check the key with the person who sent it.'));
    const join = button(preview.known ? 'Open board' : 'Join board', async () => {
      join.disabled = true;
      try {
        const joined = await this.invoke<Joined>('link_join', { link });
        dialog.close();
        await this.host.open(joined.board.id);
      } catch (e) {
        show(asAppError(e).message);
        join.disabled = false;
      }
    }, { class: 'primary' });
    actions.append(button('Cancel', () => dialog.close()), join);
    dialog.showModal();
  }
}
