import type { Rect } from './geometry';
import { clampZoom, type Insets, MAX_ZOOM, MIN_ZOOM, type Viewport } from './viewport';

/** A board's camera as remembered between openings: the top-left world point and the zoom. */
export interface SavedView {
  x: number;
  y: number;
  zoom: number;
}

/** The part of `localStorage` the memory uses (tests pass a Map-backed one). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const KEY = (board: string) => `easel.view.${board}`;
/** Coordinates beyond this are not a camera anyone left a board at. */
const FAR = 1e9;

/** A remembered view, or null when `json` is missing or not a sane camera. */
export function parseSavedView(json: string | null): SavedView | null {
  if (!json) return null;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const { x, y, zoom } = v as Record<string, unknown>;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= FAR;
  if (!ok(x) || !ok(y) || !ok(zoom) || zoom < MIN_ZOOM || zoom > MAX_ZOOM) return null;
  return { x, y, zoom };
}

/**
 * Where the camera goes when a board opens: where it was left (if that still shows some of the
 * board, or the board is empty); otherwise the content centred in the uncovered part of the
 * canvas, at 100% when it fits and zoomed out until it does when it does not (as Excalidraw
 * scrolls to content on load). An empty board never seen before keeps the origin at the
 * top-left of the uncovered area.
 */
export function placeCamera(vp: Viewport, content: Rect | null, saved: SavedView | null, insets: Insets): void {
  if (saved) {
    const seen = { x: saved.x, y: saved.y, width: vp.width / saved.zoom, height: vp.height / saved.zoom };
    if (!content || overlaps(seen, content)) {
      vp.set(saved.x, saved.y, clampZoom(saved.zoom));
      return;
    }
  }
  if (content) {
    vp.fitRect(content, 40, 1, insets);
    return;
  }
  vp.set(-insets.left, -insets.top, 1);
}

const overlaps = (a: Rect, b: Rect) => a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height && b.y <= a.y + a.height;

/**
 * Each board's camera, remembered on this computer (not in the board: where one person looks is
 * not part of the document). Saving is throttled by the caller's frame loop; storage errors
 * (private mode, a full quota) only lose the memory.
 */
export class ViewMemory {
  constructor(private readonly storage: KeyValue | null) {}

  load(board: string): SavedView | null {
    try {
      return parseSavedView(this.storage?.getItem(KEY(board)) ?? null);
    } catch {
      return null;
    }
  }

  save(board: string, vp: Viewport): void {
    const r = (n: number) => Math.round(n * 100) / 100;
    try {
      this.storage?.setItem(KEY(board), JSON.stringify({ x: r(vp.x), y: r(vp.y), zoom: Math.round(vp.zoom * 1e4) / 1e4 }));
    } catch {
      // The view is a convenience; the board itself is safe in the store.
    }
  }
}
