// Excalidraw 0.18 on React 19, driven through its public API only.
import { Excalidraw, restoreElements } from '@excalidraw/excalidraw';
import '@excalidraw/excalidraw/index.css';
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { boot, type Camera, type Target } from './harness';

// Fonts come from this server, never a CDN (the runner blocks everything but 127.0.0.1).
(window as unknown as { EXCALIDRAW_ASSET_PATH: string }).EXCALIDRAW_ASSET_PATH = '/';

type API = {
  updateScene(s: { elements?: unknown[]; appState?: Record<string, unknown> }): void;
};

const appState = (c: Camera) => ({ scrollX: -c[0], scrollY: -c[1], zoom: { value: c[2] } });

let api: API | null = null;
const ready = new Promise<void>((resolve) => {
  createRoot(document.getElementById('root')!).render(
    createElement(Excalidraw, {
      excalidrawAPI: (a: unknown) => {
        api = a as API;
        resolve();
      },
    }),
  );
});

const target: Target = {
  name: 'excalidraw',
  canvas: () => document.querySelector('canvas.excalidraw__canvas.static') as HTMLCanvasElement,
  prepare(elements) {
    // What a file load does before the scene is set (fills defaults, checks indices); untimed.
    return restoreElements(elements as never, null) as unknown[];
  },
  handOver(elements) {
    api!.updateScene({ elements });
  },
  setCamera(c) {
    api!.updateScene({ appState: appState(c) });
  },
  renderNow(c) {
    // A sync-lane update: React commits and runs the static canvas effect before returning.
    flushSync(() => api!.updateScene({ appState: appState(c) }));
  },
};

ready.then(async () => {
  // Let the first empty frame paint so the canvas exists.
  await new Promise((r) => requestAnimationFrame(r));
  await boot(target, performance.now());
});
