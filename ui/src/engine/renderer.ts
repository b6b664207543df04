import type { Element } from '../model/types';
import { localBox, type Rect, rectsIntersect, renderBounds, type Vec } from './geometry';
import { HANDLE_PX, selectionFrame } from './handles';
import { buildPaths, type ElementPaths, freehandOutline, type PathOp, replay } from './paths';
import { type FrameScheduler, rafScheduler } from './scheduler';
import type { Viewport } from './viewport';

/** Opaque Path2D-like object (real Path2D in browsers). */
export type PathHandle = object;

/** The part of CanvasRenderingContext2D the renderer uses; tests pass a recording fake. */
export interface Ctx2D {
  save(): void;
  restore(): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  beginPath(): void;
  closePath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  bezierCurveTo(a: number, b: number, c: number, d: number, x: number, y: number): void;
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  fill(path?: never): void;
  stroke(path?: never): void;
  clip(path?: never): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  setLineDash(segments: number[]): void;
  drawImage?(image: never, x: number, y: number, w: number, h: number): void;
  globalAlpha: number;
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
  lineCap: string;
  lineJoin: string;
  font: string;
  textAlign: string;
  textBaseline: string;
}

export interface Theme {
  background: string;
  selection: string;
  handleFill: string;
  frameStroke: string;
  frameLabel: string;
}

export const LIGHT_THEME: Theme = {
  background: '#ffffff',
  selection: '#4f7cff',
  handleFill: '#ffffff',
  frameStroke: '#9a9a9a',
  frameLabel: '#6b6b6b',
};

export const DARK_THEME: Theme = { ...LIGHT_THEME, background: '#121212', handleFill: '#1e1e1e' };

/** Elements whose larger side is below this many screen pixels are drawn as a filled rect. */
export const LOD_PX = 2;
/** ... and below this many are skipped. */
export const SKIP_PX = 0.5;

export const STICKY_FILL = '#fff3a0';

export interface RenderOptions {
  dpr?: number;
  theme?: Theme;
  /** Version of an element, for the path cache; without it paths are rebuilt on every frame. */
  versionOf?: (id: string) => number;
  /** Elements not to draw (the one whose text is being edited in a DOM editor). */
  hidden?: ReadonlySet<string>;
  /** Resolves an image element's file to something drawImage accepts. */
  image?: (fileId: string) => unknown;
}

export interface RenderStats {
  drawn: string[];
  lod: string[];
  skipped: number;
  culled: number;
}

interface CacheEntry {
  version: number;
  paths: ElementPaths;
  p2d: { fill: PathHandle | null; stroke: PathHandle | null; solid: PathHandle | null } | null;
}

type Path2DCtor = new () => PathHandle & Parameters<typeof replay>[0];

function path2dCtor(): Path2DCtor | null {
  const P = (globalThis as { Path2D?: unknown }).Path2D;
  return typeof P === 'function' ? (P as Path2DCtor) : null;
}

export class Renderer {
  private readonly cache = new Map<string, CacheEntry>();
  /** How many times element paths were built (cache misses). */
  builds = 0;

  /** Drops cache entries for elements no longer on the board. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private pathsFor(el: Element, version: number | undefined): CacheEntry {
    const hit = version !== undefined ? this.cache.get(el.id) : undefined;
    if (hit && hit.version === version) return hit;
    this.builds++;
    const paths = buildPaths(el);
    const P = path2dCtor();
    const mk = (ops: PathOp[] | null): PathHandle | null => {
      if (!ops || !P) return null;
      const p = new P();
      replay(p, ops);
      return p;
    };
    const entry: CacheEntry = {
      version: version ?? -1,
      paths,
      p2d: P ? { fill: mk(paths.fill), stroke: mk(paths.stroke), solid: mk(paths.solid) } : null,
    };
    if (version !== undefined) this.cache.set(el.id, entry);
    return entry;
  }

  /** Paints the board layer. `elements` are in drawing order; anything off screen is culled. */
  renderStatic(ctx: Ctx2D, elements: Iterable<Element>, vp: Viewport, opts: RenderOptions = {}): RenderStats {
    const dpr = opts.dpr ?? 1;
    const theme = opts.theme ?? LIGHT_THEME;
    const stats: RenderStats = { drawn: [], lod: [], skipped: 0, culled: 0 };
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, vp.width, vp.height);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, vp.width, vp.height);
    const z = vp.zoom * dpr;
    ctx.setTransform(z, 0, 0, z, -vp.x * z, -vp.y * z);
    const view = vp.visibleWorld();
    for (const el of elements) {
      if (opts.hidden?.has(el.id)) continue;
      const rb = renderBounds(el);
      if (!rectsIntersect(rb, view)) {
        stats.culled++;
        continue;
      }
      const px = Math.max(rb.width, rb.height) * vp.zoom;
      if (px < SKIP_PX) {
        stats.skipped++;
        continue;
      }
      if (px < LOD_PX) {
        ctx.globalAlpha = el.opacity;
        ctx.fillStyle = el.fill !== 'transparent' ? el.fill : el.stroke;
        ctx.fillRect(rb.x, rb.y, Math.max(rb.width, 1 / vp.zoom), Math.max(rb.height, 1 / vp.zoom));
        ctx.globalAlpha = 1;
        stats.lod.push(el.id);
        continue;
      }
      this.drawElement(ctx, el, vp.zoom, theme, opts);
      stats.drawn.push(el.id);
    }
    return stats;
  }

  private drawElement(ctx: Ctx2D, el: Element, zoom: number, theme: Theme, opts: RenderOptions): void {
    const entry = this.pathsFor(el, opts.versionOf?.(el.id));
    const { paths } = entry;
    const b = localBox(el);
    const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    ctx.save();
    ctx.globalAlpha = el.opacity;
    if (el.angle) {
      ctx.translate(c.x, c.y);
      ctx.rotate(el.angle);
      ctx.translate(-c.x, -c.y);
    }
    const draw = (which: 'fill' | 'stroke' | 'solid', how: 'fill' | 'stroke' | 'clip') => {
      const p = entry.p2d?.[which];
      if (p) {
        ctx[how](p as never);
      } else {
        ctx.beginPath();
        replay(ctx, paths[which] ?? []);
        ctx[how]();
      }
    };
    const fill = el.kind === 'sticky' && el.fill === 'transparent' ? STICKY_FILL : el.fill;
    if (paths.fill && fill !== 'transparent' && fill !== '') {
      if (el.fillStyle === 'solid' || el.kind === 'sticky') {
        ctx.fillStyle = fill;
        draw('fill', 'fill');
      } else {
        ctx.save();
        draw('fill', 'clip');
        ctx.strokeStyle = fill;
        ctx.lineWidth = Math.max(1, el.strokeWidth / 2);
        hatch(ctx, b, el.fillStyle, Math.max(6, el.strokeWidth * 4));
        ctx.restore();
      }
    }
    if (el.kind === 'image') this.drawImage(ctx, el, b, opts);
    if (paths.stroke && el.strokeWidth > 0) {
      ctx.strokeStyle = el.kind === 'frame' ? theme.frameStroke : el.stroke;
      ctx.lineWidth = el.kind === 'frame' ? 1 / zoom : el.strokeWidth;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.setLineDash(dash(el.strokeStyle, el.strokeWidth));
      draw('stroke', 'stroke');
      ctx.setLineDash([]);
    }
    if (paths.solid) {
      ctx.fillStyle = el.stroke;
      draw('solid', 'fill');
    }
    if (el.kind === 'frame') {
      ctx.fillStyle = theme.frameLabel;
      ctx.font = `${14 / zoom}px sans-serif`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(el.name ?? 'Frame', b.x, b.y - 4 / zoom);
    } else if (el.text) {
      drawText(ctx, el, b);
    }
    ctx.restore();
  }

  private drawImage(ctx: Ctx2D, el: Element, b: Rect, opts: RenderOptions): void {
    const img = el.fileId ? opts.image?.(el.fileId) : undefined;
    if (img && ctx.drawImage) {
      ctx.drawImage(img as never, b.x, b.y, b.width, b.height);
      return;
    }
    // Placeholder until the file arrives.
    ctx.fillStyle = '#e9ecef';
    ctx.fillRect(b.x, b.y, b.width, b.height);
    ctx.strokeStyle = '#adb5bd';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(b.x, b.y);
    ctx.lineTo(b.x + b.width, b.y + b.height);
    ctx.moveTo(b.x + b.width, b.y);
    ctx.lineTo(b.x, b.y + b.height);
    ctx.stroke();
  }

  /** Paints selection, handles, marquee, in-progress stroke and collaborators' cursors. */
  renderInteractive(ctx: Ctx2D, state: InteractiveState, get: (id: string) => Element | undefined, vp: Viewport, opts: { dpr?: number; theme?: Theme } = {}): void {
    const dpr = opts.dpr ?? 1;
    const theme = opts.theme ?? LIGHT_THEME;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, vp.width, vp.height);
    const z = vp.zoom * dpr;
    ctx.setTransform(z, 0, 0, z, -vp.x * z, -vp.y * z);
    const px = 1 / vp.zoom;

    // Elements about to be erased: outlined faintly.
    const outlineOf = (el: Element, color: string, width: number) => {
      const f = selectionFrame([el], vp.zoom)!;
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      f.corners.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
      ctx.closePath();
      ctx.stroke();
    };
    for (const id of state.erasing ?? []) {
      const el = get(id);
      if (el) outlineOf(el, 'rgba(224, 49, 49, 0.6)', 2 * px);
    }
    if (state.bindingTarget) {
      const el = get(state.bindingTarget);
      if (el) outlineOf(el, theme.selection, 4 * px);
    }
    if (state.hovered && !state.selection.has(state.hovered)) {
      const el = get(state.hovered);
      if (el) outlineOf(el, theme.selection, 1 * px);
    }

    const selected = [...state.selection].map(get).filter((e): e is Element => !!e);
    if (selected.length > 1) for (const el of selected) outlineOf(el, theme.selection, 1 * px);
    const frame = selectionFrame(selected, vp.zoom);
    if (frame) {
      ctx.strokeStyle = theme.selection;
      ctx.lineWidth = 1 * px;
      ctx.beginPath();
      frame.corners.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
      ctx.closePath();
      ctx.stroke();
      if (state.showHandles !== false && !selected.some((e) => e.locked)) {
        const hs = HANDLE_PX * px;
        for (const h of frame.handles) {
          ctx.fillStyle = theme.handleFill;
          ctx.beginPath();
          if (h.name === 'rotate') ctx.arc(h.point.x, h.point.y, hs / 2, 0, Math.PI * 2);
          else ctx.rect(h.point.x - hs / 2, h.point.y - hs / 2, hs, hs);
          ctx.fill();
          ctx.stroke();
        }
      }
    }

    if (state.marquee) {
      const m = state.marquee;
      ctx.fillStyle = 'rgba(79, 124, 255, 0.08)';
      ctx.fillRect(m.x, m.y, m.width, m.height);
      ctx.strokeStyle = theme.selection;
      ctx.lineWidth = px;
      ctx.strokeRect(m.x, m.y, m.width, m.height);
    }

    if (state.draft && state.draft.points.length > 0) {
      const d = state.draft;
      ctx.fillStyle = d.color;
      ctx.globalAlpha = d.opacity ?? 1;
      ctx.beginPath();
      replay(ctx, freehandOutline(d.points, d.pressures, d.strokeWidth, false));
      ctx.fill();
      ctx.globalAlpha = 1;
    }

    for (const c of state.collaborators ?? []) {
      const p = c.point;
      ctx.fillStyle = c.color;
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 12 * px, p.y + 14 * px);
      ctx.lineTo(p.x + 5 * px, p.y + 14 * px);
      ctx.lineTo(p.x, p.y + 19 * px);
      ctx.closePath();
      ctx.fill();
      ctx.font = `${12 * px}px sans-serif`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(c.name, p.x + 12 * px, p.y + 16 * px);
    }
  }
}

/** What the interactive layer shows; tools write it, the renderer reads it. */
export interface InteractiveState {
  selection: ReadonlySet<string>;
  hovered?: string | null;
  marquee?: Rect | null;
  /** The pen stroke being drawn, in world coordinates. */
  draft?: { points: Vec[]; pressures: number[]; color: string; strokeWidth: number; opacity?: number } | null;
  /** Elements the eraser will delete on release. */
  erasing?: ReadonlySet<string>;
  /** The shape an arrow end would bind to. */
  bindingTarget?: string | null;
  showHandles?: boolean;
  collaborators?: { id: string; name: string; color: string; point: Vec }[];
}

function dash(style: Element['strokeStyle'], w: number): number[] {
  if (style === 'dashed') return [8 + w, 8 + w];
  if (style === 'dotted') return [1.5, 6 + w];
  return [];
}

function hatch(ctx: Ctx2D, b: Rect, style: Element['fillStyle'], gap: number): void {
  const dirs = style === 'cross-hatch' ? [1, -1] : [1];
  ctx.beginPath();
  for (const d of dirs) {
    const span = b.width + b.height;
    for (let o = 0; o <= span; o += gap) {
      if (d === 1) {
        ctx.moveTo(b.x + o, b.y);
        ctx.lineTo(b.x + o - b.height, b.y + b.height);
      } else {
        ctx.moveTo(b.x + b.width - o, b.y);
        ctx.lineTo(b.x + b.width - o + b.height, b.y + b.height);
      }
    }
  }
  ctx.stroke();
}

/** Line height as a multiple of the font size. */
export const LINE_HEIGHT = 1.25;

function drawText(ctx: Ctx2D, el: Element, b: Rect): void {
  const lines = (el.text ?? '').split('\n');
  const pad = el.kind === 'text' ? 0 : 12;
  const lh = el.fontSize * LINE_HEIGHT;
  const total = lines.length * lh;
  // Shapes and stickies centre their label unless told otherwise.
  const isLabel = el.kind !== 'text' && el.kind !== 'sticky';
  const align = isLabel ? 'center' : el.textAlign;
  const valign = isLabel ? 'middle' : el.verticalAlign;
  const x = align === 'left' ? b.x + pad : align === 'right' ? b.x + b.width - pad : b.x + b.width / 2;
  let y = b.y + pad;
  if (valign === 'middle') y = b.y + (b.height - total) / 2;
  else if (valign === 'bottom') y = b.y + b.height - pad - total;
  ctx.fillStyle = el.stroke;
  ctx.font = `${el.fontSize}px ${el.fontFamily}`;
  ctx.textAlign = align;
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => ctx.fillText(line, x, y + i * lh));
}

/** Redraws each layer at most once per frame, and only when it was invalidated. */
export class RenderLoop {
  private dirtyStatic = false;
  private dirtyInteractive = false;
  private scheduled = false;
  staticDraws = 0;
  interactiveDraws = 0;

  constructor(
    private readonly drawStatic: () => void,
    private readonly drawInteractive: () => void,
    private readonly scheduler: FrameScheduler = rafScheduler,
  ) {}

  invalidate(layer: 'static' | 'interactive' | 'both' = 'both'): void {
    if (layer !== 'interactive') this.dirtyStatic = true;
    if (layer !== 'static') this.dirtyInteractive = true;
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.request(() => this.frame());
  }

  /** Paints whatever is invalidated now instead of on the next frame (the scheduled frame then finds nothing to do). */
  flushNow(): void {
    this.frame();
  }

  private frame(): void {
    this.scheduled = false;
    if (this.dirtyStatic) {
      this.dirtyStatic = false;
      this.staticDraws++;
      this.drawStatic();
    }
    if (this.dirtyInteractive) {
      this.dirtyInteractive = false;
      this.interactiveDraws++;
      this.drawInteractive();
    }
  }
}

/** Compile-time check that a real canvas context satisfies Ctx2D. */
export const asCtx2D = (c: CanvasRenderingContext2D): Ctx2D => c;
