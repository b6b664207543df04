import type { Element } from '../model/types';
import { inflate, localBox, type Rect, rectsIntersect, renderBounds, type Vec } from './geometry';
import { HANDLE_PX, remoteSelection, selectionFrame } from './handles';
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
  /** Text width for name tags (a real context has it; without it the width is estimated). */
  measureText?(text: string): { width: number };
  drawImage?(image: never, x: number, y: number, w?: number, h?: number): void;
  /** The canvas painted on (a real context has it): a pan reuses the last frame by drawing it shifted. */
  readonly canvas?: unknown;
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
/** Pen strokes smaller than this many screen pixels are stroked along their points (no outline). */
export const SIMPLE_STROKE_PX = 16;
/** Text whose font is smaller than this many screen pixels is drawn as a bar per line (greeked). */
export const GREEK_TEXT_PX = 5;
/**
 * Culling keeps elements whose bounds come this close (screen pixels) to the view: glyphs may
 * overhang a text element's measured box, and a panned frame's strips must see the same elements
 * a full paint would.
 */
export const CULL_MARGIN_PX = 32;
/** At or below this zoom (times the DPR) the whole board is painted from a cached bitmap. */
export const OVERVIEW_MAX_SCALE = 0.5;
/** Largest overview bitmap, in device pixels. */
export const OVERVIEW_MAX_PIXELS = 16_000_000;

export const STICKY_FILL = '#fff3a0';

/** How much of an element is painted at a given zoom. */
export type Detail = 'skip' | 'box' | 'simple' | 'full';

/**
 * Level of detail for an element whose render bounds are `rb`, at `zoom` screen pixels per world
 * unit: dust is skipped, specks are a filled box, small pen strokes and tiny text are simplified.
 */
export function levelOfDetail(el: Element, rb: Rect, zoom: number): Detail {
  const px = Math.max(rb.width, rb.height) * zoom;
  if (px < SKIP_PX) return 'skip';
  if (px < LOD_PX) return 'box';
  if (el.kind === 'freedraw' && px < SIMPLE_STROKE_PX) return 'simple';
  if (el.kind === 'text' && el.fontSize * zoom < GREEK_TEXT_PX) return 'simple';
  return 'full';
}

/**
 * The overview bitmap's scale for a device zoom: the next power of two at or above it (so the
 * bitmap is only ever scaled down, by less than 2x), or null when the zoom is above
 * OVERVIEW_MAX_SCALE.
 */
export function overviewScale(deviceZoom: number): number | null {
  if (!(deviceZoom > 0) || deviceZoom > OVERVIEW_MAX_SCALE) return null;
  return 2 ** Math.ceil(Math.log2(deviceZoom));
}

/** The whole board, for the overview bitmap. */
export interface BoardSource {
  /** Changes whenever any element is added, changed or removed (e.g. `Store.revision`). */
  revision: number;
  /** Every element in drawing order. Called only when the bitmap is (re)built. */
  elements(): Iterable<Element>;
  /**
   * The elements whose bounds intersect `r`, in drawing order (a spatial index query). With it,
   * a frame that only pans by whole device pixels reuses the last one and paints the strips
   * that came into view.
   */
  query?(r: Rect): Iterable<Element>;
}

/** An offscreen surface: a context to paint on and something `drawImage` accepts. */
export interface Surface {
  ctx: Ctx2D;
  image: unknown;
}

export interface RenderOptions {
  dpr?: number;
  theme?: Theme;
  /** Version of an element, for the path cache; without it paths are rebuilt on every frame. */
  versionOf?: (id: string) => number;
  /** Elements not to draw (the one whose text is being edited in a DOM editor). */
  hidden?: ReadonlySet<string>;
  /** Resolves an image element's file to something drawImage accepts. */
  image?: (fileId: string) => unknown;
  /**
   * The whole board. With it, zoomed-out frames (zoom x DPR <= OVERVIEW_MAX_SCALE) are painted
   * from a bitmap of the board made once per (revision, scale) instead of element by element.
   */
  board?: BoardSource;
  /** Makes offscreen surfaces for the overview; defaults to OffscreenCanvas where there is one. */
  surface?: (width: number, height: number) => Surface | null;
}

export interface RenderStats {
  drawn: string[];
  lod: string[];
  skipped: number;
  culled: number;
  /** Painted from the overview bitmap ('hit'), after (re)building it ('built'), or live (absent). */
  overview?: 'hit' | 'built';
  /** The last frame was shifted by this many device pixels and only the uncovered strips painted. */
  scrolled?: [number, number];
}

type P2D = { fill: PathHandle | null; stroke: PathHandle | null; solid: PathHandle | null };

/** Per-element cache, valid while the element's version is unchanged. Paths are built lazily. */
interface CacheEntry {
  version: number;
  bounds: Rect;
  /** Plain paths, kept only where there is no Path2D (tests) to replay onto the context. */
  paths: ElementPaths | null;
  has: { fill: boolean; stroke: boolean; solid: boolean } | null;
  p2d: P2D | null;
  /** A pen stroke's centre line (the 'simple' detail). */
  simple: PathHandle | PathOp[] | null;
}

type Path2DCtor = new () => PathHandle & Parameters<typeof replay>[0];

function path2dCtor(): Path2DCtor | null {
  const P = (globalThis as { Path2D?: unknown }).Path2D;
  return typeof P === 'function' ? (P as Path2DCtor) : null;
}

function defaultSurface(width: number, height: number): Surface | null {
  const O = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: '2d'): unknown } }).OffscreenCanvas;
  if (typeof O !== 'function') return null;
  const canvas = new O(width, height);
  const ctx = canvas.getContext('2d') as Ctx2D | null;
  return ctx ? { ctx, image: canvas } : null;
}

/** What the last live frame showed, to reuse it when the next one only pans. */
interface LastFrame {
  canvas: unknown;
  revision: number;
  background: string;
  x: number;
  y: number;
  zoom: number;
  dpr: number;
  width: number;
  height: number;
}

/** Shifts below this fraction of a device pixel count as whole pixels. */
const PIXEL_EPS = 1e-3;

interface Overview {
  revision: number;
  scale: number;
  /** World rect the bitmap covers. */
  world: Rect;
  image: unknown;
  /** Too big (or no surface): frames at this scale are drawn live until the revision changes. */
  live: boolean;
}

export class Renderer {
  private readonly cache = new Map<string, CacheEntry>();
  private overview: Overview | null = null;
  private last: LastFrame | null = null;
  /** How many times element paths were built (cache misses). */
  builds = 0;
  /** How many times the overview bitmap was painted. */
  overviewBuilds = 0;

  /**
   * Forgets the last frame, so the next one is painted in full. Call it when something the board
   * revision does not cover changes what is drawn (an image file arriving).
   */
  invalidateFrame(): void {
    this.last = null;
  }

  /** Drops cache entries for elements no longer on the board. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private entryFor(el: Element, version: number | undefined): CacheEntry {
    const hit = version !== undefined ? this.cache.get(el.id) : undefined;
    if (hit && hit.version === version) return hit;
    const entry: CacheEntry = { version: version ?? -1, bounds: renderBounds(el), paths: null, has: null, p2d: null, simple: null };
    if (version !== undefined) this.cache.set(el.id, entry);
    return entry;
  }

  private fullPaths(el: Element, entry: CacheEntry): void {
    if (entry.has) return;
    this.builds++;
    const paths = buildPaths(el);
    entry.has = { fill: !!paths.fill, stroke: !!paths.stroke, solid: !!paths.solid };
    const P = path2dCtor();
    if (!P) {
      entry.paths = paths;
      return;
    }
    const mk = (ops: PathOp[] | null): PathHandle | null => {
      if (!ops) return null;
      const p = new P();
      replay(p, ops);
      return p;
    };
    entry.p2d = { fill: mk(paths.fill), stroke: mk(paths.stroke), solid: mk(paths.solid) };
  }

  /**
   * Paints the board layer. `elements` (or a function giving them, called only when needed) are
   * in drawing order; anything off screen is culled.
   */
  renderStatic(ctx: Ctx2D, elements: Iterable<Element> | (() => Iterable<Element>), vp: Viewport, opts: RenderOptions = {}): RenderStats {
    const dpr = opts.dpr ?? 1;
    const theme = opts.theme ?? LIGHT_THEME;
    const stats: RenderStats = { drawn: [], lod: [], skipped: 0, culled: 0 };
    const z = vp.zoom * dpr;
    const board = opts.hidden?.size ? undefined : opts.board;
    const last = this.last;
    this.last = null;
    const scale = board ? overviewScale(z) : null;
    if (scale !== null && board && ctx.drawImage) {
      let ov = this.overview;
      let state: RenderStats['overview'] = 'hit';
      if (!ov || ov.revision !== board.revision || ov.scale !== scale) {
        ov = this.overview = this.buildOverview(board, scale, theme, opts);
        state = 'built';
      }
      if (!ov.live) {
        this.clear(ctx, vp, dpr, theme);
        ctx.setTransform(z, 0, 0, z, -vp.x * z, -vp.y * z);
        if (ov.image) ctx.drawImage(ov.image as never, ov.world.x, ov.world.y, ov.world.width, ov.world.height);
        stats.overview = state;
        return stats;
      }
    }
    const frame: LastFrame | null =
      board?.query && ctx.canvas && ctx.drawImage
        ? { canvas: ctx.canvas, revision: board.revision, background: theme.background, x: vp.x, y: vp.y, zoom: vp.zoom, dpr, width: vp.width, height: vp.height }
        : null;
    if (frame && last && board?.query && this.scroll(ctx, last, frame, board.query, theme, opts, stats)) {
      this.last = frame;
      return stats;
    }
    this.last = frame;
    this.clear(ctx, vp, dpr, theme);
    ctx.setTransform(z, 0, 0, z, -vp.x * z, -vp.y * z);
    const view = inflate(vp.visibleWorld(), CULL_MARGIN_PX / vp.zoom);
    // With a board to query, full frames see the same elements (same margin) as panned strips.
    const list = board?.query ? board.query(view) : typeof elements === 'function' ? elements() : elements;
    for (const el of list) {
      if (opts.hidden?.has(el.id)) continue;
      const entry = this.entryFor(el, opts.versionOf?.(el.id));
      if (!rectsIntersect(entry.bounds, view)) {
        stats.culled++;
        continue;
      }
      const d = this.paint(ctx, el, entry, vp.zoom, theme, opts);
      if (d === 'skip') stats.skipped++;
      else if (d === 'box') stats.lod.push(el.id);
      else stats.drawn.push(el.id);
    }
    return stats;
  }

  private clear(ctx: Ctx2D, vp: Viewport, dpr: number, theme: Theme): void {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, vp.width, vp.height);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, vp.width, vp.height);
  }

  /**
   * Reuses the last frame when this one only pans it by whole device pixels: the canvas is drawn
   * onto itself shifted, then the strips that came into view are painted, each clipped to itself.
   * The pixels are those a full paint would give, up to anti-aliasing (curves and glyphs are not
   * rasterized exactly alike at every offset). False when the frame must be painted in full.
   */
  private scroll(ctx: Ctx2D, last: LastFrame, now: LastFrame, query: (r: Rect) => Iterable<Element>, theme: Theme, opts: RenderOptions, stats: RenderStats): boolean {
    if (
      last.canvas !== now.canvas ||
      last.revision !== now.revision ||
      last.background !== now.background ||
      last.zoom !== now.zoom ||
      last.dpr !== now.dpr ||
      last.width !== now.width ||
      last.height !== now.height
    ) {
      return false;
    }
    const z = now.zoom * now.dpr;
    const fdx = (last.x - now.x) * z;
    const fdy = (last.y - now.y) * z;
    const dx = Math.round(fdx);
    const dy = Math.round(fdy);
    const W = Math.round(now.width * now.dpr);
    const H = Math.round(now.height * now.dpr);
    if (Math.abs(fdx - dx) > PIXEL_EPS || Math.abs(fdy - dy) > PIXEL_EPS) return false;
    // Past half the screen a full paint costs about as much as the strips.
    if (Math.abs(dx) * 2 > W || Math.abs(dy) * 2 > H) return false;
    // The same camera again: something the revision does not cover changed (or the canvas was
    // reset, as setting its size does), so paint it in full.
    if (dx === 0 && dy === 0) return false;
    stats.scrolled = [dx, dy];
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage!(now.canvas as never, dx, dy);
    // Device-pixel strips: a full-height column on the side content came in from, then the
    // rest of the rows on the top or bottom.
    const strips: Rect[] = [];
    if (dx > 0) strips.push({ x: 0, y: 0, width: dx, height: H });
    if (dx < 0) strips.push({ x: W + dx, y: 0, width: -dx, height: H });
    const colX = dx > 0 ? dx : 0;
    const colW = W - Math.abs(dx);
    if (dy > 0) strips.push({ x: colX, y: 0, width: colW, height: dy });
    if (dy < 0) strips.push({ x: colX, y: H + dy, width: colW, height: -dy });
    for (const s of strips) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(s.x, s.y, s.width, s.height);
      ctx.clip();
      ctx.fillStyle = theme.background;
      ctx.fillRect(s.x, s.y, s.width, s.height);
      ctx.setTransform(z, 0, 0, z, -now.x * z, -now.y * z);
      const world = inflate({ x: now.x + s.x / z, y: now.y + s.y / z, width: s.width / z, height: s.height / z }, CULL_MARGIN_PX / now.zoom);
      for (const el of query(world)) {
        if (opts.hidden?.has(el.id)) continue;
        const entry = this.entryFor(el, opts.versionOf?.(el.id));
        if (!rectsIntersect(entry.bounds, world)) continue;
        const d = this.paint(ctx, el, entry, now.zoom, theme, opts);
        if (d === 'skip') stats.skipped++;
        else if (d === 'box') stats.lod.push(el.id);
        else stats.drawn.push(el.id);
      }
      ctx.restore();
    }
    return true;
  }

  /** Paints one element at its level of detail. */
  private paint(ctx: Ctx2D, el: Element, entry: CacheEntry, detailZoom: number, theme: Theme, opts: RenderOptions, zoom = detailZoom): Detail {
    const rb = entry.bounds;
    const d = levelOfDetail(el, rb, detailZoom);
    if (d === 'skip') return d;
    if (d === 'box') {
      ctx.globalAlpha = el.opacity;
      ctx.fillStyle = el.fill !== 'transparent' ? el.fill : el.stroke;
      ctx.fillRect(rb.x, rb.y, Math.max(rb.width, 1 / zoom), Math.max(rb.height, 1 / zoom));
      ctx.globalAlpha = 1;
      return d;
    }
    if (d === 'simple') {
      this.drawSimple(ctx, el, entry);
      return d;
    }
    this.drawElement(ctx, el, entry, zoom, theme, opts);
    return d;
  }

  /** A pen stroke as its centre line, text as one bar per line: no outline, no glyphs. */
  private drawSimple(ctx: Ctx2D, el: Element, entry: CacheEntry): void {
    ctx.globalAlpha = el.opacity;
    if (el.kind === 'text') {
      const b = localBox(el);
      const lines = (el.text ?? '').split('\n');
      const lh = el.fontSize * LINE_HEIGHT;
      ctx.fillStyle = el.stroke;
      lines.forEach((line, i) => {
        const w = Math.min(b.width, line.length * el.fontSize * 0.5);
        const x = el.textAlign === 'center' ? b.x + (b.width - w) / 2 : el.textAlign === 'right' ? b.x + b.width - w : b.x;
        if (w > 0) ctx.fillRect(x, b.y + i * lh + lh * 0.3, w, lh * 0.45);
      });
      ctx.globalAlpha = 1;
      return;
    }
    if (!entry.simple) {
      const ops: PathOp[] = (el.points ?? []).map(([x, y], i) => (i === 0 ? ['M', el.x + x, el.y + y] : ['L', el.x + x, el.y + y]));
      const P = path2dCtor();
      if (P) {
        const p = new P();
        replay(p, ops);
        entry.simple = p;
      } else entry.simple = ops;
    }
    ctx.save();
    if (el.angle) {
      const b = localBox(el);
      const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      ctx.translate(c.x, c.y);
      ctx.rotate(el.angle);
      ctx.translate(-c.x, -c.y);
    }
    ctx.strokeStyle = el.stroke;
    // perfect-freehand's outline is about this wide on average.
    ctx.lineWidth = el.strokeWidth * 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (Array.isArray(entry.simple)) {
      ctx.beginPath();
      replay(ctx, entry.simple);
      ctx.stroke();
    } else ctx.stroke(entry.simple as never);
    ctx.restore();
    ctx.globalAlpha = 1;
  }

  /** Paints the whole board at `scale` device pixels per world unit into a new surface. */
  private buildOverview(board: BoardSource, scale: number, theme: Theme, opts: RenderOptions): Overview {
    const all: [Element, CacheEntry][] = [];
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const el of board.elements()) {
      // Reuse what live frames cached, but cache nothing new: the whole board's entries would
      // stay in memory for elements that may never be drawn up close.
      const version = opts.versionOf?.(el.id);
      const hit = version !== undefined ? this.cache.get(el.id) : undefined;
      const entry = hit && hit.version === version ? hit : this.entryFor(el, undefined);
      const b = entry.bounds;
      if (b.x < minX) minX = b.x;
      if (b.y < minY) minY = b.y;
      if (b.x + b.width > maxX) maxX = b.x + b.width;
      if (b.y + b.height > maxY) maxY = b.y + b.height;
      all.push([el, entry]);
    }
    this.overviewBuilds++;
    const none: Overview = { revision: board.revision, scale, world: { x: 0, y: 0, width: 0, height: 0 }, image: null, live: true };
    if (!all.length) return { ...none, live: false };
    // Whole device pixels: the bitmap's world rect starts on a pixel boundary at this scale.
    const x0 = Math.floor(minX * scale);
    const y0 = Math.floor(minY * scale);
    const w = Math.ceil(maxX * scale) - x0 + 1;
    const h = Math.ceil(maxY * scale) - y0 + 1;
    if (w * h > OVERVIEW_MAX_PIXELS) return none;
    const surface = (opts.surface ?? defaultSurface)(w, h);
    if (!surface) return none;
    const c = surface.ctx;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.fillStyle = theme.background;
    c.fillRect(0, 0, w, h);
    c.setTransform(scale, 0, 0, scale, -x0, -y0);
    // The bitmap is shown from scale / 2 to scale: pick details for the far end, which keeps
    // building it cheap (most pen strokes as centre lines, small text greeked).
    for (const [el, entry] of all) this.paint(c, el, entry, scale / 2, theme, opts, scale);
    return { revision: board.revision, scale, world: { x: x0 / scale, y: y0 / scale, width: w / scale, height: h / scale }, image: surface.image, live: false };
  }

  private drawElement(ctx: Ctx2D, el: Element, entry: CacheEntry, zoom: number, theme: Theme, opts: RenderOptions): void {
    this.fullPaths(el, entry);
    const has = entry.has!;
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
        replay(ctx, entry.paths?.[which] ?? []);
        ctx[how]();
      }
    };
    const fill = el.kind === 'sticky' && el.fill === 'transparent' ? STICKY_FILL : el.fill;
    if (has.fill && fill !== 'transparent' && fill !== '') {
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
    if (has.stroke && el.strokeWidth > 0) {
      ctx.strokeStyle = el.kind === 'frame' ? theme.frameStroke : el.stroke;
      ctx.lineWidth = el.kind === 'frame' ? 1 / zoom : el.strokeWidth;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      const d = dash(el.strokeStyle, el.strokeWidth);
      if (d.length) ctx.setLineDash(d);
      draw('stroke', 'stroke');
      if (d.length) ctx.setLineDash(NO_DASH);
    }
    if (has.solid) {
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

  /**
   * Paints selection, handles, marquee, in-progress stroke, and collaborators' selections and
   * cursors: everything that changes without the board changing, so none of it repaints the
   * static layer.
   */
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
    // Collaborators' selections first, so that ours is drawn over them.
    for (const c of state.collaborators ?? []) {
      if (!c.selection?.length) continue;
      const els = c.selection.map(get).filter((e): e is Element => !!e);
      const sel = remoteSelection(els, vp.zoom);
      if (!sel) continue;
      ctx.strokeStyle = c.color;
      ctx.lineWidth = 2 * px;
      for (const ring of sel.outlines) polygon(ctx, ring);
      if (sel.frame) {
        ctx.lineWidth = 1 * px;
        ctx.setLineDash([4 * px, 3 * px]);
        polygon(ctx, sel.frame);
        ctx.setLineDash(NO_DASH);
      }
      nameTag(ctx, c.name, c.color, sel.tag.x, sel.tag.y - TAG_H_PX * px, px);
    }

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

    // Pins keep their screen size at any zoom (Figma's comment pins).
    for (const pin of state.pins ?? []) {
      const r = PIN_PX * px;
      const cx = pin.point.x + r;
      const cy = pin.point.y - r;
      ctx.fillStyle = pin.active ? theme.selection : '#f59f00';
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2 * px;
      // A circle with a tail down to the anchor.
      ctx.beginPath();
      ctx.moveTo(pin.point.x, pin.point.y);
      ctx.lineTo(pin.point.x, cy);
      ctx.lineTo(cx, pin.point.y);
      ctx.closePath();
      ctx.fill();
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = '#ffffff';
      ctx.font = `bold ${11 * px}px sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(String(pin.count), cx, cy);
    }

    for (const c of state.collaborators ?? []) {
      const p = c.point;
      if (!p) continue;
      ctx.fillStyle = c.color;
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 12 * px, p.y + 14 * px);
      ctx.lineTo(p.x + 5 * px, p.y + 14 * px);
      ctx.lineTo(p.x, p.y + 19 * px);
      ctx.closePath();
      ctx.fill();
      nameTag(ctx, c.name, c.color, p.x + 10 * px, p.y + 18 * px, px);
    }
  }
}

/** A name tag's height in screen pixels. */
const TAG_H_PX = 18;

/** A closed polygon, stroked with the current style. */
function polygon(ctx: Ctx2D, ring: readonly Vec[]): void {
  ctx.beginPath();
  ring.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  ctx.closePath();
  ctx.stroke();
}

/** White text on a pill of `color` with its top-left at (x, y), the same size on screen at any zoom. */
function nameTag(ctx: Ctx2D, name: string, color: string, x: number, y: number, px: number): void {
  ctx.font = `${12 * px}px sans-serif`;
  const w = (ctx.measureText?.(name).width ?? name.length * 7 * px) + 10 * px;
  ctx.fillStyle = color;
  ctx.fillRect(x, y, w, TAG_H_PX * px);
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(name, x + 5 * px, y + (TAG_H_PX / 2) * px);
}

/** A comment pin's radius in screen pixels (`collab/pins.ts` hit-tests the same circle). */
const PIN_PX = 11;

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
  /** Collaborators' cursors (when their pointer is on their canvas) and selections. */
  collaborators?: { id: string; name: string; color: string; point: Vec | null; selection?: readonly string[] }[];
  /** Comment pins: a round marker above and right of each open thread's anchor. */
  pins?: { thread: string; point: Vec; count: number; active: boolean }[];
}

const NO_DASH: number[] = [];

function dash(style: Element['strokeStyle'], w: number): number[] {
  if (style === 'dashed') return [8 + w, 8 + w];
  if (style === 'dotted') return [1.5, 6 + w];
  return NO_DASH;
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
