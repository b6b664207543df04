import type { Rect, Vec } from './geometry';

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 30;

export const clampZoom = (z: number): number => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));

/** Largest zoom step one Ctrl+wheel event makes, in percent of the zoom (Excalidraw's 10%). */
export const WHEEL_ZOOM_STEP = 10;

/**
 * The zoom factor of a Ctrl+wheel event (`deltaMode` 0 pixels, 1 lines, 2 pages), as Excalidraw
 * zooms: a mouse wheel notch (a delta of 50 to 120 pixels, or lines) is a step of about 10%, and
 * a trackpad pinch, which sends many small deltas, zooms in proportion to them.
 */
export function wheelZoomFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const step = Math.max(-WHEEL_ZOOM_STEP, Math.min(WHEEL_ZOOM_STEP, px));
  return Math.exp(-step / 100);
}

/** Screen space (CSS pixels) covered by panels along each edge of the canvas. */
export interface Insets {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export const NO_INSETS: Insets = { left: 0, top: 0, right: 0, bottom: 0 };

/**
 * The camera: (x, y) is the world point at the screen's top-left corner, `zoom` screen pixels per
 * world unit. Screen coordinates are CSS pixels relative to the canvas.
 */
export class Viewport {
  x = 0;
  y = 0;
  zoom = 1;
  /** Screen size in CSS pixels. */
  width: number;
  height: number;
  private readonly listeners = new Set<() => void>();

  constructor(width = 800, height = 600) {
    this.width = width;
    this.height = height;
  }

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  private changed(): void {
    for (const l of this.listeners) l();
  }

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.changed();
  }

  toWorld(s: Vec): Vec {
    return { x: s.x / this.zoom + this.x, y: s.y / this.zoom + this.y };
  }
  toScreen(w: Vec): Vec {
    return { x: (w.x - this.x) * this.zoom, y: (w.y - this.y) * this.zoom };
  }

  /** The world rectangle currently on screen. */
  visibleWorld(): Rect {
    return { x: this.x, y: this.y, width: this.width / this.zoom, height: this.height / this.zoom };
  }

  set(x: number, y: number, zoom: number): void {
    this.x = x;
    this.y = y;
    this.zoom = clampZoom(zoom);
    this.changed();
  }

  /** Pans by a screen-space delta (content follows the pointer). */
  panBy(dxScreen: number, dyScreen: number): void {
    this.set(this.x - dxScreen / this.zoom, this.y - dyScreen / this.zoom, this.zoom);
  }

  /** Sets the zoom keeping the world point under screen point `s` fixed. */
  zoomAt(s: Vec, zoom: number): void {
    const w = this.toWorld(s);
    const z = clampZoom(zoom);
    this.set(w.x - s.x / z, w.y - s.y / z, z);
  }

  zoomBy(factor: number, s: Vec = { x: this.width / 2, y: this.height / 2 }): void {
    this.zoomAt(s, this.zoom * factor);
  }

  /**
   * Centres `r` at the largest zoom (≤ maxZoom) that fits it with `padding` pixels, in the part of
   * the screen that `insets` leaves uncovered (the whole canvas when that part is too small).
   */
  fitRect(r: Rect, padding = 40, maxZoom = 1, insets: Insets = NO_INSETS): void {
    let { left, top, right, bottom } = insets;
    if (this.width - left - right < 200 || this.height - top - bottom < 150) left = top = right = bottom = 0;
    const w = Math.max(r.width, 1);
    const h = Math.max(r.height, 1);
    const areaW = this.width - left - right;
    const areaH = this.height - top - bottom;
    const z = clampZoom(Math.min(Math.max(1, areaW - 2 * padding) / w, Math.max(1, areaH - 2 * padding) / h, maxZoom));
    const cx = r.x + r.width / 2;
    const cy = r.y + r.height / 2;
    this.set(cx - (left + areaW / 2) / z, cy - (top + areaH / 2) / z, z);
  }
}
