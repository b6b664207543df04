// Easel's canvas engine wired the way ui/src/app.ts wires it (store -> spatial index -> render
// loop on requestAnimationFrame), minus the editor's tools and the DOM chrome.
import { compareDrawOrder, type Element } from '../../../ui/src/model/types';
import { Renderer, RenderLoop } from '../../../ui/src/engine/renderer';
import { SpatialIndex } from '../../../ui/src/engine/spatial';
import { Store } from '../../../ui/src/engine/store';
import { Viewport } from '../../../ui/src/engine/viewport';
import { boot, type Target } from './harness';

const canvas = document.getElementById('board') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const store = new Store();
const spatial = new SpatialIndex();
const viewport = new Viewport(canvas.width, canvas.height);
const renderer = new Renderer();

function visibleElements(): Element[] {
  const out: Element[] = [];
  for (const id of spatial.query(viewport.visibleWorld())) {
    const el = store.get(id);
    if (el) out.push(el);
  }
  return out.sort(compareDrawOrder);
}

const loop = new RenderLoop(
  () => renderer.renderStatic(ctx, visibleElements(), viewport, { versionOf: (id) => store.version(id) }),
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

void boot(target, performance.now());
