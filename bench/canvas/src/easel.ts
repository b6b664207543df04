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
};

// For profiling by hand: window.easel.
(window as unknown as { easel: unknown }).easel = { store, spatial, viewport, renderer, visibleElements, ctx, board, versionOf };
void boot(target, performance.now());
