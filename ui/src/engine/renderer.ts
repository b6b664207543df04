import type { Element } from '../model/types';
import { inflate, localBox, type Rect, rectsIntersect, renderBounds, shapeBox, type Vec } from './geometry';
import { HANDLE_PX, remoteSelection, selectionFrame } from './handles';
import { clipFrame, frameBox } from './frames';
import type { SnapGuide } from './snap';
import { editablePoint, isLinear, midpoints, POINT_HANDLE_PX, pointHandlesOnly, worldPoints } from './points';
import { buildPaths, type ElementPaths, freehandOutline, type PathOp, replay } from './paths';
import { isRough, type RoughLayer, roughLayers } from './rough';
import { type FrameScheduler, rafScheduler } from './scheduler';
import { cssFont, estimateLine, LINE_HEIGHT, type LineMeasure, layoutText, type TextLayout } from './text';
import { FALLBACK_LEVELS, TILE_BUDGET_MS, TILE_CACHE_TILES, TILE_SETTLE_BUDGET_MS, TILE_PX, tileKey, tileRange, tileReach, tileRect, tileScale, tileTouched } from './tiles';
import type { Viewport } from './viewport';

export { LINE_HEIGHT };

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
  fill(path?: never, fillRule?: 'nonzero' | 'evenodd'): void;
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
  /** Snap guides. */
  snap: string;
  /** Grid lines, and every fifth one. */
  grid: string;
  gridMajor: string;
}

export const LIGHT_THEME: Theme = {
  background: '#ffffff',
  selection: '#4f7cff',
  handleFill: '#ffffff',
  frameStroke: '#9a9a9a',
  frameLabel: '#6b6b6b',
  snap: '#ff6b6b',
  grid: 'rgba(0, 0, 0, 0.05)',
  gridMajor: 'rgba(0, 0, 0, 0.1)',
};

export const DARK_THEME: Theme = {
  ...LIGHT_THEME,
  background: '#121212',
  handleFill: '#1e1e1e',
  grid: 'rgba(255, 255, 255, 0.05)',
  gridMajor: 'rgba(255, 255, 255, 0.1)',
};

/** Elements whose larger side is below this many screen pixels are drawn as a filled rect. */
export const LOD_PX = 2;
/** ... and below this many are skipped. */
export const SKIP_PX = 0.5;
/** Pen strokes smaller than this many screen pixels are stroked along their points (no outline). */
export const SIMPLE_STROKE_PX = 16;
/**
 * Below 100%, shapes, lines and arrows smaller than this many screen pixels are drawn from their
 * box or points (no exact path, no arrowhead, hatching as a tint): at that size the difference is
 * a pixel or two, and building every path of a zoomed-out tile is most of its cost.
 */
export const SIMPLE_SHAPE_PX = 12;
/** Kinds that SIMPLE_SHAPE_PX applies to. */
const SIMPLE_SHAPES: ReadonlySet<string> = new Set(['rectangle', 'ellipse', 'diamond', 'sticky', 'line', 'arrow']);
/** The opacity, as a share of their own, of elements the eraser will delete (Excalidraw fades them). */
export const ERASE_FADE = 0.3;

/** Text whose font is smaller than this many screen pixels is drawn as a bar per line (greeked). */
export const GREEK_TEXT_PX = 5;
/**
 * Culling keeps elements whose bounds come this close (screen pixels) to the view: glyphs may
 * overhang a text element's measured box, and a panned frame's strips must see the same elements
 * a full paint would.
 */
export const CULL_MARGIN_PX = 32;

export const STICKY_FILL = '#fff3a0';

/** How much of an element is painted at a given zoom. */
export type Detail = 'skip' | 'box' | 'simple' | 'full';

/**
 * Level of detail for an element whose render bounds are `rb`, at `zoom` screen pixels per world
 * unit: dust is skipped, specks are a filled box, small pen strokes, tiny text and (below 100%)
 * small shapes are simplified.
 */
export function levelOfDetail(el: Element, rb: Rect, zoom: number): Detail {
  const px = Math.max(rb.width, rb.height) * zoom;
  if (px < SKIP_PX) return 'skip';
  if (px < LOD_PX) return 'box';
  if (el.kind === 'freedraw' && px < SIMPLE_STROKE_PX) return 'simple';
  if (el.kind === 'text' && el.fontSize * zoom < GREEK_TEXT_PX) return 'simple';
  if (zoom < 1 && px < SIMPLE_SHAPE_PX && SIMPLE_SHAPES.has(el.kind)) return 'simple';
  return 'full';
}

/** The whole board, for the tiles of zoomed-out frames (see tiles.ts). */
export interface BoardSource {
  /** Changes whenever any element is added, changed or removed (e.g. `Store.revision`). */
  revision: number;
  /** Every element in drawing order. Called only to render a tile when there is no `query`. */
  elements(): Iterable<Element>;
  /**
   * The elements whose bounds intersect `r`, in drawing order (a spatial index query). With it,
   * a frame that only pans by whole device pixels reuses the last one and paints the strips
   * that came into view.
   */
  query?(r: Rect): Iterable<Element>;
  /**
   * The world rects that changed after `revision` (a `DirtyLog`), or null when unknown. Without
   * it, any new revision drops every tile; with it, only the tiles an edit touched.
   */
  changedSince?(revision: number): readonly Rect[] | null;
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
  /**
   * Elements whose text is being edited in a DOM editor: a text element is not drawn, a sticky or
   * shape is drawn without its text (its fill stays under the edit box, as in Excalidraw).
   */
  hidden?: ReadonlySet<string>;
  /** Elements drawn faded, at `ERASE_FADE` of their opacity: what the eraser will delete on release. */
  faded?: ReadonlySet<string>;
  /** Resolves an image element's file to something drawImage accepts. */
  image?: (fileId: string) => unknown;
  /** Looks elements up by id: a frame's children are drawn clipped to it (frames.ts). */
  get?: (id: string) => Element | undefined;
  /**
   * The whole board. With it, zoomed-out frames (zoom x DPR < 1) are painted from cached tiles
   * of the board (tiles.ts) instead of element by element.
   */
  board?: BoardSource;
  /** Makes offscreen surfaces for tiles; defaults to OffscreenCanvas where there is one. */
  surface?: (width: number, height: number) => Surface | null;
  /** How long a frame may spend rendering tiles that have a stand-in (default TILE_BUDGET_MS). */
  tileBudgetMs?: number;
  /** The same when the camera has not moved since the last tiled frame (default TILE_SETTLE_BUDGET_MS). */
  settleBudgetMs?: number;
  /** Clock for that budget (default performance.now). */
  now?: () => number;
}

/** What a tiled frame did. */
export interface TileStats {
  scale: number;
  /** Tiles the frame covers. */
  tiles: number;
  /** Tiles rendered during this frame. */
  rendered: number;
  /**
   * Tiles shown from a stand-in (cached tiles of another scale, stretched) because the frame's
   * budget ran out: the frame is not final, and another should be painted (RenderLoop does).
   */
  pending: number;
}

export interface RenderStats {
  drawn: string[];
  lod: string[];
  skipped: number;
  culled: number;
  /** Painted from tiles (absent: drawn live, element by element). */
  tiles?: TileStats;
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
  /** The hand-drawn layers (rough.ts) with their Path2D where there is one; null when not rough. */
  rough?: { layers: RoughLayer[]; p2d: (PathHandle | null)[] } | null;
  /** The element's text laid out (wrapped labels are measured word by word: once per version). */
  text?: TextLayout;
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

/** A rendered tile; `image` is null when no element reaches it (nothing to draw over the background). */
interface Tile {
  scale: number;
  tx: number;
  ty: number;
  image: unknown;
}

const defaultNow = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Renderer {
  private readonly cache = new Map<string, CacheEntry>();
  /** Tiles by tileKey, least recently drawn first. */
  private readonly tiles = new Map<string, Tile>();
  /** The board revision and background the tiles show. */
  private tilesAt: { revision: number; background: string } | null = null;
  private last: LastFrame | null = null;
  /** The camera of the last tiled frame (a frame at the same one is settling). */
  private tiledAt = '';
  /** False once a surface could not be had (no OffscreenCanvas): frames are then drawn live. */
  private tilesWork = true;
  /** How many times element paths were built (cache misses). */
  builds = 0;
  /** How many times rough.js generated an element's hand-drawn layers (cache misses). */
  roughBuilds = 0;
  /** How many tiles were rendered. */
  tileBuilds = 0;

  /**
   * Forgets the last frame, so the next one is painted in full. Call it when the canvas was reset
   * (resized).
   */
  invalidateFrame(): void {
    this.last = null;
  }

  /**
   * Forgets the last frame and every tile. Call it when something the board revision does not
   * cover changes what is drawn (an image file arriving).
   */
  invalidateBoard(): void {
    this.last = null;
    this.tiles.clear();
    this.tilesAt = null;
  }

  /** How many tiles are cached. */
  get tileCount(): number {
    return this.tiles.size;
  }

  /**
   * Forgets every element's cached paths and text layout, the last frame and the tiles: call it
   * when fonts finish loading (labels were measured and drawn with a fallback until then).
   */
  invalidateText(): void {
    this.cache.clear();
    this.invalidateBoard();
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

  /** rough.js's layers for `el`, generated on first use and kept with its other paths. */
  private roughFor(el: Element, entry: CacheEntry): NonNullable<CacheEntry['rough']> {
    if (entry.rough) return entry.rough;
    this.roughBuilds++;
    const P = path2dCtor();
    const layers = roughLayers(el);
    const p2d = layers.map((l) => {
      if (!P) return null;
      const p = new P();
      replay(p, l.ops);
      return p;
    });
    entry.rough = { layers, p2d };
    return entry.rough;
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
    // Hidden or faded elements are drawn live, not from tiles or a reused frame.
    const board = opts.hidden?.size || opts.faded?.size ? undefined : opts.board;
    const last = this.last;
    this.last = null;
    const scale = board ? tileScale(z) : null;
    if (scale !== null && board && ctx.drawImage && this.tilesWork) {
      const tiles = this.drawTiles(ctx, board, vp, dpr, scale, theme, opts);
      if (tiles) {
        stats.tiles = tiles;
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
    for (const listed of list) {
      if (listed.kind === 'text' && opts.hidden?.has(listed.id)) continue;
      const el = opts.faded?.has(listed.id) ? { ...listed, opacity: listed.opacity * ERASE_FADE } : listed;
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
        if (el.kind === 'text' && opts.hidden?.has(el.id)) continue;
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
    const frame = opts.get && el.frameId ? clipFrame(el, opts.get) : undefined;
    if (!frame) return this.paintUnclipped(ctx, el, entry, detailZoom, theme, opts, zoom);
    // A frame's child shows only inside the frame (Excalidraw), on every path that paints it.
    const b = frameBox(frame);
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.x, b.y, b.width, b.height);
    ctx.clip();
    const d = this.paintUnclipped(ctx, el, entry, detailZoom, theme, opts, zoom);
    ctx.restore();
    return d;
  }

  private paintUnclipped(ctx: Ctx2D, el: Element, entry: CacheEntry, detailZoom: number, theme: Theme, opts: RenderOptions, zoom: number): Detail {
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

  /**
   * A pen stroke as its centre line, text as one bar per line (no outline, no glyphs), a small
   * shape as its box, ellipse or diamond, a small line or arrow as its points.
   */
  private drawSimple(ctx: Ctx2D, el: Element, entry: CacheEntry): void {
    if (el.kind !== 'text' && el.kind !== 'freedraw') {
      this.drawSimpleShape(ctx, el);
      return;
    }
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

  private drawSimpleShape(ctx: Ctx2D, el: Element): void {
    const b = localBox(el);
    // Thousands of these make a zoomed-out tile: save/restore only for a rotation.
    if (el.angle) ctx.save();
    ctx.globalAlpha = el.opacity;
    if (el.angle) {
      const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      ctx.translate(c.x, c.y);
      ctx.rotate(el.angle);
      ctx.translate(-c.x, -c.y);
    }
    ctx.beginPath();
    const linear = el.kind === 'line' || el.kind === 'arrow';
    if (linear) {
      (el.points ?? []).forEach(([x, y], i) => (i === 0 ? ctx.moveTo(el.x + x, el.y + y) : ctx.lineTo(el.x + x, el.y + y)));
    } else if (el.kind === 'ellipse') {
      ctx.ellipse(b.x + b.width / 2, b.y + b.height / 2, b.width / 2, b.height / 2, 0, 0, Math.PI * 2);
    } else if (el.kind === 'diamond') {
      ctx.moveTo(b.x + b.width / 2, b.y);
      ctx.lineTo(b.x + b.width, b.y + b.height / 2);
      ctx.lineTo(b.x + b.width / 2, b.y + b.height);
      ctx.lineTo(b.x, b.y + b.height / 2);
      ctx.closePath();
    } else {
      ctx.rect(b.x, b.y, b.width, b.height);
    }
    const fill = el.kind === 'sticky' && el.fill === 'transparent' ? STICKY_FILL : el.fill;
    if (!linear && fill !== 'transparent' && fill !== '') {
      ctx.fillStyle = fill;
      // Hatching this small reads as a tint of its colour.
      if (el.fillStyle !== 'solid' && el.kind !== 'sticky') ctx.globalAlpha = el.opacity * 0.5;
      ctx.fill();
      ctx.globalAlpha = el.opacity;
    }
    if (el.strokeWidth > 0 && el.kind !== 'sticky') {
      ctx.strokeStyle = el.stroke;
      ctx.lineWidth = el.strokeWidth;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.stroke();
    }
    if (el.angle) ctx.restore();
    ctx.globalAlpha = 1;
  }

  /**
   * Paints a frame from the tiles at `scale`: cached tiles are drawn, missing ones rendered
   * nearest the centre first. Once the time budget is spent, a missing tile that cached tiles of
   * another scale cover is shown from those (stretched) and left for the next frame; one that
   * nothing covers is always rendered, so no frame shows a hole. Null when no surface can be had.
   */
  private drawTiles(ctx: Ctx2D, board: BoardSource, vp: Viewport, dpr: number, scale: number, theme: Theme, opts: RenderOptions): TileStats | null {
    this.syncTiles(board, theme);
    const z = vp.zoom * dpr;
    const [tx0, ty0, tx1, ty1] = tileRange(vp.visibleWorld(), scale);
    const stats: TileStats = { scale, tiles: (tx1 - tx0 + 1) * (ty1 - ty0 + 1), rendered: 0, pending: 0 };
    const have: Tile[] = [];
    const missing: [number, number, number][] = [];
    const ccx = (tx0 + tx1) / 2;
    const ccy = (ty0 + ty1) / 2;
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const t = this.cachedTile(scale, tx, ty);
        if (t) have.push(t);
        else missing.push([tx, ty, (tx - ccx) ** 2 + (ty - ccy) ** 2]);
      }
    }
    missing.sort((a, b) => a[2] - b[2]);
    const now = opts.now ?? defaultNow;
    const camera = `${vp.x},${vp.y},${z},${vp.width},${vp.height}`;
    const budget = camera === this.tiledAt ? (opts.settleBudgetMs ?? TILE_SETTLE_BUDGET_MS) : (opts.tileBudgetMs ?? TILE_BUDGET_MS);
    this.tiledAt = camera;
    const t0 = missing.length ? now() : 0;
    const standIns = new Map<string, Tile>();
    for (const [tx, ty] of missing) {
      const standIn = now() - t0 < budget ? null : this.standIn(scale, tx, ty);
      if (standIn) {
        for (const t of standIn) standIns.set(tileKey(t.scale, t.tx, t.ty), t);
        stats.pending++;
        continue;
      }
      const t = this.renderTile(board, scale, tx, ty, theme, opts);
      if (!t) return null;
      stats.rendered++;
      have.push(t);
    }
    this.clear(ctx, vp, dpr, theme);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (standIns.size) {
      // Stand-ins first, each once, coarsest first; the frame's own tiles are opaque and go over
      // them (an empty one as a patch of background).
      for (const t of [...standIns.values()].sort((a, b) => a.scale - b.scale)) this.blit(ctx, t, vp, z);
      ctx.fillStyle = theme.background;
      for (const t of have) {
        if (t.image) continue;
        const r = this.screenRect(tileRect(t.scale, t.tx, t.ty), vp, z);
        ctx.fillRect(r.x, r.y, r.width, r.height);
      }
    }
    for (const t of have) this.blit(ctx, t, vp, z);
    // The frame's tiles are the most recent: evict from the other end.
    const keep = Math.max(TILE_CACHE_TILES, stats.tiles);
    for (const key of this.tiles.keys()) {
      if (this.tiles.size <= keep) break;
      this.tiles.delete(key);
    }
    return stats;
  }

  /** Drops the tiles the board's changes since they were made touched (all of them if unknown). */
  private syncTiles(board: BoardSource, theme: Theme): void {
    const at = this.tilesAt;
    this.tilesAt = { revision: board.revision, background: theme.background };
    if (!at || at.background !== theme.background) {
      this.tiles.clear();
      return;
    }
    if (at.revision === board.revision || this.tiles.size === 0) return;
    const dirty = board.changedSince?.(at.revision) ?? null;
    if (!dirty) {
      this.tiles.clear();
      return;
    }
    for (const [key, t] of this.tiles) if (tileTouched(t.scale, t.tx, t.ty, dirty)) this.tiles.delete(key);
  }

  /** A cached tile, marked as the most recently used. */
  private cachedTile(scale: number, tx: number, ty: number): Tile | undefined {
    const key = tileKey(scale, tx, ty);
    const t = this.tiles.get(key);
    if (t) {
      this.tiles.delete(key);
      this.tiles.set(key, t);
    }
    return t;
  }

  /**
   * Cached tiles of another scale that together cover tile (tx, ty) at `scale`: coarser scales
   * first (one tile each), then the next finer one (four tiles). Null when none covers it whole.
   */
  private standIn(scale: number, tx: number, ty: number): Tile[] | null {
    const r = tileRect(scale, tx, ty);
    const levels = [...Array.from({ length: FALLBACK_LEVELS }, (_, i) => scale / 2 ** (i + 1)), scale * 2];
    for (const s of levels) {
      const [x0, y0, x1, y1] = tileRange(r, s);
      const out: Tile[] = [];
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const t = this.tiles.get(tileKey(s, x, y));
          if (t) out.push(t);
        }
      }
      if (out.length === (x1 - x0 + 1) * (y1 - y0 + 1)) return out;
    }
    return null;
  }

  /** Where a world rect lands on the canvas, in whole device pixels (neighbouring tiles share edges). */
  private screenRect(r: Rect, vp: Viewport, z: number): Rect {
    const x0 = Math.round((r.x - vp.x) * z);
    const y0 = Math.round((r.y - vp.y) * z);
    const x1 = Math.round((r.x + r.width - vp.x) * z);
    const y1 = Math.round((r.y + r.height - vp.y) * z);
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  private blit(ctx: Ctx2D, t: Tile, vp: Viewport, z: number): void {
    if (!t.image) return;
    const r = this.screenRect(tileRect(t.scale, t.tx, t.ty), vp, z);
    ctx.drawImage!(t.image as never, r.x, r.y, r.width, r.height);
  }

  /** Renders tile (tx, ty) at `scale` and caches it; null when no surface can be had. */
  private renderTile(board: BoardSource, scale: number, tx: number, ty: number, theme: Theme, opts: RenderOptions): Tile | null {
    const reach = tileReach(scale, tx, ty);
    const found: [Element, CacheEntry][] = [];
    // Coarse tiles cover much of the board: reuse what live frames cached there, but cache nothing
    // new (the whole board's paths would stay in memory for elements never seen up close).
    const keep = scale >= 0.5;
    for (const el of board.query ? board.query(reach) : board.elements()) {
      const version = opts.versionOf?.(el.id);
      const hit = version !== undefined ? this.cache.get(el.id) : undefined;
      const entry = hit && hit.version === version ? hit : this.entryFor(el, keep ? version : undefined);
      if (rectsIntersect(entry.bounds, reach)) found.push([el, entry]);
    }
    this.tileBuilds++;
    const tile: Tile = { scale, tx, ty, image: null };
    if (found.length) {
      const surface = (opts.surface ?? defaultSurface)(TILE_PX, TILE_PX);
      if (!surface) {
        this.tilesWork = false;
        return null;
      }
      const c = surface.ctx;
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.fillStyle = theme.background;
      c.fillRect(0, 0, TILE_PX, TILE_PX);
      c.setTransform(scale, 0, 0, scale, -tx * TILE_PX, -ty * TILE_PX);
      // A tile is shown from scale / 2 to scale. Tiles from 50% up show what a live frame at
      // their scale would (text at 50% is still read); coarser ones pick details for the far end,
      // which keeps them cheap (small pen strokes as centre lines, small text greeked).
      const detail = scale >= 0.5 ? scale : scale / 2;
      for (const [el, entry] of found) this.paint(c, el, entry, detail, theme, opts, scale);
      tile.image = surface.image;
    }
    this.tiles.set(tileKey(scale, tx, ty), tile);
    return tile;
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
    // The hand-drawn layers, unless the wobble would move strokes by less than a pixel at this
    // zoom (zoomed-out tiles): then the clean paths, with a hatch for a pattern fill.
    const rough = isRough(el) && (el.roughness === 0 || roughWobble(el) * zoom >= 1) ? this.roughFor(el, entry) : null;
    const handDrawn = !!rough && el.roughness > 0;
    if (handDrawn) {
      // Hand-drawn: rough.js's fills and strokes, heads included, replace the clean paths.
      drawRough(ctx, rough);
    } else {
      if (has.fill && fill !== 'transparent' && fill !== '') {
        if (el.fillStyle === 'solid' || el.kind === 'sticky') {
          ctx.fillStyle = fill;
          draw('fill', 'fill');
        } else if (rough) {
          // A clean outline over rough.js's hachure (unwobbled), as Excalidraw draws roughness 0.
          drawRough(ctx, rough);
        } else {
          ctx.save();
          draw('fill', 'clip');
          ctx.strokeStyle = fill;
          ctx.lineWidth = Math.max(1, el.strokeWidth / 2);
          // Hatch the drawn shape's box: a closed curve can bulge past its points.
          hatch(ctx, shapeBox(el), el.fillStyle, Math.max(6, el.strokeWidth * 4));
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
    }
    if (has.solid && !handDrawn) {
      ctx.fillStyle = el.stroke;
      draw('solid', 'fill');
    }
    if (el.kind === 'frame') {
      ctx.fillStyle = theme.frameLabel;
      ctx.font = `${14 / zoom}px sans-serif`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(el.name ?? 'Frame', b.x, b.y - 4 / zoom);
    } else if (el.text && !opts.hidden?.has(el.id)) {
      drawText(ctx, el, b, entry);
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

    // The grid (Ctrl+'): faint lines every step, stronger every fifth, thinned out when they
    // would crowd closer than 8 pixels.
    if (state.grid) {
      const view = vp.visibleWorld();
      let step = state.grid;
      while (step * vp.zoom < 8) step *= 5;
      const major = step * 5;
      ctx.lineWidth = px;
      for (const axis of ['x', 'y'] as const) {
        const lo = axis === 'x' ? view.x : view.y;
        const hi = lo + (axis === 'x' ? view.width : view.height);
        for (let v = Math.floor(lo / step) * step; v <= hi; v += step) {
          ctx.strokeStyle = Math.abs(v / major - Math.round(v / major)) < 1e-6 ? theme.gridMajor : theme.grid;
          ctx.beginPath();
          if (axis === 'x') {
            ctx.moveTo(v, view.y);
            ctx.lineTo(v, view.y + view.height);
          } else {
            ctx.moveTo(view.x, v);
            ctx.lineTo(view.x + view.width, v);
          }
          ctx.stroke();
        }
      }
    }

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
    const frame = pointHandlesOnly(selected) ? null : selectionFrame(selected, vp.zoom);
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

    // A single line's points (the line editor): a disc per point, the active one filled, and a
    // fainter disc at each segment's midpoint where dragging inserts a point.
    const line = selected.length === 1 && isLinear(selected[0]!) && !selected[0]!.locked && state.showHandles !== false ? selected[0]! : null;
    if (line) {
      const r = POINT_HANDLE_PX * px;
      ctx.lineWidth = 1 * px;
      ctx.strokeStyle = theme.selection;
      ctx.globalAlpha = 0.5;
      for (const m of midpoints(line, vp.zoom)) {
        if (!m) continue;
        ctx.fillStyle = theme.handleFill;
        ctx.beginPath();
        ctx.arc(m.x, m.y, r * 0.8, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      worldPoints(line).forEach((p, i) => {
        if (!editablePoint(line, i)) return;
        ctx.fillStyle = i === state.activePoint ? theme.selection : theme.handleFill;
        ctx.beginPath();
        ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      });
    }

    // Snap guides: the line each snapped edge or centre shares with other elements, a cross at
    // each point lined up on it (Excalidraw's red).
    for (const g of state.guides ?? []) {
      ctx.strokeStyle = theme.snap;
      ctx.lineWidth = px;
      ctx.beginPath();
      const at = (t: number): Vec => (g.axis === 'x' ? { x: g.at, y: t } : { x: t, y: g.at });
      const a = at(g.from);
      const b = at(g.to);
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      const c = 3 * px;
      for (const m of g.marks) {
        const q = at(m);
        ctx.moveTo(q.x - c, q.y - c);
        ctx.lineTo(q.x + c, q.y + c);
        ctx.moveTo(q.x + c, q.y - c);
        ctx.lineTo(q.x - c, q.y + c);
      }
      ctx.stroke();
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
  /** The active point of the single selected line (the line editor's; Delete removes it). */
  activePoint?: number | null;
  /** Snap guides of the gesture in progress (engine/snap.ts). */
  guides?: readonly SnapGuide[] | null;
  /** The grid's step while the grid shows (Ctrl+'), else null. */
  grid?: number | null;
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

/** How far (world units) the hand-drawn style moves a shape's strokes, about: its render bounds' allowance. */
function roughWobble(el: Element): number {
  return el.roughness * (3 + Math.max(el.width, el.height) / 100);
}

/** Paints rough.js layers as its canvas renderer would (with Excalidraw's round caps and joins). */
function drawRough(ctx: Ctx2D, rough: { layers: RoughLayer[]; p2d: (PathHandle | null)[] }): void {
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  rough.layers.forEach((l, i) => {
    if (!l.color || l.color === 'transparent' || (l.paint === 'stroke' && l.width <= 0)) return;
    const p = rough.p2d[i];
    if (!p) {
      ctx.beginPath();
      replay(ctx, l.ops);
    }
    if (l.paint === 'fill') {
      ctx.fillStyle = l.color;
      if (p) ctx.fill(p as never, l.evenOdd ? 'evenodd' : 'nonzero');
      else ctx.fill();
      return;
    }
    ctx.strokeStyle = l.color;
    ctx.lineWidth = l.width;
    if (l.dash) ctx.setLineDash(l.dash);
    if (p) ctx.stroke(p as never);
    else ctx.stroke();
    if (l.dash) ctx.setLineDash(NO_DASH);
  });
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

function drawText(ctx: Ctx2D, el: Element, b: Rect, entry: CacheEntry): void {
  ctx.font = cssFont(el.fontSize, el.fontFamily);
  // The canvas's own metrics where it has them (the font is set above), else the export's estimate.
  const measure: LineMeasure = ctx.measureText ? (line) => ctx.measureText!(line).width : estimateLine;
  const t = (entry.text ??= layoutText(el, b, measure));
  ctx.fillStyle = el.stroke;
  ctx.textAlign = t.align;
  ctx.textBaseline = 'top';
  t.lines.forEach((line, i) => ctx.fillText(line, t.x, t.top + i * t.lineHeight));
}

/**
 * Redraws each layer at most once per frame, and only when it was invalidated. A static draw that
 * returns true was not final (a tiled frame showed stand-ins): the layer is drawn again next frame.
 */
export class RenderLoop {
  private dirtyStatic = false;
  private dirtyInteractive = false;
  private scheduled = false;
  staticDraws = 0;
  interactiveDraws = 0;

  constructor(
    private readonly drawStatic: () => unknown,
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
      if (this.drawStatic() === true) this.invalidate('static');
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
