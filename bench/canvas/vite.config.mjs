import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// Two bench pages: Easel's engine straight from ../../ui/src, and Excalidraw 0.18 on React 19;
// and the clipboard check's two pages (Excalidraw, and Easel's editor with its clipboard wiring;
// see clipboard.mjs).
export default defineConfig({
  root: here('.'),
  base: './',
  resolve: {
    // ui/src imports perfect-freehand; take it from this package so ui/ needs no install.
    alias: {
      'perfect-freehand': here('node_modules/perfect-freehand/dist/esm/index.mjs'),
      // ui/src's rough.js (4.6.4, the version Excalidraw 0.18 depends on and installs here).
      roughjs: here('node_modules/roughjs'),
    },
  },
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 10_000,
    rollupOptions: { input: { easel: here('easel.html'), excalidraw: here('excalidraw.html'), clipboard: here('clipboard.html'), 'clipboard-easel': here('clipboard-easel.html') } },
  },
});
