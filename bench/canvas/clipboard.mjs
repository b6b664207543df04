// Copy/paste between Easel and the real Excalidraw 0.18 (React 19) in headless Chromium, both
// ways, through the browser's real clipboard (see bench/README.md, "Clipboard check"):
//
//   A. Easel → Excalidraw: a selection of every kind on Easel's page (its editor and real
//      clipboard wiring, ui/src/panels/clipboard.ts, without a canvas); Ctrl+C there; Ctrl+V over
//      Excalidraw's canvas on the other page; Excalidraw's scene (getSceneElements, getFiles) is
//      checked. Then Ctrl+C in Excalidraw and Ctrl+V back into Easel (round trip).
//   B. Excalidraw → Easel: a scene made by Excalidraw's own convertToExcalidrawElements /
//      restoreElements, plus shapes, an arrow, a pen stroke and text drawn with mouse and
//      keyboard; Ctrl+A, Ctrl+C; Ctrl+V in a fresh Easel page; its new elements are checked.
//   Both pages are in one browser context, so they share its clipboard, as two windows would.
//
// Prints one line per check (ok/FAIL) and exits 1 on any failure, 2 on a timeout or crash.
// Env: CLIP_CHROMIUM (/usr/bin/chromium), CLIP_SKIP_BUILD=1, CLIP_TIMEOUT_MS (180000),
// CLIP_FIXTURES=dir (write the captured clipboard payloads there), CLIP_SCREENS=dir (PNGs).
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const log = (...a) => console.error('[clip]', ...a);
const TIMEOUT = Number(env.CLIP_TIMEOUT_MS ?? 180_000);

let browser = null;
let timedOut = false;
const watchdog = setTimeout(() => {
  timedOut = true;
  console.error(`[clip] timed out after ${TIMEOUT} ms`);
  void browser?.close().catch(() => {});
  setTimeout(() => process.exit(2), 2000);
}, TIMEOUT);

if (!env.CLIP_SKIP_BUILD) {
  log('vite build');
  execFileSync(process.execPath, [join(here, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.woff2': 'font/woff2', '.png': 'image/png', '.svg': 'image/svg+xml' };
const roots = [
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

const results = []; // { part, name, ok, detail }
const captured = {};
const pageErrors = [];

async function openPage(context, name, global) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e}`));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${name} console: ${m.text()}`));
  await page.goto(`${origin}/${name}.html`);
  await page.waitForFunction((g) => window[g], global, { timeout: 60_000 });
  if (global === 'clip') await page.evaluate(() => window.clip.ready);
  // Let the first frame paint so the canvases exist.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page;
}

const readClipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

/** Focus Excalidraw's canvas the way a user does: pointer over it, a click on empty board. */
async function focusCanvas(page, x, y) {
  await page.bringToFront();
  await page.mouse.move(x, y);
  await page.mouse.click(x, y);
}

async function waitFor(page, fn, arg, ms = 5000) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 });
    return true;
  } catch {
    return false;
  }
}

/** Ctrl+C in the page (focused as the caller left it); the clipboard's text, or null. */
async function copy(page, part, who) {
  await page.bringToFront();
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.keyboard.press('Control+C');
  const got = await waitFor(page, async () => (await navigator.clipboard.readText()).startsWith('{'), null);
  const text = got ? await readClipboard(page) : null;
  let type = null;
  try {
    type = JSON.parse(text).type;
  } catch {}
  results.push({ part, name: `Ctrl+C in ${who} put excalidraw/clipboard JSON on the system clipboard`, ok: type === 'excalidraw/clipboard', detail: text ? `${text.length} chars` : 'clipboard stayed empty' });
  return type === 'excalidraw/clipboard' ? text : null;
}

/** Ctrl+V into Easel's page: its paste handler (ui/src/panels/clipboard.ts) on window. */
async function pasteInEasel(page, part) {
  await page.bringToFront();
  const before = await page.evaluate(() => window.easel.beforePaste());
  await page.mouse.click(10, 10);
  await page.keyboard.press('Control+V');
  const ok = await waitFor(page, (n) => window.easel.count() > n, before);
  const n = await page.evaluate(() => window.easel.count());
  results.push({ part, name: 'Ctrl+V in Easel pasted elements', ok, detail: `${n - before} added${ok ? '' : `; errors: ${(await page.evaluate(() => window.easel.errors())).join(' | ')}`}` });
  // The paste handler is async (image bytes are hashed): let it finish.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  return ok;
}

try {
  browser = await chromium.launch({ executablePath: env.CLIP_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());

  // --- A. Easel → Excalidraw (and back) -------------------------------------------------------------
  log('A: Easel → Excalidraw');
  let easel = await openPage(context, 'clipboard-easel', 'easel');
  let excalidraw = await openPage(context, 'clipboard', 'clip');
  const sample = await easel.evaluate(() => window.easel.loadSample());
  await easel.mouse.click(10, 10);
  const easelText = await copy(easel, 'A', 'Easel');
  if (easelText) {
    captured.easel = easelText;
    await focusCanvas(excalidraw, 640, 400);
    await excalidraw.keyboard.press('Control+V');
    const pasted = await waitFor(excalidraw, () => window.clip.sceneCount() > 0, null);
    results.push({ part: 'A', name: 'Ctrl+V over Excalidraw\'s canvas pasted elements', ok: pasted, detail: `${await excalidraw.evaluate(() => window.clip.sceneCount())} elements in the scene` });
    if (pasted) {
      // Files are added after the elements; give the image cache a moment.
      await excalidraw.evaluate(() => new Promise((r) => setTimeout(r, 300)));
      const { checks, pastedIds } = await excalidraw.evaluate((s) => window.clip.checkPastedInExcalidraw(s), sample);
      for (const c of checks) results.push({ part: 'A', ...c });
      if (env.CLIP_SCREENS) {
        mkdirSync(env.CLIP_SCREENS, { recursive: true });
        await excalidraw.screenshot({ path: join(env.CLIP_SCREENS, 'easel-pasted-in-excalidraw.png') });
      }
      // The pasted elements are selected: Excalidraw's own copy of them, pasted back into Easel.
      const back = await copy(excalidraw, 'A', 'Excalidraw');
      if (back && (await pasteInEasel(easel, 'A'))) {
        captured.roundTrip = back;
        for (const c of await easel.evaluate(([s, ids, t]) => window.easel.checkRoundTrip(s, ids, t), [sample, pastedIds, back])) results.push({ part: 'A', ...c });
      }
    }
  }
  await easel.close();
  await excalidraw.close();

  // --- B. Excalidraw → Easel -----------------------------------------------------------------------
  log('B: Excalidraw → Easel');
  excalidraw = await openPage(context, 'clipboard', 'clip');
  const made = await excalidraw.evaluate(() => window.clip.makeExcalidrawScene());
  const n = made.count;
  log(`scene of ${n} Excalidraw elements`);
  const page = excalidraw;
  // And a few drawn with the mouse and keyboard, as a user does (in the empty right part).
  await focusCanvas(page, 1000, 650);
  const drag = async (key, from, to, steps = 8) => {
    await page.keyboard.press(key);
    await page.mouse.move(...from);
    await page.mouse.down();
    await page.mouse.move(...to, { steps });
    await page.mouse.up();
    await page.keyboard.press('Escape');
  };
  await drag('2', [850, 150], [970, 230]); // rectangle
  await drag('4', [1050, 150], [1170, 230]); // ellipse
  await drag('5', [962, 190], [1060, 190], 12); // arrow from the rectangle's edge into the ellipse
  await page.keyboard.press('7'); // pen
  await page.mouse.move(860, 320);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(860 + i * 20, 320 + 25 * Math.sin(i / 2));
  await page.mouse.up();
  await page.keyboard.press('Escape');
  await page.keyboard.press('8'); // text
  await page.mouse.click(860, 420);
  await page.keyboard.type('typed');
  await page.keyboard.press('Enter');
  await page.keyboard.type('by hand');
  await page.keyboard.press('Escape');
  const drawn = await page.evaluate(() => window.clip.sceneCount());
  log(`${drawn - n} elements drawn`);
  if (env.CLIP_SCREENS) await page.screenshot({ path: join(env.CLIP_SCREENS, 'excalidraw-scene-to-copy.png') });
  await focusCanvas(page, 1000, 650);
  await page.keyboard.press('Control+A');
  const all = await waitFor(page, () => window.clip.selectedCount() > 0, null);
  results.push({ part: 'B', name: 'Ctrl+A selected the scene', ok: all, detail: `${await page.evaluate(() => window.clip.selectedCount())} of ${drawn} elements selected (bound labels are not)` });
  const text = await copy(page, 'B', 'Excalidraw');
  const scene = await page.evaluate(() => window.clip.scene());
  easel = await openPage(context, 'clipboard-easel', 'easel');
  if (text && (await pasteInEasel(easel, 'B'))) {
    captured.excalidraw = text;
    for (const c of await easel.evaluate(([m, t]) => window.easel.checkEaselPaste(m, t), [{ png: made.png, skeleton: made.skeleton, scene }, text])) results.push({ part: 'B', ...c });
  }
  await context.close();
} catch (err) {
  results.push({ part: '-', name: 'run', ok: false, detail: String(err?.stack ?? err) });
} finally {
  await browser?.close().catch(() => {});
  server.close();
  clearTimeout(watchdog);
}

if (timedOut) results.push({ part: '-', name: `finished within CLIP_TIMEOUT_MS (${TIMEOUT})`, ok: false, detail: 'Chromium was closed' });
results.push({ part: '-', name: 'no page errors', ok: pageErrors.length === 0, detail: pageErrors.slice(0, 5).join(' | ') });

if (env.CLIP_FIXTURES) {
  mkdirSync(env.CLIP_FIXTURES, { recursive: true });
  const names = { easel: 'easel-copy.json', roundTrip: 'excalidraw-copy-of-easel-paste.json', excalidraw: 'excalidraw-copy.json' };
  for (const [k, name] of Object.entries(names)) {
    if (captured[k]) writeFileSync(join(env.CLIP_FIXTURES, name), `${JSON.stringify(JSON.parse(captured[k]), null, 1)}\n`);
  }
  log(`payloads written to ${env.CLIP_FIXTURES}`);
}

const w = Math.max(...results.map((r) => r.name.length));
console.log(`Easel <-> Excalidraw 0.18 clipboard (${browser?.version?.() ?? 'chromium'})`);
console.log('A = Easel copy -> Ctrl+V in Excalidraw (+ Excalidraw Ctrl+C -> Easel); B = Excalidraw Ctrl+C -> Easel paste');
for (const r of results) console.log(`${r.part}  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(w)}  ${r.detail}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(timedOut ? 2 : failed ? 1 : 0);
