import type { Vec } from '../engine/geometry';
import type { InteractiveState } from '../engine/renderer';
import type { FrameScheduler } from '../engine/scheduler';
import { clampZoom, type Viewport } from '../engine/viewport';

/**
 * What a peer can see: the world point at the centre of their canvas, their zoom, and their
 * canvas size in CSS pixels (so a follower can fit the same world rectangle into another size).
 */
export interface View {
  cx: number;
  cy: number;
  zoom: number;
  w: number;
  h: number;
}

/** What we publish through the sync's awareness: who we are, our pointer, selection and view. */
export interface Presence {
  name: string;
  color: string;
  pointer: Vec | null;
  selection: string[];
  view?: View | null;
  /** A short form of our public key, so that peers can tell us who follows them. */
  key?: string;
  /** The key of the collaborator whose view we follow. */
  following?: string | null;
}

/** A collaborator as the interactive layer draws them and the follow list shows them. */
export interface Collaborator {
  id: string;
  name: string;
  color: string;
  /** Where their pointer is (world); null while it is off their canvas. */
  point: Vec | null;
  /** Ids they selected (unknown ids are for the drawing to ignore). */
  selection: string[];
  view: View | null;
  /** Their short key (see `Presence.key`), if they sent a well-formed one. */
  key: string | null;
  /** The key of whoever they follow. */
  following: string | null;
}

/** How many characters of a public key presence carries (enough to tell people apart). */
export const KEY_CHARS = 16;

/** Our key as presence carries it. */
export const shortKey = (publicKey: string): string => publicKey.slice(0, KEY_CHARS);

const keyFrom = (v: unknown): string | null => (typeof v === 'string' && /^[A-Za-z0-9_+/=-]{1,16}$/.test(v) ? v : null);

/** Bounds on what we accept from a peer (their awareness state is untrusted JSON). */
export const LIMITS = {
  /** A state longer than this is not parsed at all. */
  json: 128 * 1024,
  peers: 200,
  name: 40,
  selection: 1000,
  id: 128,
  /** |coordinate| in world units. */
  coord: 1e9,
  /** Canvas side in CSS pixels. */
  screen: 16384,
} as const;

const PALETTE = ['#e03131', '#2f9e44', '#1971c2', '#f08c00', '#9c36b5', '#0c8599', '#e8590c', '#6741d9'];

/** A stable colour for a key or client id. */
export function colorFor(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

/**
 * Our view as published: rounded so that float noise does not count as a change and the
 * message stays short (a hundredth of a world unit is under a pixel up to zoom 100).
 */
export function viewOf(vp: Viewport): View {
  return {
    cx: round(vp.x + vp.width / 2 / vp.zoom, 2),
    cy: round(vp.y + vp.height / 2 / vp.zoom, 2),
    zoom: Number(vp.zoom.toPrecision(5)),
    w: Math.round(vp.width),
    h: Math.round(vp.height),
  };
}

/**
 * Sends our presence at most once per animation frame, and only the newest state: a pointer
 * moving at 1000 Hz still sends one message per frame, and nothing is sent while nothing
 * changes.
 */
export class PresencePublisher {
  private latest: Presence | null = null;
  private last = '';
  private scheduled = false;
  sent = 0;

  constructor(
    private readonly scheduler: FrameScheduler,
    private readonly send: (json: string) => void,
  ) {}

  update(p: Presence): void {
    // Peers drop selections longer than LIMITS.selection: send the first part rather than none.
    this.latest = p.selection.length > LIMITS.selection ? { ...p, selection: p.selection.slice(0, LIMITS.selection) } : p;
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.request(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.latest) return;
    const json = JSON.stringify(this.latest);
    if (json === this.last) return;
    this.last = json;
    this.sent++;
    this.send(json);
  }

  /** Forget what was sent (a new connection must be told again). */
  reset(): void {
    this.last = '';
  }
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const coord = (v: unknown): v is number => num(v) && Math.abs(v) <= LIMITS.coord;
const side = (v: unknown): v is number => num(v) && v >= 1 && v <= LIMITS.screen;

function pointFrom(v: unknown): Vec | null {
  if (!v || typeof v !== 'object') return null;
  const p = v as Record<string, unknown>;
  return coord(p.x) && coord(p.y) ? { x: p.x, y: p.y } : null;
}

/** A selection list: the first LIMITS.selection entries, strings of sane length, no repeats. */
function selectionFrom(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out = new Set<string>();
  for (const id of v.slice(0, LIMITS.selection)) {
    if (typeof id === 'string' && id.length > 0 && id.length <= LIMITS.id) out.add(id);
  }
  return [...out];
}

/** A view with finite numbers in range (the zoom clamped to ours), or null. */
export function viewFrom(v: unknown): View | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (!coord(o.cx) || !coord(o.cy) || !num(o.zoom) || o.zoom <= 0 || !side(o.w) || !side(o.h)) return null;
  return { cx: o.cx, cy: o.cy, zoom: clampZoom(o.zoom), w: o.w, h: o.h };
}

/**
 * Peers' awareness states (JSON from other clients, so untrusted) as collaborators: states that
 * are too long, not JSON or not objects are skipped, and so are peers with nothing to show (no
 * pointer, selection or view); a malformed part (a pointer at Infinity, a selection that is not
 * a list, a view with a zero size) is dropped on its own. Names are cut to LIMITS.name
 * characters (control characters blanked), colours not in #rrggbb form replaced by one derived from the id.
 */
export function collaboratorsFrom(peers: readonly [number, string][]): Collaborator[] {
  const out: Collaborator[] = [];
  for (const [id, json] of peers) {
    if (out.length >= LIMITS.peers) break;
    if (typeof json !== 'string' || json.length > LIMITS.json) continue;
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      continue;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    const o = v as Record<string, unknown>;
    const point = pointFrom(o.pointer);
    const selection = selectionFrom(o.selection);
    const view = viewFrom(o.view);
    if (!point && !selection.length && !view) continue;
    const clean = typeof o.name === 'string' ? o.name.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim() : '';
    const name = clean ? [...clean].slice(0, LIMITS.name).join('') : 'Guest';
    const color = typeof o.color === 'string' && /^#[0-9a-f]{6}$/i.test(o.color) ? o.color : colorFor(String(id));
    out.push({ id: String(id), name, color, point, selection, view, key: keyFrom(o.key), following: keyFrom(o.following) });
  }
  return out;
}

/** Up to two initials for an avatar ("Ana Lima" → "AL", "bo" → "B"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => [...w][0]!.toUpperCase()).join('') || '?';
}

/** The part of the editor that shows collaborators. */
export interface CollaboratorLayer {
  interactive: Pick<InteractiveState, 'collaborators'>;
  invalidate(layer: 'static' | 'interactive' | 'both'): void;
}

/**
 * Puts collaborators' cursors and selections on the interactive layer. Only that layer is
 * repainted: presence arrives many times a second and must never redraw the board.
 */
export function showCollaborators(editor: CollaboratorLayer, list: Collaborator[]): void {
  editor.interactive.collaborators = list;
  editor.invalidate('interactive');
}
