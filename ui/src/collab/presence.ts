import type { Vec } from '../engine/geometry';
import type { FrameScheduler } from '../engine/scheduler';

/** What we publish through the sync's awareness: where our pointer is, what we selected, who we are. */
export interface Presence {
  name: string;
  color: string;
  pointer: Vec | null;
  selection: string[];
}

/** A collaborator as the interactive layer draws them. */
export interface Collaborator {
  id: string;
  name: string;
  color: string;
  point: Vec;
}

const PALETTE = ['#e03131', '#2f9e44', '#1971c2', '#f08c00', '#9c36b5', '#0c8599', '#e8590c', '#6741d9'];

/** A stable colour for a key or client id. */
export function colorFor(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
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
    this.latest = p;
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

/**
 * Peers' awareness states (JSON from other clients, so untrusted) as collaborators to draw:
 * malformed states and peers without a pointer are skipped; names are cut to 40 characters.
 */
export function collaboratorsFrom(peers: readonly [number, string][]): Collaborator[] {
  const out: Collaborator[] = [];
  for (const [id, json] of peers) {
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    const p = o.pointer as Record<string, unknown> | null | undefined;
    if (!p || !num(p.x) || !num(p.y)) continue;
    const name = typeof o.name === 'string' && o.name.trim() ? o.name.trim().slice(0, 40) : 'Guest';
    const color = typeof o.color === 'string' && /^#[0-9a-f]{6}$/i.test(o.color) ? o.color : colorFor(String(id));
    out.push({ id: String(id), name, color, point: { x: p.x, y: p.y } });
  }
  return out;
}
