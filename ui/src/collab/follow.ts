import { clampZoom, type Viewport } from '../engine/viewport';
import { type Collaborator, initials, type View } from './presence';

/** Our camera (top-left world point and zoom) that shows what a followed peer sees. */
export interface Camera {
  x: number;
  y: number;
  zoom: number;
}

/**
 * The camera for a `width` × `height` canvas that fits the world rectangle `view` shows, keeping
 * its centre: the zoom is the largest at which their whole rectangle fits (so a smaller window
 * zooms out), clamped to our zoom range. What is extra on one axis shows around it.
 */
export function followCamera(view: View, width: number, height: number): Camera {
  const theirW = view.w / view.zoom;
  const theirH = view.h / view.zoom;
  const zoom = clampZoom(Math.min(Math.max(width, 1) / theirW, Math.max(height, 1) / theirH));
  return { x: view.cx - width / 2 / zoom, y: view.cy - height / 2 / zoom, zoom };
}

/** The line shown over the canvas while following. */
export const followLabel = (name: string): string => `Following ${name} — Esc to stop`;

/** Whom we follow, as the follow bar shows them and presence names them. */
export type Target = Pick<Collaborator, 'id' | 'name' | 'color' | 'key'>;

const targetOf = (c: Collaborator): Target => ({ id: c.id, name: c.name, color: c.color, key: c.key });

/** Why following ended: we moved the camera, pressed Esc or chose to, or they left. */
export type StopReason = 'moved' | 'escape' | 'stopped' | 'left';

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Follow mode: our viewport tracks a collaborator's. Their view is applied whenever it or our
 * canvas size changes; any other change of our camera (a pan, a zoom, zoom to fit — all go through
 * the viewport) stops following, as does Esc or the collaborator leaving.
 */
export class Follower {
  private target: Target | null = null;
  private view: View | null = null;
  /** The camera we last set, to tell our own moves from the user's. */
  private applied: Camera | null = null;
  private applying = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly vp: Viewport,
    /** Called when following starts, changes target or stops (with the reason). */
    private readonly onChange: (following: Target | null, reason?: StopReason) => void = () => {},
  ) {
    this.unsubscribe = vp.onChange(() => this.viewportChanged());
  }

  get following(): Target | null {
    return this.target;
  }

  /** Starts following `c` (their view is applied now if known, else when it arrives). */
  start(c: Collaborator): void {
    this.target = targetOf(c);
    this.view = c.view;
    this.applied = null;
    this.onChange(this.target);
    this.apply();
  }

  /** Clicking the one we follow stops; clicking another switches. */
  toggle(c: Collaborator): void {
    if (this.target?.id === c.id) this.stop('stopped');
    else this.start(c);
  }

  stop(reason: StopReason): void {
    if (!this.target) return;
    this.target = null;
    this.view = null;
    this.applied = null;
    this.onChange(null, reason);
  }

  /** The newest collaborators: follows the target's view; stops if they are gone. */
  peers(list: readonly Collaborator[]): void {
    if (!this.target) return;
    const c = list.find((p) => p.id === this.target!.id);
    if (!c) return this.stop('left');
    if (c.name !== this.target.name || c.color !== this.target.color || c.key !== this.target.key) {
      this.target = targetOf(c);
      this.onChange(this.target);
    }
    // A view that went missing keeps the camera where it is.
    if (!c.view) return;
    const v = c.view;
    const old = this.view;
    if (old && old.cx === v.cx && old.cy === v.cy && old.zoom === v.zoom && old.w === v.w && old.h === v.h) return;
    this.view = v;
    this.apply();
  }

  /** Esc stops following; returns whether the key was used. */
  key(key: string): boolean {
    if (key !== 'Escape' || !this.target) return false;
    this.stop('escape');
    return true;
  }

  dispose(): void {
    this.unsubscribe();
  }

  /** Sets our camera to their view (if known) and remembers where the camera is. */
  private apply(): void {
    if (this.view) {
      const cam = followCamera(this.view, this.vp.width, this.vp.height);
      this.applying = true;
      try {
        this.vp.set(cam.x, cam.y, cam.zoom);
      } finally {
        this.applying = false;
      }
    }
    this.applied = { x: this.vp.x, y: this.vp.y, zoom: this.vp.zoom };
  }

  private viewportChanged(): void {
    if (this.applying || !this.target || !this.applied) return;
    const a = this.applied;
    const vp = this.vp;
    // The camera is where we put it: only the canvas size changed, so fit their view again.
    if (same(vp.x, a.x) && same(vp.y, a.y) && same(vp.zoom, a.zoom)) this.apply();
    else this.stop('moved');
  }
}

/** How many avatars the bar shows before folding the rest into "+N". */
export const MAX_AVATARS = 6;

/** What the avatar row shows, as data (`panels/follow.ts` renders it). */
export interface AvatarRow {
  avatars: { id: string; initials: string; color: string; title: string; pressed: boolean; disabled: boolean; followsMe: boolean }[];
  /** The collaborators not shown, for "+N" and its tooltip. */
  more: string[];
}

/**
 * The avatars for `list`: the first MAX_AVATARS (the one we follow, `following`, always among
 * them), each saying whether clicking follows or stops, and whether they follow us (`me`, our
 * short key).
 */
export function avatarRow(list: readonly Collaborator[], following: string | null, me: string | null = null): AvatarRow {
  const shown = list.slice(0, MAX_AVATARS);
  // The one we follow stays visible even when the list is long.
  const followed = following ? list.find((c) => c.id === following) : undefined;
  if (followed && !shown.includes(followed)) shown[shown.length - 1] = followed;
  return {
    avatars: shown.map((c) => {
      const pressed = c.id === following;
      const followsMe = !!me && c.following === me;
      const action = pressed ? `Following ${c.name} — click or press Esc to stop` : c.view ? `${c.name} — click to follow their view` : `${c.name} (their view is not shared yet)`;
      return {
        id: c.id,
        initials: initials(c.name),
        color: c.color,
        title: followsMe ? `${action} · ${c.name} is following you` : action,
        pressed,
        disabled: !pressed && !c.view,
        followsMe,
      };
    }),
    more: list.filter((c) => !shown.includes(c)).map((c) => c.name),
  };
}
