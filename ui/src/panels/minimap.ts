//! The minimap (bottom right): every element's bounds as a rectangle, the viewport as a frame;
//! a click or drag there moves the camera. It draws at most once per frame, and only after the
//! board or the camera changed, from the bounds the spatial index already keeps.

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
  private scheduled = false;
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
    editor.store.subscribe(() => this.invalidate());
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

  invalidate(): void {
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
      this.canvas.width = WIDTH * dpr;
      this.canvas.height = HEIGHT * dpr;
    }
    const ctx = this.ctx;
    const dark = this.dark();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    const ed = this.editor;
    const view = ed.viewport.visibleWorld();
    const boxes: Rect[] = [];
    for (const el of ed.store.values()) {
      const b = ed.spatial.boundsFor(el.id);
      if (b) boxes.push(b);
    }
    const world = unionRects([...boxes, view])!;
    const scale = Math.min((WIDTH - 2 * PAD) / Math.max(world.width, 1), (HEIGHT - 2 * PAD) / Math.max(world.height, 1));
    // Centre the world in the map.
    const x = world.x - (WIDTH / scale - world.width) / 2;
    const y = world.y - (HEIGHT / scale - world.height) / 2;
    this.map = { scale, x, y };
    ctx.fillStyle = dark ? 'rgba(220, 220, 230, 0.45)' : 'rgba(60, 60, 70, 0.35)';
    for (const b of boxes) {
      ctx.fillRect((b.x - x) * scale, (b.y - y) * scale, Math.max(1, b.width * scale), Math.max(1, b.height * scale));
    }
    ctx.strokeStyle = '#4f7cff';
    ctx.lineWidth = 1.5;
    ctx.fillStyle = 'rgba(79, 124, 255, 0.08)';
    const vx = (view.x - x) * scale;
    const vy = (view.y - y) * scale;
    ctx.fillRect(vx, vy, view.width * scale, view.height * scale);
    ctx.strokeRect(vx, vy, view.width * scale, view.height * scale);
  }
}
