//! The minimap (bottom right): every element's bounds as a rectangle, the viewport as a frame;
//! a click or drag there moves the camera. It draws at most once per frame, and only after the
//! board or the camera changed. Element rectangles (the bounds the spatial index already keeps)
//! are drawn into a cached layer once per board change; a camera move only rescales that layer.

import type { Editor } from '../editor';
import { type Rect, unionRects } from '../engine/geometry';

const WIDTH = 200;
const HEIGHT = 140;
const PAD = 8;

export class Minimap {
  readonly root: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private dirty = false;
  /** The board changed since the element layer was drawn (a camera move alone reuses it). */
  private sceneDirty = true;
  private scheduled = false;
  /** The elements drawn once per board change, blitted under the viewport frame. */
  private readonly layer = document.createElement('canvas');
  /** World → layer for the cached layer, fitted to the board's bounds, and those bounds. */
  private layerMap = { scale: 1, x: 0, y: 0 };
  private content: Rect | null = null;
  /** World → minimap: the scale and offset of the last draw (pointer input uses them). */
  private map = { scale: 1, x: 0, y: 0 };
  private dragging = false;
  /** How many times the map was drawn (for tests and the curious). */
  draws = 0;

  constructor(
    private readonly editor: Editor,
    private readonly dark: () => boolean,
  ) {
    this.root = document.createElement('div');
    this.root.id = 'minimap';
    this.root.hidden = true;
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('aria-label', 'Minimap: click or drag to move the view');
    this.canvas.setAttribute('role', 'img');
    this.root.appendChild(this.canvas);
    this.ctx = this.canvas.getContext('2d')!;
    editor.store.subscribe(() => {
      this.sceneDirty = true;
      this.invalidate();
    });
    editor.viewport.onChange(() => this.invalidate());
    this.canvas.addEventListener('pointerdown', (e) => {
      this.canvas.setPointerCapture(e.pointerId);
      this.dragging = true;
      this.centreOn(e);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (this.dragging) this.centreOn(e);
    });
    const stop = () => (this.dragging = false);
    this.canvas.addEventListener('pointerup', stop);
    this.canvas.addEventListener('pointercancel', stop);
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  toggle(show = this.root.hidden): void {
    this.root.hidden = !show;
    if (show) this.invalidate();
  }

  /** Schedules a draw; `scene` when the element layer must be redrawn too (colours changed). */
  invalidate(scene = false): void {
    if (scene) this.sceneDirty = true;
    this.dirty = true;
    if (this.scheduled || this.root.hidden) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.dirty && !this.root.hidden) this.draw();
    });
  }

  /** Moves the camera so the clicked point is the centre of the view. */
  private centreOn(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const { scale, x, y } = this.map;
    const wx = (e.clientX - r.left) / scale + x;
    const wy = (e.clientY - r.top) / scale + y;
    const vp = this.editor.viewport;
    const c = vp.toWorld({ x: vp.width / 2, y: vp.height / 2 });
    vp.panBy((c.x - wx) * vp.zoom, (c.y - wy) * vp.zoom);
  }

  private draw(): void {
    this.dirty = false;
    this.draws++;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== WIDTH * dpr) {
      this.canvas.width = this.layer.width = WIDTH * dpr;
      this.canvas.height = this.layer.height = HEIGHT * dpr;
      this.sceneDirty = true;
    }
    if (this.sceneDirty) this.drawElements(dpr);
    // The map shows the board and the view together; a camera move only rescales the cached
    // element layer, so panning costs the same on any board.
    const view = this.editor.viewport.visibleWorld();
    const world = this.content ? unionRects([this.content, view])! : view;
    const scale = Math.min((WIDTH - 2 * PAD) / Math.max(world.width, 1), (HEIGHT - 2 * PAD) / Math.max(world.height, 1));
    const x = world.x - (WIDTH / scale - world.width) / 2;
    const y = world.y - (HEIGHT / scale - world.height) / 2;
    this.map = { scale, x, y };
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    if (this.content) {
      const l = this.layerMap;
      const k = scale / l.scale;
      ctx.drawImage(this.layer, (l.x - x) * scale, (l.y - y) * scale, WIDTH * k, HEIGHT * k);
    }
    ctx.strokeStyle = '#4f7cff';
    ctx.lineWidth = 1.5;
    ctx.fillStyle = 'rgba(79, 124, 255, 0.08)';
    const vx = (view.x - x) * scale;
    const vy = (view.y - y) * scale;
    ctx.fillRect(vx, vy, view.width * scale, view.height * scale);
    ctx.strokeRect(vx, vy, view.width * scale, view.height * scale);
  }

  /** Redraws the element layer, fitted to the board's bounds (once per board change). */
  private drawElements(dpr: number): void {
    this.sceneDirty = false;
    const ed = this.editor;
    const boxes: Rect[] = [];
    for (const el of ed.store.values()) {
      const b = ed.spatial.boundsFor(el.id);
      if (b) boxes.push(b);
    }
    this.content = unionRects(boxes);
    const ctx = this.layer.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    const c = this.content;
    if (!c) return;
    const scale = Math.min((WIDTH - 2 * PAD) / Math.max(c.width, 1), (HEIGHT - 2 * PAD) / Math.max(c.height, 1));
    const x = c.x - (WIDTH / scale - c.width) / 2;
    const y = c.y - (HEIGHT / scale - c.height) / 2;
    this.layerMap = { scale, x, y };
    ctx.fillStyle = this.dark() ? 'rgba(220, 220, 230, 0.45)' : 'rgba(60, 60, 70, 0.35)';
    for (const b of boxes) {
      ctx.fillRect((b.x - x) * scale, (b.y - y) * scale, Math.max(1, b.width * scale), Math.max(1, b.height * scale));
    }
  }
}
