// Easel's canvas engine wired the way ui/src/app.ts wires it (store -> spatial index -> render
// loop on requestAnimationFrame), minus the editor's tools and the DOM chrome.
import type { Element } from '../../../ui/src/model/types';
import { type BoardSource, Renderer, RenderLoop } from '../../../ui/src/engine/renderer';
import { SpatialIndex, visibleInOrder } from '../../../ui/src/engine/spatial';
import { Store } from '../../../ui/src/engine/store';
import { Viewport } from '../../../ui/src/engine/viewport';
import { boot, type Target } from './harness';

const canvas = document.getElementById('board') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const store = new Store();
const spatial = new SpatialIndex();
const viewport = new Viewport(canvas.width, canvas.height);
const renderer = new Renderer();

const get = (id: string) => store.get(id);
const visibleElements = () => visibleInOrder(spatial, get, viewport.visibleWorld());
const board: BoardSource = {
  get revision() {
    return store.revision;
  },
  elements: () => store.sorted(),
  query: (r) => visibleInOrder(spatial, get, r),
};
const versionOf = (id: string) => store.version(id);

const loop = new RenderLoop(
  () => renderer.renderStatic(ctx, visibleElements, viewport, { versionOf, board }),
  () => {},
);
store.subscribeSync((diff) => {
  for (const el of diff.added) spatial.upsert(el);
  for (const el of diff.updated) spatial.upsert(el);
  for (const id of diff.removed) spatial.remove(id);
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
    viewport.set(x, y, z);
  },
  renderNow([x, y, z]) {
    viewport.set(x, y, z);
    loop.flushNow();
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
