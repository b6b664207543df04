import { avatarRow, Follower, followLabel, type Target } from '../collab/follow';
import type { Collaborator } from '../collab/presence';
import type { Viewport } from '../engine/viewport';

/**
 * The collaborators' avatars (click one to follow their view) and, while following, a frame in
 * their colour around the canvas with "Following NAME — Esc to stop". Esc is taken before the
 * editor sees it, so stopping does not also clear the selection.
 */
export class FollowBar {
  readonly root: HTMLElement;
  readonly follower: Follower;
  private readonly frame: HTMLElement;
  private readonly label: HTMLElement;
  private list: readonly Collaborator[] = [];
  private rendered = '';
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this.follower.following) return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || document.querySelector('dialog[open]')) return;
    if (this.follower.key(e.key)) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  /**
   * `me` gives our short key (to mark who follows us); `onFollow` hears whom we follow, so that
   * presence can say it.
   */
  constructor(
    vp: Viewport,
    private readonly me: () => string | null = () => null,
    private readonly onFollow: (target: Target | null) => void = () => {},
    mount: HTMLElement = document.body,
  ) {
    this.root = document.createElement('span');
    this.root.className = 'collaborators';
    this.root.setAttribute('role', 'group');
    this.root.setAttribute('aria-label', 'Collaborators');
    this.frame = document.createElement('div');
    this.frame.id = 'follow-frame';
    this.frame.hidden = true;
    this.label = document.createElement('span');
    this.label.className = 'label';
    this.label.setAttribute('role', 'status');
    this.frame.append(this.label);
    mount.append(this.frame);
    this.follower = new Follower(vp, (f) => this.followChanged(f));
    window.addEventListener('keydown', this.onKey, true);
  }

  /** The newest collaborators (from a presence event). */
  set(list: readonly Collaborator[]): void {
    this.list = list;
    this.follower.peers(list);
    this.render();
  }

  /** A board closed or opened: nobody to follow. */
  clear(): void {
    this.follower.stop('left');
    this.set([]);
  }

  private followChanged(f: Target | null): void {
    this.onFollow(f);
    this.frame.hidden = !f;
    if (f) {
      this.frame.style.setProperty('--follow-color', f.color);
      this.label.textContent = followLabel(f.name);
    }
    this.render();
  }

  private render(): void {
    const row = avatarRow(this.list, this.follower.following?.id ?? null, this.me());
    const key = JSON.stringify(row);
    if (key === this.rendered) return;
    this.rendered = key;
    this.root.hidden = row.avatars.length === 0;
    this.root.replaceChildren(
      ...row.avatars.map((a) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'avatar';
        b.textContent = a.initials;
        b.title = a.title;
        b.setAttribute('aria-label', a.title);
        b.setAttribute('aria-pressed', String(a.pressed));
        b.disabled = a.disabled;
        if (a.followsMe) b.dataset.followsMe = '';
        b.style.setProperty('--avatar-color', a.color);
        b.addEventListener('click', () => {
          const c = this.list.find((x) => x.id === a.id);
          if (c) this.follower.toggle(c);
          else this.follower.stop('left');
        });
        return b;
      }),
    );
    if (row.more.length) {
      const m = document.createElement('span');
      m.className = 'more';
      m.textContent = `+${row.more.length}`;
      m.title = row.more.join(', ');
      this.root.append(m);
    }
  }
}
