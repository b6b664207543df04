// Canvas benchmark runner: builds the two pages, serves them on 127.0.0.1, drives headless
// Chromium (software rendering, 1280x720, DPR 1) through the same board and camera script, and
// prints the figures with Easel/Excalidraw ratios.
//
// Env: BENCH_SIZES (10000,50000,100000), BENCH_SEED (1), BENCH_ROUGHNESS (0; 1: hand-drawn), BENCH_RENDERERS (easel,excalidraw),
// BENCH_BUDGET_MS (per phase and mode, default 15000: slower phases stop early, at least
// BENCH_MIN_FRAMES=1 frame; a phase whose one work frame took longer than the budget is not
// measured again in raf2 mode), BENCH_CHROMIUM (/usr/bin/chromium), BENCH_SCREENS (dir for PNGs,
// default screens/), BENCH_SCREEN_N (the N they are taken at, 10000; Easel also at 50%, at fit
// and a first 70% frame), BENCH_SKIP_BUILD=1, BENCH_SLOW_FRAME_MS (30000: a phase whose frame
// took longer is not run again for that renderer at the larger sizes; the output says so).
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { generate, ROUGHNESS, toEasel, toExcalidraw, VIEW_H, VIEW_W, WORLD_H, WORLD_W } from './gen.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const SIZES = (env.BENCH_SIZES ?? '10000,50000,100000').split(',').map(Number);
const SEED = Number(env.BENCH_SEED ?? 1);
const RENDERERS = (env.BENCH_RENDERERS ?? 'easel,excalidraw').split(',');
const BUDGET = Number(env.BENCH_BUDGET_MS ?? 15000);
const MIN_FRAMES = Number(env.BENCH_MIN_FRAMES ?? 1);
const FRAMES = Number(env.BENCH_FRAMES ?? 100);
/** A phase whose frame took longer than this is not run again for that renderer at larger N. */
const SLOW_FRAME = Number(env.BENCH_SLOW_FRAME_MS ?? 30000);
const slow = new Map(); // `${kind}:${phase}` -> { n, ms }
const SCREENS = env.BENCH_SCREENS ?? join(here, 'screens');
const SCREEN_N = Number(env.BENCH_SCREEN_N ?? 10000);
const loadAtStart = os.loadavg();
const log = (...a) => console.error('[bench]', ...a);

// --- Build and boards ---------------------------------------------------------------------------

if (!env.BENCH_SKIP_BUILD) {
  log('vite build');
  execFileSync(process.execPath, [join(here, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const boardsDir = join(here, '.boards');
mkdirSync(boardsDir, { recursive: true });
const boardName = (kind, n) => `${kind}-${n}-s${SEED}${ROUGHNESS ? `-r${ROUGHNESS}` : ''}.json`;
const boardFile = (kind, n) => join(boardsDir, boardName(kind, n));
for (const n of SIZES) {
  if (existsSync(boardFile('easel', n)) && existsSync(boardFile('excalidraw', n))) continue;
  log(`generating ${n} elements (seed ${SEED})`);
  const recs = generate(n, SEED);
  writeFileSync(boardFile('easel', n), JSON.stringify(recs.map(toEasel)));
  writeFileSync(boardFile('excalidraw', n), JSON.stringify(recs.map(toExcalidraw)));
}

// --- Static server --------------------------------------------------------------------------------

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.woff2': 'font/woff2', '.png': 'image/png', '.svg': 'image/svg+xml' };
const roots = [
  ['/boards/', boardsDir],
  ['/fonts/', join(here, 'node_modules/@excalidraw/excalidraw/dist/prod/fonts')],
  ['/', join(here, 'dist')],
];
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  for (const [prefix, dir] of roots) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) break;
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
    return;
  }
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// --- Camera script (Easel's camera: world point at the top-left, zoom) -----------------------------

// The generator keeps every element within this box (x, y in the world, extents up to ~210).
const BOARD = { x: -60, y: -90, width: WORLD_W + 260, height: WORLD_H + 190 };
const fitZoom = Math.min((VIEW_W - 80) / BOARD.width, (VIEW_H - 80) / BOARD.height);
const cx = BOARD.x + BOARD.width / 2;
const cy = BOARD.y + BOARD.height / 2;
const at = (wx, wy, z) => [wx - VIEW_W / 2 / z, wy - VIEW_H / 2 / z, z];
const PHASES = {
  // 100%, 13 px right and 7 px down per frame: new content enters every frame.
  pan: Array.from({ length: FRAMES }, (_, i) => at(cx + i * 13, cy + i * 7, 1)),
  // The whole board, drifting 1 screen px per frame so every frame is a new camera.
  fit: Array.from({ length: FRAMES }, (_, i) => at(cx + (i % 2 ? 1 : -1) * (i / fitZoom) * 0.5, cy, fitZoom)),
  // Geometric zoom from fit back to 100% about the board's centre.
  zoom: Array.from({ length: FRAMES }, (_, i) => at(cx, cy, fitZoom * (1 / fitZoom) ** ((i + 1) / FRAMES))),
};
const START = PHASES.pan[0];

// --- Measurement ------------------------------------------------------------------------------------

const q = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};

const browser = await chromium.launch({
  executablePath: env.BENCH_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--disable-gpu', '--use-gl=swiftshader', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
});
const version = browser.version();

async function measure(kind, n) {
  const context = await browser.newContext({ viewport: { width: VIEW_W, height: VIEW_H }, deviceScaleFactor: 1 });
  await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const url = `${origin}/${kind}.html?board=/boards/${boardName(kind, n)}&camera=${START.join(',')}`;
  await page.goto(url);
  await page.waitForFunction(() => window.benchLoad || window.benchError, null, { timeout: 300_000, polling: 200 });
  const err = await page.evaluate(() => window.benchError);
  if (err) throw new Error(`${kind} ${n}: ${err}`);
  const loadRes = await page.evaluate(() => window.benchLoad);
  const out = { kind, n, ...loadRes, phases: {} };

  const screens = n === SCREEN_N && SCREENS;
  if (screens) {
    mkdirSync(SCREENS, { recursive: true });
    const file = join(SCREENS, `${kind}-${n / 1000}k-100pct.png`);
    await page.screenshot({ path: file });
    out.screen = file;
  }
  const floor = await page.evaluate(([f, b]) => window.bench.run(f, 'floor', b, 3), [PHASES.pan.slice(0, 30), BUDGET]);
  out.floor = q(floor, 0.5);
  for (const mode of ['work', 'raf2']) {
    for (const [phase, frames] of Object.entries(PHASES)) {
      const tooSlow = slow.get(`${kind}:${phase}`);
      if (tooSlow) {
        out.phases[`${phase}.${mode}`] = { p50: NaN, p95: NaN, max: NaN, frames: 0, skipped: true, slowAt: tooSlow };
        log(`${kind} ${n} ${phase}.${mode}: skipped (one frame took ${tooSlow.ms.toFixed(0)} ms at N=${tooSlow.n})`);
        continue;
      }
      const work = out.phases[`${phase}.work`];
      if (mode === 'raf2' && work && work.p50 > BUDGET) {
        out.phases[`${phase}.${mode}`] = { p50: NaN, p95: NaN, max: NaN, frames: 0, skipped: true };
        log(`${kind} ${n} ${phase}.${mode}: skipped (a work frame took ${work.p50.toFixed(0)} ms)`);
        continue;
      }
      const t = await page.evaluate(([f, m, b, mf]) => window.bench.run(f, m, b, mf), [frames, mode, BUDGET, MIN_FRAMES]);
      if (mode === 'work') {
        // Where the time goes: the renderer's JS vs the raster flush the readback waits for, and
        // (zoom) by zoom band, since the phase crosses the tile levels.
        const js = await page.evaluate(() => window.bench.split());
        const bands = {};
        t.forEach((ms, i) => {
          const z = frames[i][2];
          const band = z < 0.25 ? '<0.25' : z < 0.5 ? '0.25-0.5' : z < 0.999 ? '0.5-1' : '1';
          (bands[band] ??= { t: [], js: [] }).t.push(ms);
          bands[band].js.push(js[i]);
        });
        out.bands ??= {};
        out.bands[phase] = Object.fromEntries(Object.entries(bands).map(([b, x]) => [b, { n: x.t.length, p50: q(x.t, 0.5), p95: q(x.t, 0.95), js50: q(x.js, 0.5), js95: q(x.js, 0.95) }]));
      }
      const info = await page.evaluate(() => window.bench.info());
      if (info) (out.info ??= {})[`${phase}.${mode}`] = info;
      if (phase === 'pan' && mode === 'work') out.verifyPan = await page.evaluate(() => window.bench.verify());
      out.phases[`${phase}.${mode}`] = { p50: q(t, 0.5), p95: q(t, 0.95), max: Math.max(...t), frames: t.length };
      if (mode === 'work' && q(t, 0.5) > SLOW_FRAME) slow.set(`${kind}:${phase}`, { n, ms: q(t, 0.5) });
      log(`${kind} ${n} ${phase}.${mode}: p50 ${q(t, 0.5).toFixed(1)} p95 ${q(t, 0.95).toFixed(1)} (${t.length} frames)`);
    }
  }
  if (kind === 'easel') {
    // Views off the zoom path (no tile cached there yet), the camera then left alone: frames and
    // ms until a frame is final (no stand-in tiles), from the camera change to the readback.
    out.settle = {};
    for (const [label, cam] of [['60%', at(cx + 3000, cy + 1500, 0.6)], ['30%', at(cx - 3000, cy - 1500, 0.3)], ['75%', at(cx - 2500, cy + 1800, 0.75)]]) {
      out.settle[label] = await page.evaluate((c) => window.bench.settle(c), cam);
    }
    log(`${kind} ${n} settle: ${JSON.stringify(out.settle)}`);
  }
  if (screens && kind === 'easel') {
    // Settled views at 50% and at fit (the camera left alone for 30 frames), then first frames
    // painted synchronously, as a zoom gesture shows them before they settle.
    for (const [label, cam] of [['50pct', at(cx, cy, 0.5)], ['fit', PHASES.fit[0]]]) {
      await page.evaluate(async (c) => {
        window.bench.camera(c);
        for (let i = 0; i < 30; i++) await new Promise((r) => requestAnimationFrame(r));
      }, cam);
      await page.screenshot({ path: join(SCREENS, `${kind}-${n / 1000}k-${label}.png`) });
    }
    await page.evaluate((c) => window.bench.paint(c), at(cx, cy, 0.7));
    await page.screenshot({ path: join(SCREENS, `${kind}-${n / 1000}k-70pct-first.png`) });
    // The worst case: the first frame at 60% where no tile is cached but the fit view's.
    await page.evaluate((c) => window.bench.paint(c), at(cx + 2500, cy - 1800, 0.6));
    await page.screenshot({ path: join(SCREENS, `${kind}-${n / 1000}k-60pct-uncached-first.png`) });
    await page.evaluate(() => window.bench.info());
  }
  // Does the synchronous ("work") paint already show what the frame-waited paint shows? (Checks
  // that the renderer really painted inside renderNow.)
  out.syncPaintOk = await page.evaluate((c) => window.bench.checkSync([c[0] + 37, c[1] + 11, c[2]]), START);
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  out.heapMB = heap.usedSize / 2 ** 20;
  out.errors = errors;
  await context.close();
  return out;
}

const results = [];
for (const n of SIZES) {
  for (const kind of RENDERERS) {
    log(`${kind} ${n}`);
    results.push(await measure(kind, n));
  }
}
await browser.close();
server.close();

// --- Report ----------------------------------------------------------------------------------------

const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
const lines = [];
const p = (s = '') => lines.push(s);
p(`Canvas benchmark  ${new Date().toISOString()}  ${version}  seed ${SEED}  ${VIEW_W}x${VIEW_H} DPR 1, software (--disable-gpu)`);
p(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average at start ${loadAtStart.map((x) => x.toFixed(1)).join(' ')}, at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
p(`world ${WORLD_W}x${WORLD_H}, fit zoom ${fitZoom.toFixed(4)}, ${FRAMES} frames per phase, budget ${BUDGET} ms per phase and mode (min ${MIN_FRAMES} frames)`);
p('work = camera change -> renderer paints synchronously -> 1 px getImageData readback (no vsync wait).');
p('       Easel: Viewport.set + RenderLoop.flushNow; Excalidraw: flushSync(() => updateScene({appState})).');
p('raf2 = camera change (as the app does it) -> two requestAnimationFrame callbacks -> 1 px readback;');
p('       includes waiting for vsync: "floor" is two empty rAFs on the same page.');
p('load = elements handed over -> two rAFs -> readback (Excalidraw: restoreElements before, untimed).');
p('cold = navigation start -> board painted (bundle load, fetch + JSON.parse of the board file, load).');
p('heap = Runtime.getHeapUsage usedSize after HeapProfiler.collectGarbage x3, after the camera script.');
p();
const cols = ['pan.work', 'fit.work', 'zoom.work', 'pan.raf2', 'fit.raf2', 'zoom.raf2'];
p(`${'renderer'.padEnd(11)}${'N'.padStart(7)} ${cols.map((c) => `${c} p50/p95 (n)`.padStart(24)).join('')}${'load'.padStart(8)}${'cold'.padStart(8)}${'heapMB'.padStart(8)}${'floor'.padStart(7)}`);
for (const r of results) {
  p(
    `${r.kind.padEnd(11)}${String(r.n).padStart(7)} ${cols
      .map((c) => {
        const x = r.phases[c];
        return `${f(x.p50)}/${f(x.p95)} (${x.frames})`.padStart(24);
      })
      .join('')}${f(r.load, 0).padStart(8)}${f(r.cold, 0).padStart(8)}${f(r.heapMB).padStart(8)}${f(r.floor).padStart(7)}`,
  );
}
const byKey = new Map(results.map((r) => [`${r.kind}:${r.n}`, r]));
if (RENDERERS.includes('easel') && RENDERERS.includes('excalidraw')) {
  p();
  p('Ratios Easel/Excalidraw (lower is better for Easel)');
  p(`${'N'.padStart(7)} ${cols.map((c) => `${c} p50/p95`.padStart(20)).join('')}${'load'.padStart(8)}${'cold'.padStart(8)}${'heap'.padStart(8)}`);
  for (const n of SIZES) {
    const a = byKey.get(`easel:${n}`);
    const b = byKey.get(`excalidraw:${n}`);
    if (!a || !b) continue;
    const rr = (x, y) => f(x / y, 3);
    p(
      `${String(n).padStart(7)} ${cols
        .map((c) => `${rr(a.phases[c].p50, b.phases[c].p50)}/${rr(a.phases[c].p95, b.phases[c].p95)}`.padStart(20))
        .join('')}${rr(a.load, b.load).padStart(8)}${rr(a.cold, b.cold).padStart(8)}${rr(a.heapMB, b.heapMB).padStart(8)}`,
    );
  }
}
p();
for (const r of results) {
  const capped = Object.entries(r.phases).filter(([, x]) => x.frames < FRAMES).map(([k, x]) => (x.slowAt ? `${k} not run (a frame took ${f(x.slowAt.ms / 1000)} s at N=${x.slowAt.n})` : x.skipped ? `${k} skipped` : `${k} ${x.frames}/${FRAMES}`));
  if (capped.length) p(`${r.kind} ${r.n}: capped by the time budget (frames measured from the start of the phase; skipped = its work frame alone took longer than the budget): ${capped.join(', ')}`);
  p(`${r.kind} ${r.n}: slowest frame per phase (ms): ${Object.entries(r.phases).map(([k, x]) => `${k} ${f(x.max, 0)}`).join(', ')}`);
  p(`${r.kind} ${r.n}: fetch+parse ${f(r.fetchParse, 0)} ms, prepare ${f(r.prepare, 0)} ms, renderer ready at ${f(r.ready, 0)} ms${r.errors.length ? `, page errors: ${r.errors.slice(0, 3).join(' | ')}` : ''}`);
  for (const [phase, bands] of Object.entries(r.bands ?? {})) {
    p(`${r.kind} ${r.n}: ${phase}.work by zoom band, total p50/p95 (JS p50/p95) ms: ${Object.entries(bands).map(([b, x]) => `${b} n=${x.n} ${f(x.p50)}/${f(x.p95)} (${f(x.js50)}/${f(x.js95)})`).join(', ')}`);
  }
  if (r.settle) p(`${r.kind} ${r.n}: settling on an uncached view, camera change -> final frame: ${Object.entries(r.settle).map(([k, x]) => `${k} ${x.frames} frames ${f(x.ms, 0)} ms${x.final ? '' : ' (not final)'}`).join(', ')}`);
  if (r.info) p(`${r.kind} ${r.n}: renderer counters per phase: ${JSON.stringify(r.info)}`);
  if (r.verifyPan) p(`${r.kind} ${r.n}: last pan frame vs a full repaint: ${JSON.stringify(r.verifyPan)}`);
  p(`${r.kind} ${r.n}: synchronous paint equals the frame-waited paint: ${r.syncPaintOk}`);
  if (r.screen) p(`${r.kind} ${r.n}: screenshot ${r.screen}`);
}
const text = lines.join('\n');
console.log(text);
if (env.BENCH_OUT) writeFileSync(env.BENCH_OUT, `${text}\n${JSON.stringify(results, null, 1)}\n`);
