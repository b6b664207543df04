// Easel's canvas engine wired the way ui/src/app.ts wires it (store -> spatial index -> render
// loop on requestAnimationFrame), minus the editor's tools and the DOM chrome.
import type { Element } from '../../../ui/src/model/types';
import { type BoardSource, Renderer, RenderLoop } from '../../../ui/src/engine/renderer';
import { SpatialIndex, visibleInOrder } from '../../../ui/src/engine/spatial';
import { Store } from '../../../ui/src/engine/store';
import { DirtyLog, indexBatch } from '../../../ui/src/engine/tiles';
import { Viewport } from '../../../ui/src/engine/viewport';
import { boot, type Target } from './harness';

const canvas = document.getElementById('board') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const store = new Store();
const spatial = new SpatialIndex();
const viewport = new Viewport(canvas.width, canvas.height);
const renderer = new Renderer();
const dirty = new DirtyLog();

const get = (id: string) => store.get(id);
const visibleElements = () => visibleInOrder(spatial, get, viewport.visibleWorld());
const board: BoardSource = {
  get revision() {
    return store.revision;
  },
  elements: () => store.sorted(),
  query: (r) => visibleInOrder(spatial, get, r),
  changedSince: (revision) => dirty.since(revision, store.revision),
};
const versionOf = (id: string) => store.version(id);

/**
 * Counters since the runner last read them: frames painted, frames from tiles, frames that showed
 * stand-ins for tiles not yet rendered (not final), tiles rendered, and the frames (and ms) the
 * RenderLoop painted on requestAnimationFrame rather than in renderNow: in raf2 mode these are the
 * measured frames and their follow-ups; in work mode there are none (see `timed`).
 */
let info = { frames: 0, tiled: 0, notFinal: 0, tilesRendered: 0, rafFrames: 0, rafMs: 0 };
/**
 * While the runner times synchronous paints (renderNow), a frame that was not final schedules no
 * follow-up: the app would paint one on the next frame, but here that work would go untimed.
 */
let timed = false;
let lastFinal = true;
const loop = new RenderLoop(
  () => {
    const t0 = performance.now();
    const stats = renderer.renderStatic(ctx, visibleElements, viewport, { versionOf, board });
    info.frames++;
    lastFinal = !stats.tiles?.pending;
    if (stats.tiles) {
      info.tiled++;
      info.tilesRendered += stats.tiles.rendered;
      if (stats.tiles.pending) info.notFinal++;
    }
    if (!timed) {
      info.rafFrames++;
      info.rafMs += performance.now() - t0;
    }
    return !timed && !!stats.tiles?.pending;
  },
  () => {},
);
store.subscribeSync((diff) => {
  indexBatch(spatial, diff, dirty, store.revision);
  loop.invalidate('static');
});
store.subscribe((change) => {
  for (const id of change.removed) renderer.forget(id);
});
viewport.onChange(() => loop.invalidate('static'));

const target: Target = {
  name: 'easel',
  canvas: () => canvas,
  handOver(elements) {
    store.apply({ added: elements as Element[] }, 'remote');
  },
  setCamera([x, y, z]) {
    timed = false;
    viewport.set(x, y, z);
  },
  renderNow([x, y, z]) {
    timed = true;
    viewport.set(x, y, z);
    loop.flushNow();
    timed = false;
  },
  final: () => lastFinal,
  info() {
    const out = info;
    info = { frames: 0, tiled: 0, notFinal: 0, tilesRendered: 0, rafFrames: 0, rafMs: 0 };
    return { ...out, rafMs: Math.round(out.rafMs) };
  },
  verify() {
    // The frame as painted (possibly the last one shifted plus new strips) vs a full repaint.
    const a = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    renderer.invalidateFrame();
    loop.invalidate('static');
    loop.flushNow();
    const b = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    // Pixels differing at all, and by more than 64 in some channel (anti-aliasing of curves
    // and glyphs is not exactly translation-invariant; missing content would differ by more).
    let px = 0;
    let px64 = 0;
    let maxDelta = 0;
    for (let i = 0; i < a.length; i += 4) {
      let d = 0;
      for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(a[i + k]! - b[i + k]!));
      if (d) px++;
      if (d > 64) px64++;
      if (d > maxDelta) maxDelta = d;
    }
    return { pixels: a.length / 4, differing: px, differingOver64: px64, maxDelta };
  },
};

// For profiling by hand: window.easel.
(window as unknown as { easel: unknown }).easel = { store, spatial, viewport, renderer, visibleElements, ctx, board, versionOf };
void boot(target, performance.now());
