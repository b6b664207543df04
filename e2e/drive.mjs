// Drives the real Easel desktop app through tauri-driver (W3C WebDriver) and checks the store with
// the `easel` CLI on the same EASEL_DATA_DIR:
//   1. first run, empty store: create a board; draw a rectangle, a pen stroke, an arrow whose end
//      is bound to the rectangle; type a text; undo (the text goes) and redo (it comes back); move
//      the rectangle (the arrow's end follows it);
//   2. another process (the CLI) adds an element: the open board shows it within a bound; an
//      image file dropped on the canvas is stored in the board;
//   3. quit, start again: the board opens with every element as it was, and nothing changed;
//   4. the first ten minutes of a new user (issue 15), each as Excalidraw does it: a board the CLI
//      imports shows in the list; a new board is "Board 2"; double-click renames it (a title with
//      spaces); the ⋯ menu stays inside the window; a sticky's text wraps inside it, centred,
//      while its edit box keeps its fill and grows; arrows bind from inside unfilled shapes;
//      double-click edits a shape's text or starts a text; Ctrl+wheel zooms ~10% a notch; Alt-drag
//      duplicates; the eraser fades what it will delete; `?` opens at its top; at 1000×700 no
//      control is covered and choosing a background moves nothing;
//   5. drawing tools (issue 16): an arrow drawn point by point, one of its points dragged, its
//      arrowheads chosen; a rectangle dragged next to another snaps onto its edge with a guide; a
//      rectangle dragged into a frame joins it and is clipped at its edge; the moved frame takes it;
//      an elbow arrow between two shapes is an orthogonal route, routed again when a shape moves.
// Screenshots of each step go to E2E_OUT (default target/e2e); so do the figures (metrics.json):
// start-up to the first painted board, idle memory of the app and its WebKit processes.
// Any failed check or timed-out call throws: the process exits non-zero.
//
// Usage: node e2e/drive.mjs /path/to/easel-app /path/to/easel   (run by e2e/run.sh, which starts
// Xvfb and tauri-driver and sets EASEL_DATA_DIR, WEBDRIVER_URL, E2E_OUT)
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const [app, cli] = process.argv.slice(2).map((p) => realpathSync(p));
if (!app || !cli) throw new Error('usage: node e2e/drive.mjs EASEL_APP EASEL_CLI');
if (!process.env.EASEL_DATA_DIR) throw new Error('EASEL_DATA_DIR must be set (a fresh store)');
const base = process.env.WEBDRIVER_URL ?? 'http://127.0.0.1:4444';
const out = process.env.E2E_OUT ?? 'target/e2e';
mkdirSync(out, { recursive: true });
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const CALL_MS = 30_000; // any one WebDriver call
const SESSION_MS = 90_000; // starting the app (a debug build under Xvfb)
const CLI_MS = 60_000;
const metrics = {};
let shots = 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(ok, what, detail) {
  if (!ok) throw new Error(`e2e: FAILED: ${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
  console.log(`e2e: ok: ${what}`);
}

async function wd(method, path, body, ms = CALL_MS) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

/** Polls `fn` until it returns something truthy; throws after `ms`. */
async function until(what, fn, ms = 15_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`e2e: FAILED: timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(100);
  }
}

// --- The CLI on the same store ---------------------------------------------------------------

const run = promisify(execFile);
async function easel(...args) {
  const { stdout } = await run(cli, ['--json', ...args], { timeout: CLI_MS, env: process.env });
  return JSON.parse(stdout);
}
const elementsOf = async (board) => {
  const v = await easel('element', 'list', board);
  return Array.isArray(v) ? v : v.elements;
};

// --- Processes: the app and its WebKit children ------------------------------------------------

const pids = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
function appPids() {
  return pids().filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/exe`) === app;
    } catch {
      return false;
    }
  });
}
function stat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const close = s.lastIndexOf(')');
  const rest = s.slice(close + 2).split(' ');
  return { comm: s.slice(s.indexOf('(') + 1, close), ppid: Number(rest[1]), start: Number(rest[19]) };
}
function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
/** Epoch ms at which `pid` started (10 ms resolution: clock ticks since boot). */
function startedAt(pid) {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - (uptime - stat(pid).start / 100) * 1000;
}
/** Proportional set size: shared pages (WebKit's libraries) split between the processes using them. */
function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
function memory(appPid) {
  const rows = [{ pid: appPid, name: 'easel-app', kb: rssKb(appPid), pssKb: pssKb(appPid) }];
  for (const p of pids()) {
    try {
      const s = stat(p);
      if (s.ppid === appPid) rows.push({ pid: p, name: s.comm, kb: rssKb(p), pssKb: pssKb(p) });
    } catch {}
  }
  return rows;
}

// --- A WebDriver session = one run of the app --------------------------------------------------

async function session() {
  const t0 = Date.now();
  const v = await wd(
    'POST',
    '/session',
    { capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: app } } } },
    SESSION_MS,
  );
  const id = v.sessionId;
  const s = (m, p, b) => wd(m, `/session/${id}${p}`, b);
  const find = async (css) => (await s('POST', '/element', { using: 'css selector', value: css }))[ELEMENT];
  const js = (script, args = []) => s('POST', '/execute/sync', { script, args });
  const click = async (css) => s('POST', `/element/${await find(css)}/click`, {});
  const canvas = await find('#interactive-layer');
  const origin = { [ELEMENT]: canvas };
  /** A mouse drag through `points` ([x, y] relative to the canvas centre). */
  const drag = (points) =>
    s('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', x: points[0][0], y: points[0][1], origin },
            { type: 'pointerDown', button: 0 },
            ...points.slice(1).map(([x, y]) => ({ type: 'pointerMove', x, y, origin, duration: 60 })),
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
  const keys = (...ks) =>
    s('POST', '/actions', {
      actions: [
        {
          type: 'key',
          id: 'keyboard',
          actions: [...ks.map((value) => ({ type: 'keyDown', value })), ...ks.reverse().map((value) => ({ type: 'keyUp', value }))],
        },
      ],
    });
  const screenshot = async (name) => {
    const png = await s('GET', '/screenshot');
    const file = join(out, `${String(++shots).padStart(2, '0')}-${name}.png`);
    writeFileSync(file, Buffer.from(png, 'base64'));
    console.log(`e2e: screenshot ${file}`);
  };
  const count = async () => Number(await js('return document.getElementById("board").dataset.elements ?? "0"'));
  /** Pointer actions (relative to the canvas centre) with an optional key held throughout. */
  const pointer = (steps, held) => {
    const ptr = steps.map(([t, x, y]) =>
      t === 'move' ? { type: 'pointerMove', x, y, origin, duration: 40 } : t === 'down' ? { type: 'pointerDown', button: 0 } : t === 'up' ? { type: 'pointerUp', button: 0 } : { type: 'pause', duration: x },
    );
    const actions = [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: ptr }];
    if (held) actions.push({ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: held }, ...ptr.slice(1).map(() => ({ type: 'pause', duration: 0 })), { type: 'keyUp', value: held }].slice(0, ptr.length + 1) });
    return s('POST', '/actions', { actions });
  };
  const dblclick = (x, y) => pointer([['move', x, y], ['down'], ['up'], ['pause', 40], ['down'], ['up']]);
  /** The board layer's colour at (x, y) from the canvas centre: [r, g, b, a]. */
  const pixel = (x, y) =>
    js(
      `const c = document.getElementById('static-layer');
       const r = c.getBoundingClientRect();
       const k = c.width / r.width;
       return Array.from(c.getContext('2d').getImageData(Math.round((r.width / 2 + arguments[0]) * k), Math.round((r.height / 2 + arguments[1]) * k), 1, 1).data);`,
      [x, y],
    );
  const pid = await until('the app process', () => {
    const p = appPids();
    return p.length === 1 ? p[0] : 0;
  });
  return { id, t0, pid, s, find, js, click, drag, keys, screenshot, count, pointer, dblclick, pixel };
}

/** Closes the window (the app exits with its last window) and waits for the process to end. */
async function quit(d) {
  try {
    await d.s('DELETE', '/window');
  } catch (e) {
    console.log(`e2e: closing the window: ${e.message}`);
  }
  try {
    await wd('DELETE', `/session/${d.id}`);
  } catch (e) {
    console.log(`e2e: ending the session: ${e.message}`);
  }
  await until('the app process to exit', () => {
    try {
      readFileSync(`/proc/${d.pid}/stat`);
      return false;
    } catch {
      return true;
    }
  });
}

const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
/** Distance from `p` to the outline of an axis-aligned box. */
function toOutline(p, r) {
  const inside = p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;
  const dx = Math.max(r.x - p.x, 0, p.x - (r.x + r.width));
  const dy = Math.max(r.y - p.y, 0, p.y - (r.y + r.height));
  if (!inside) return Math.hypot(dx, dy);
  return Math.min(p.x - r.x, r.x + r.width - p.x, p.y - r.y, r.y + r.height - p.y);
}
const arrowEnd = (a) => {
  const [x, y] = a.points.at(-1);
  return { x: a.x + x, y: a.y + y };
};
const byKind = (els, kind) => els.filter((e) => e.kind === kind);
const one = (els, kind) => {
  const found = byKind(els, kind);
  check(found.length === 1, `one ${kind} in the store`, found.length);
  return found[0];
};

// === First run: empty store ======================================================================

let d = await session();
await until('the welcome card', () => d.js('return !document.getElementById("welcome").hidden'));
await d.screenshot('welcome');
await d.click('#welcome button');
await until('the board to open', () => d.js('return document.getElementById("welcome").hidden'));
const boards = await easel('boards', 'list');
check(boards.length === 1, 'the new board is in the store', boards);
const board = boards[0].id;

// Rectangle: (-150,-100)–(50,40) from the canvas centre.
await d.click('button[aria-label=rectangle]');
await d.drag([[-150, -100], [-50, -30], [50, 40]]);
await until('the rectangle on the board', async () => (await d.count()) === 1);

// Pen stroke below it, left.
await d.click('button[aria-label=pen]');
await d.drag([[-300, 150], [-270, 170], [-230, 160], [-190, 190], [-150, 200]]);
await until('the pen stroke on the board', async () => (await d.count()) === 2);

// Arrow from empty canvas on the right to the rectangle's right edge: its end binds.
await d.click('button[aria-label=arrow]');
await d.drag([[250, -30], [150, -30], [50, -30]]);
await until('the arrow on the board', async () => (await d.count()) === 3);

// Text: click, type, Escape commits.
await d.click('button[aria-label=text]');
await d.drag([[200, 150], [200, 150]]);
const ta = await until('the text editor', () => d.find('textarea.text-editor'));
await d.s('POST', `/element/${ta}/value`, { text: 'Hello from e2e' });
await until('the typed text in the editor', async () => (await d.js('return document.querySelector("textarea.text-editor")?.value')) === 'Hello from e2e');
await sleep(300); // let WebKit paint the last keystrokes
await d.screenshot('typing');
await d.s('POST', `/element/${ta}/value`, { text: '\uE00C' }); // Escape
await until('the text on the board', async () => (await d.count()) === 4);
await until('the text editor to close', async () => !(await d.js('return !!document.querySelector("textarea.text-editor")')));
await d.screenshot('drawn');

let els = await until('four elements in the store', async () => {
  const e = await elementsOf(board);
  return e.length === 4 && byKind(e, 'text')[0]?.text === 'Hello from e2e' && e;
});
const rect = one(els, 'rectangle');
const pen = one(els, 'freedraw');
const arrow = one(els, 'arrow');
const text = one(els, 'text');
check(Math.abs(rect.width - 200) < 2 && Math.abs(rect.height - 140) < 2, 'the rectangle is 200×140', rect);
check(pen.points.length >= 3, 'the pen stroke has its points', pen.points.length);
check(arrow.end?.element === rect.id && !arrow.start, 'the arrow’s end (only) is bound to the rectangle', { start: arrow.start, end: arrow.end });
const endBefore = arrowEnd(arrow);
check(toOutline(endBefore, rect) <= arrow.end.gap + 3, 'the arrow’s end touches the rectangle', { end: endBefore, rect });

// Undo takes the text away (one gesture = one step), redo brings it back.
await d.keys('\uE009', 'z'); // Ctrl+Z
await until('undo to remove the text', async () => (await d.count()) === 3);
await until('undo to reach the store', async () => (await elementsOf(board)).length === 3);
await d.screenshot('undone');
await d.keys('\uE009', 'y'); // Ctrl+Y
await until('redo to restore the text', async () => (await d.count()) === 4);
els = await until('redo to reach the store', async () => {
  const e = await elementsOf(board);
  return e.length === 4 && e;
});
check(one(els, 'text').text === 'Hello from e2e' && one(els, 'text').id === text.id, 'redo restored the same text');

// Move the rectangle by (-100, +100): press on its left edge with the select tool. Ctrl held:
// nothing snaps (its bottom edge would snap onto the text's top, 2 px away), the move is exact.
await d.click('button[aria-label=select]');
await d.pointer([['move', -150, -30], ['down'], ['move', -200, 20], ['move', -250, 70], ['up']], '\uE009');
els = await until('the moved rectangle in the store', async () => {
  const e = await elementsOf(board);
  const r = e.find((x) => x.id === rect.id);
  return r && Math.abs(r.x - (rect.x - 100)) < 2 && Math.abs(r.y - (rect.y + 100)) < 2 && e;
});
const moved = els.find((x) => x.id === rect.id);
const arrowAfter = els.find((x) => x.id === arrow.id);
const endAfter = arrowEnd(arrowAfter);
check(arrowAfter.end?.element === rect.id, 'the arrow is still bound to the rectangle');
check(dist(endAfter, endBefore) > 50, 'the arrow’s end moved with the rectangle', { endBefore, endAfter });
check(toOutline(endAfter, moved) <= arrowAfter.end.gap + 3, 'the arrow’s end touches the moved rectangle', { end: endAfter, rect: moved });
check(dist({ x: arrowAfter.x, y: arrowAfter.y }, { x: arrow.x, y: arrow.y }) < 1, 'the arrow’s free start stayed put');
await d.screenshot('moved');

// Another process writes to the same store: the open board shows it within the refresh bound.
const before = await d.count();
const tCli = Date.now();
await easel('element', 'add', board, '--kind', 'ellipse', '--x', String(moved.x + 500), '--y', String(moved.y - 250), '--width', '90', '--height', '60', '--fill', '#a5d8ff');
const tCommitted = Date.now();
await until('the CLI’s ellipse in the open board', async () => (await d.count()) === before + 1, 2000);
const tShown = Date.now();
metrics.cliToBoardMs = { fromCliStart: tShown - tCli, fromCliExit: tShown - tCommitted };
check(tShown - tCommitted <= 2000, `the CLI’s element appeared in the open board ${tShown - tCommitted} ms after the CLI exited`);
await d.screenshot('cli-added');

// An image file dropped on the canvas (a real drop event carrying a PNG, as a file manager sends):
// it lands where it was dropped and its bytes are stored in the board, content-addressed.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAICAIAAAB/FOjAAAAA2UlEQVR4nA3LQQFEIQhAQSIYgQhGIIIRiGAEIhiBCEbg+I4/AhGMsDv3ERGGoMIUTFiCC1sI4QgpXKGET2jhCSLKUFSZiilLcWUroRwllauU8imtPP0HYxhqTMOMZbixjTCOkcY1yviMNp79gzMcdaZjznLc2U44x0nnOuV8TjvP/yEYgQYzsGAFHuwgghNkcIMKvqCDF/+QjESTmViyEk92EslJMrlJJV/Syct/KEahxSysWIUXu4jiFFncooqv6OLVPzSj0WY21qzGm91Ec5psblPN13Tzmh8wJdgBcWkLVwAAAABJRU5ErkJggg==',
  'base64',
);
await d.js(
  `const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
   const dt = new DataTransfer();
   dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
   const c = document.getElementById('interactive-layer').getBoundingClientRect();
   const at = { clientX: c.left + c.width / 2 - 350, clientY: c.top + c.height / 2 - 220, bubbles: true, cancelable: true, dataTransfer: dt };
   const target = document.getElementById('interactive-layer');
   target.dispatchEvent(new DragEvent('dragover', at));
   target.dispatchEvent(new DragEvent('drop', at));`,
  [png.toString('base64')],
);
const pngId = createHash('sha256').update(png).digest('hex');
els = await until('the dropped image in the store', async () => {
  const e = await elementsOf(board);
  return e.length === before + 2 && byKind(e, 'image').length === 1 && e;
});
const image = one(els, 'image');
check(image.fileId === pngId, 'the dropped image refers to its bytes by their SHA-256', { fileId: image.fileId, pngId });
check(Math.abs(image.width - 16) < 0.5 && Math.abs(image.height - 8) < 0.5, 'the dropped image keeps its natural 16×8 size', image);
const exported = join(process.env.E2E_OUT ?? '.', 'with-image.excalidraw');
await run(cli, ['export', board, '-o', exported], { timeout: CLI_MS, env: process.env });
const files = JSON.parse(readFileSync(exported, 'utf8')).files ?? {};
check(
  Object.values(files).some((f) => f.dataURL === `data:image/png;base64,${png.toString('base64')}`),
  'the board holds the dropped image’s bytes (exported with it)',
  Object.keys(files),
);
await d.screenshot('image-dropped');

const final = (await elementsOf(board)).sort((a, b) => a.id.localeCompare(b.id));
check(final.length === 6, 'six elements in the store before quitting', final.length);
await quit(d);
check(true, 'the app quit');

// === Second run: the same store ==================================================================

d = await session();
const painted = Number(await until('the board to be painted', () => d.js('return document.getElementById("board").dataset.paintedAt'), 60_000));
const appStart = startedAt(d.pid);
metrics.startup = {
  sessionRequestToPaintMs: painted - d.t0,
  processStartToPaintMs: Math.round(painted - appStart),
};
check((await d.count()) === 6, 'after restart the board shows all six elements');
const again = (await elementsOf(board)).sort((a, b) => a.id.localeCompare(b.id));
check(JSON.stringify(again) === JSON.stringify(final), 'after restart the store holds exactly what it held before quitting');
await d.screenshot('restarted');

// Idle memory: one board open, 10 s without input.
await sleep(10_000);
const mem = memory(d.pid);
metrics.idleMemory = {
  processes: mem,
  totalRssMb: Math.round(mem.reduce((n, r) => n + r.kb, 0) / 1024),
  totalPssMb: Math.round(mem.reduce((n, r) => n + (r.pssKb ?? 0), 0) / 1024),
};
await d.screenshot('idle');

// === The first ten minutes (issue 15) ===========================================================

// A board the CLI imports while the app runs shows in the board list (the 500 ms refresh emits
// boards-changed when the list changed), with nothing else refreshing it.
const sidebarTitles = () => d.js('return [...document.querySelectorAll("#boards li .board-title")].map((t) => t.textContent)');
await easel('import', exported, '--title', 'Imported while running');
const tImport = Date.now();
await until('the imported board in the sidebar', async () => (await sidebarTitles()).includes('Imported while running'), 3000);
check(true, `the CLI's imported board showed in the sidebar ${Date.now() - tImport} ms after the CLI exited`);

// A new board takes the lowest free number: two boards → "Board 2".
await d.click('#boards [data-action=new-board]');
await until('the new board in the list', async () => (await sidebarTitles()).includes('Board 2'), 5000);
check((await easel('boards', 'list')).some((b) => b.title === 'Board 2'), 'the new board is "Board 2"', (await easel('boards', 'list')).map((b) => b.title));
await until('the new board open and empty', async () => (await d.count()) === 0);

// Double-click on its title renames it (it does not just open it); Space is typed into the title.
const titleRect = await d.js(
  `const t = [...document.querySelectorAll('#boards li .board-title')].find((x) => x.textContent === 'Board 2');
   const r = t.getBoundingClientRect(); const c = document.getElementById('interactive-layer').getBoundingClientRect();
   return { x: Math.round(r.left + r.width / 2 - (c.left + c.width / 2)), y: Math.round(r.top + r.height / 2 - (c.top + c.height / 2)) };`,
);
await d.dblclick(titleRect.x, titleRect.y);
await until('the title editor after a double-click', () => d.js('return document.activeElement?.classList.contains("board-rename")'), 3000);
await d.keys('\uE009', 'a'); // Ctrl+A in the input
await d.s('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions: [...'Sprint plan'].flatMap((c) => [{ type: 'keyDown', value: c }, { type: 'keyUp', value: c }]) }] });
check((await d.js('return document.querySelector("input.board-rename")?.value')) === 'Sprint plan', 'Space is typed into the title (the edit is kept)');
await d.keys('\uE007'); // Enter
await until('the renamed board in the store', async () => (await easel('boards', 'list')).some((b) => b.title === 'Sprint plan'));
const planBoard = (await easel('boards', 'list')).find((b) => b.title === 'Sprint plan').id;

// The ⋯ menu of the last board opens inside the window, Delete visible and on top.
const menu = await d.js(
  `const more = [...document.querySelectorAll('#boards li .board-more')].at(-1); more.click();
   const del = [...document.querySelectorAll('.board-menu button')].find((b) => b.textContent === 'Delete');
   const r = del.getBoundingClientRect();
   const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
   return { inside: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight, onTop: top === del, rect: [r.left, r.top, r.right, r.bottom] };`,
);
check(menu.inside && menu.onTop, 'the board menu’s Delete is inside the window and not covered', menu);
await d.screenshot('board-menu');
await d.keys('\uE00C'); // Escape closes the menu
await d.js('document.getElementById("interactive-layer").focus()');

// A sticky's text wraps inside the note, centred; the edit box keeps the note's fill and grows.
await d.click('button[aria-label=sticky]');
await d.drag([[0, 0], [0, 0]]);
const sticky = await until('the sticky’s editor', () => d.find('textarea.text-editor'));
const LONG = 'The quick brown fox jumps over the lazy dog and the note keeps every word inside it';
await d.s('POST', `/element/${sticky}/value`, { text: `${LONG}\uE007two\uE007three\uE007four\uE007five\uE007six` });
await sleep(300);
const box = await d.js('const t = document.querySelector("textarea.text-editor"); return { top: t.scrollTop, sh: t.scrollHeight, ch: t.clientHeight }');
check(box.top === 0 && box.sh <= box.ch + 1, 'the sticky’s edit box grows with its lines (no line scrolled out of view)', box);
const fillWhileTyping = await d.pixel(-96, 0);
check(fillWhileTyping[2] < 200 && fillWhileTyping[0] > 230, 'the sticky keeps its yellow fill while it is edited', fillWhileTyping);
await d.screenshot('sticky-typing');
await d.s('POST', `/element/${sticky}/value`, { text: '\uE00C' });
await until('the sticky’s editor to close', async () => !(await d.js('return !!document.querySelector("textarea.text-editor")')));
els = await until('the sticky in the store', async () => {
  const e = await elementsOf(planBoard);
  return byKind(e, 'sticky')[0]?.text?.startsWith('The quick') && e;
});
const note = one(els, 'sticky');
check(note.height > 200, 'the sticky grew to hold its wrapped text', note.height);
await sleep(300);
// Nothing drawn right of the note (the text used to run out of it in one line).
const outside = await d.js(
  `const c = document.getElementById('static-layer'); const r = c.getBoundingClientRect(); const k = c.width / r.width;
   const d = c.getContext('2d').getImageData(Math.round((r.width / 2 + 110) * k), Math.round((r.height / 2 - 100) * k), Math.round(200 * k), Math.round(200 * k)).data;
   let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) dark++; return dark;`,
);
check(outside === 0, 'the sticky’s text stays inside the note on the canvas', outside);
await d.screenshot('sticky-wrapped');

// An arrow from inside an unfilled rectangle to inside an unfilled ellipse binds both ends.
await d.click('button[aria-label=rectangle]');
await d.drag([[-330, -300], [-250, -250], [-180, -200]]);
await d.click('button[aria-label=ellipse]');
await d.drag([[150, -300], [250, -250], [330, -200]]);
await until('the rectangle and the ellipse', async () => (await d.count()) === 3);
await d.click('button[aria-label=arrow]');
await d.drag([[-250, -250], [0, -250], [240, -250]]);
els = await until('the arrow in the store', async () => {
  const e = await elementsOf(planBoard);
  return byKind(e, 'arrow').length === 1 && e;
});
const [box2, ell, arr2] = [one(els, 'rectangle'), one(els, 'ellipse'), one(els, 'arrow')];
check(box2.fill === 'transparent' && ell.fill === 'transparent', 'the rectangle and the ellipse are unfilled');
check(arr2.start?.element === box2.id && arr2.end?.element === ell.id, 'the arrow drawn from inside one to inside the other is bound at both ends', { start: arr2.start, end: arr2.end });

// Double-click inside the unfilled rectangle edits its text; on empty canvas it starts a text.
await d.dblclick(-290, -225);
const label = await until('the rectangle’s text editor', () => d.find('textarea.text-editor'), 3000);
await d.s('POST', `/element/${label}/value`, { text: 'Plan' });
await d.s('POST', `/element/${label}/value`, { text: '\uE00C' });
await until('the rectangle’s label in the store', async () => (await elementsOf(planBoard)).find((e) => e.id === box2.id)?.text === 'Plan');
await d.dblclick(-250, 100);
const free = await until('a text editor on empty canvas', () => d.find('textarea.text-editor'), 3000);
await d.s('POST', `/element/${free}/value`, { text: 'Free text' });
await d.s('POST', `/element/${free}/value`, { text: '\uE00C' });
await until('the new text in the store', async () => byKind(await elementsOf(planBoard), 'text').some((e) => e.text === 'Free text'));
check(true, 'double-click inside an unfilled shape edits its text, on empty canvas starts a text');

// Alt-drag on the ellipse's outline drags a copy; the original (and its arrow) stays.
await d.click('button[aria-label=select]');
await d.pointer([['move', 330, -250], ['down'], ['move', 330, -150], ['move', 330, -30], ['up']], '\uE00A');
els = await until('a copy of the ellipse', async () => {
  const e = await elementsOf(planBoard);
  return byKind(e, 'ellipse').length === 2 && e;
});
const orig = els.find((e) => e.id === ell.id);
const copy = byKind(els, 'ellipse').find((e) => e.id !== ell.id);
check(Math.abs(orig.x - ell.x) < 1 && Math.abs(orig.y - ell.y) < 1, 'Alt-drag left the ellipse where it was');
check(copy.y - ell.y > 150, 'Alt-drag moved a copy', { copy: [copy.x, copy.y], was: [ell.x, ell.y] });
check(els.find((e) => e.id === arr2.id).end?.element === ell.id, 'the arrow stays bound to the original');
await d.screenshot('alt-dragged');

// The eraser fades what it will delete before the release.
await d.click('button[aria-label=eraser]');
const unErased = await d.pixel(-96, 0);
await d.pointer([['move', -60, 60], ['down'], ['move', -50, 70]]);
await sleep(300);
const fading = await d.pixel(-96, 0);
await d.screenshot('erasing');
check(fading[2] - unErased[2] > 30, 'the eraser shows the sticky faded before the release', { unErased, fading });
await d.pointer([['move', -50, 70], ['up']]);
await until('the erased sticky gone from the store', async () => byKind(await elementsOf(planBoard), 'sticky').length === 0);
await d.click('button[aria-label=select]');

// Ctrl+wheel: one notch (100 px) zooms about 10%.
const zoomPct = async () => Number((await d.js('return document.querySelector("#zoom-controls output").textContent')).replace('%', ''));
const z0 = await zoomPct();
await d.js(
  `const c = document.getElementById('interactive-layer'); const r = c.getBoundingClientRect();
   c.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, deltaMode: 0, ctrlKey: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));`,
);
const z1 = await until('the zoom to change', async () => {
  const z = await zoomPct();
  return z !== z0 && z;
});
check(z1 / z0 > 1.05 && z1 / z0 < 1.15, `one Ctrl+wheel notch zoomed ${z0}% → ${z1}% (about 10%)`);
await d.keys('\uE009', '0'); // Ctrl+0: back to 100%
await until('zoom back to 100%', async () => (await zoomPct()) === 100);

// `?` opens the shortcut list at its top.
await d.js('document.getElementById("interactive-layer").focus()');
await d.keys('?');
const help = await until('the shortcut list', () => d.js('const h = document.getElementById("help"); return h.open && { top: h.scrollTop, sh: h.scrollHeight, ch: h.clientHeight }'), 3000);
check(help.top === 0 && help.sh > help.ch, 'the shortcut list (taller than the window) opens at its top', help);
await d.screenshot('help');
await d.keys('\uE00C');

// At 1000×700 no tool, undo/redo or `?` is covered, the style panel of a multi-selection shows
// every control, and choosing a background moves none of them.
await d.s('POST', '/window/rect', { width: 1000, height: 700 });
await until('the window at 1000×700', () => d.js('return innerWidth <= 1000 && innerHeight <= 700'), 5000);
await sleep(500);
const covered = await d.js(
  `return [...document.querySelectorAll('#toolbar button')].filter((b) => b.getClientRects().length).filter((b) => {
     const r = b.getBoundingClientRect(); const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
     return !(e && b.contains(e));
   }).map((b) => b.getAttribute('aria-label') || b.title || b.textContent);`,
);
check(covered.length === 0, 'at 1000×700 no toolbar button is covered', covered);
await d.js('document.getElementById("interactive-layer").focus()');
await d.keys('\uE009', 'a'); // select all
await sleep(300);
const panel = async () =>
  d.js(
    `const p = document.getElementById('style-panel'); const m = document.getElementById('minimap');
     const pr = p.getBoundingClientRect(); const mr = m && !m.hidden ? m.getBoundingClientRect() : null;
     const overlap = !!mr && pr.left < mr.right && mr.left < pr.right && pr.top < mr.bottom && mr.top < pr.bottom;
     const hidden = [...p.querySelectorAll('button')].filter((b) => b.getClientRects().length).filter((b) => { const r = b.getBoundingClientRect(); const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !(e && b.contains(e)); }).map((b) => b.title);
     const at = Object.fromEntries([...p.querySelectorAll('section')].map((s) => [s.querySelector('h3').textContent, Math.round(s.getBoundingClientRect().top)]));
     return { overlap, hidden, at, fits: p.scrollHeight <= p.clientHeight + 1 };`,
  );
const p0 = await panel();
check(!p0.overlap && p0.fits && p0.hidden.length === 0, 'at 1000×700 the style panel of a multi-selection shows every control', p0);
await d.screenshot('narrow-multi');
await d.js('[...document.querySelectorAll("#style-panel .swatch")].find((b) => b.title === "#a5d8ff").click()');
await until('the background applied', async () => byKind(await elementsOf(planBoard), 'rectangle')[0]?.fill === '#a5d8ff');
await sleep(300);
const p1 = await panel();
check(JSON.stringify(p1.at) === JSON.stringify(p0.at), 'choosing a background moved no control of the style panel', { before: p0.at, after: p1.at });
await d.screenshot('narrow-background');
await d.s('POST', '/window/rect', { width: 1280, height: 800 });

// The hand-drawn style on the real canvas: a rectangle at sloppiness 0 is drawn on the outline it
// was dragged out on; at "Cartoonist" (roughness 2) rough.js's strokes wander off it.
await until('the window at 1280×800', () => d.js('return innerWidth > 1000'), 5000);
await d.js('document.getElementById("interactive-layer").focus()');
await d.keys('\uE009', 'a');
await d.keys('\uE017'); // Delete
await until('the plan board emptied', async () => (await elementsOf(planBoard)).length === 0);
await d.click('button[aria-label=rectangle]');
await d.pointer([['move', -260, -120], ['down'], ['move', -150, -60], ['move', -40, 0], ['up']]);
const roughRect = await until('the rectangle drawn', async () => byKind(await elementsOf(planBoard), 'rectangle')[0]);
await d.click('button[aria-label=select]');
await d.pointer([['move', -150, -120], ['down'], ['up']]);
await sleep(300);
/**
 * Dark pixels of the board layer around the drawn rectangle: how many, how many lie more than
 * 2.5 px off its outline, and which (a mask, to compare two paints).
 */
const offOutline = () =>
  d.js(
    `const c = document.getElementById('static-layer'); const r = c.getBoundingClientRect(); const k = c.width / r.width;
     const [x0, y0, x1, y1] = [r.width / 2 - 260, r.height / 2 - 120, r.width / 2 - 40, r.height / 2];
     const m = 24; const sx = Math.round((x0 - m) * k), sy = Math.round((y0 - m) * k), w = Math.round((x1 - x0 + 2 * m) * k), h = Math.round((y1 - y0 + 2 * m) * k);
     const data = c.getContext('2d').getImageData(sx, sy, w, h).data;
     let dark = 0, off = 0; const mask = new Array(w * h).fill('0');
     for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
       const o = (j * w + i) * 4; if (!(data[o] < 90 && data[o + 1] < 90 && data[o + 2] < 90)) continue;
       dark++; mask[j * w + i] = '1';
       const x = (sx + i) / k, y = (sy + j) / k;
       const inside = x > x0 && x < x1 && y > y0 && y < y1;
       const d = inside ? Math.min(x - x0, x1 - x, y - y0, y1 - y) : Math.hypot(Math.max(x0 - x, 0, x - x1), Math.max(y0 - y, 0, y - y1));
       if (d > 2.5) off++;
     }
     return { dark, off, mask: mask.join('') };`,
  );
const clean = await offOutline();
await d.screenshot('rough-architect');
await d.js('[...document.querySelectorAll("#style-panel button")].find((b) => b.getAttribute("aria-label") === "Cartoonist").click()');
await until('the rectangle at roughness 2', async () => byKind(await elementsOf(planBoard), 'rectangle')[0]?.roughness === 2);
await d.click('button[aria-label=select]');
await d.keys('\uE00C'); // Escape: deselect, so handles do not cover the strokes (they are on the other layer anyway)
await sleep(400);
const rough = await offOutline();
await d.screenshot('rough-cartoonist');
const roughMoved = [...rough.mask].filter((c, i) => c !== clean.mask[i]).length;
delete clean.mask;
delete rough.mask;
metrics.rough = { clean, rough, movedPixels: roughMoved, seed: roughRect.seed };
check(clean.dark > 200 && clean.off < 15, 'at sloppiness 0 the rectangle is drawn on its outline', clean);
check(rough.dark > 1.2 * clean.dark && roughMoved > 400, 'at "Cartoonist" the hand-drawn strokes (doubled, wobbling) leave the clean outline', { clean, rough, moved: roughMoved });

// === Drawing tools (issue 16): multi-point arrows and their points, arrowheads, snapping, frames ===
await d.js('document.getElementById("interactive-layer").focus()');
await d.keys('\uE009', 'a');
await d.keys('\uE017'); // Delete
await until('the plan board emptied again', async () => (await elementsOf(planBoard)).length === 0);
const clickStyle = (section, label) =>
  d.js(
    `const s = [...document.querySelectorAll('#style-panel section')].find((x) => x.querySelector('h3').textContent === arguments[0]);
     const b = s && [...s.querySelectorAll('button')].find((x) => x.getAttribute('aria-label') === arguments[1]);
     if (b) b.click(); return !!b;`,
    [section, label],
  );
// Back to clean strokes for new shapes (the last step left the tool style at Cartoonist).
await d.click('button[aria-label=rectangle]');
await sleep(200);
check(await clickStyle('Sloppiness', 'Architect'), 'the rectangle tool offers Sloppiness');
const planEls = () => elementsOf(planBoard);
const kindCount = async (kind) => byKind(await planEls(), kind).length;

// An arrow drawn point by point: click, click, click, Enter.
await d.click('button[aria-label=arrow]');
for (const [x, y] of [[100, -200], [250, -200], [250, -50]]) await d.pointer([['move', x, y], ['down'], ['up'], ['pause', 150]]);
await d.pointer([['move', 320, 0]]);
await d.screenshot('arrow-adding-points');
await d.keys('\uE007'); // Enter
let multi = await until('the multi-point arrow in the store', async () => byKind(await planEls(), 'arrow')[0]);
check(multi.points.length === 3, 'clicks add points and Enter ends the arrow without the segment that followed the pointer', multi.points);
const k = Math.abs(multi.points[1][0] / 150); // world units per screen pixel at the board's zoom
check(Math.abs(multi.points[1][1]) < 0.01 && Math.abs(multi.points[2][0] - multi.points[1][0]) < 0.01, 'the arrow runs right, then down', multi.points);
// The arrow is selected with its points shown: drag its middle point up.
await d.pointer([['move', 250, -200], ['down'], ['move', 260, -230], ['move', 250, -260], ['up']]);
multi = await until('the middle point moved', async () => {
  const a = byKind(await planEls(), 'arrow')[0];
  return a && Math.abs(a.points[1][1] + 60 * k) < 1 && a;
});
check(multi.points.length === 3 && Math.abs(multi.points[0][0]) < 0.01, 'dragging a point moves it alone', multi.points);
// Arrowheads per end from the style panel.
const chooseStyle = (section, value) =>
  d.js(
    `const l = [...document.querySelectorAll('#style-panel select')].find((x) => x.getAttribute('aria-label') === arguments[0]);
     if (!l) return false;
     l.value = arguments[1]; l.dispatchEvent(new Event('change')); return true;`,
    [section, value],
  );
check(await chooseStyle('End arrowhead', 'triangle'), 'the style panel offers an end arrowhead');
await sleep(200);
check(await chooseStyle('Start arrowhead', 'dot'), 'the style panel offers a start arrowhead');
await until('the arrowheads in the store', async () => {
  const a = byKind(await planEls(), 'arrow')[0];
  return a?.endArrowhead === 'triangle' && a?.startArrowhead === 'dot';
});
await sleep(300);
await d.screenshot('arrow-edited-heads');

// Snapping: B dragged to 5 px right of A's right edge snaps onto it, with a guide while dragging.
// (Everything stays right of x = -340 and below y = -110 where it is left: the board list.)
await d.click('button[aria-label=rectangle]');
await d.drag([[-330, -200], [-250, -150], [-180, -100]]);
await until('rectangle A', async () => (await kindCount('rectangle')) === 1);
await d.click('button[aria-label=rectangle]');
await d.drag([[-30, -170], [20, -120], [70, -70]]);
await until('rectangle B', async () => (await kindCount('rectangle')) === 2);
// B is selected (and filled, as the tool's style still is); press inside it, clear of its
// handles, and drag it left by 145 px, pausing before the release.
// WebDriver's actions run as one call, so the page itself samples the interactive layer after
// each move has been painted and keeps the most snap-guide pixels seen.
await d.js(
  `window.__guide = 0;
   const c = document.getElementById('interactive-layer');
   const count = () => {
     const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
     let n = 0; for (let i = 0; i < g.length; i += 4) if (g[i] > 230 && g[i + 1] > 80 && g[i + 1] < 140 && g[i + 2] > 80 && g[i + 2] < 140 && g[i + 3] > 100) n++;
     window.__guide = Math.max(window.__guide, n);
   };
   window.__guideListener = () => requestAnimationFrame(() => requestAnimationFrame(count));
   window.addEventListener('pointermove', window.__guideListener, true);`,
);
await d.pointer([['move', 20, -120], ['down'], ['move', -50, -120], ['move', -125, -120], ['pause', 400], ['up']]);
const guide = await d.js('window.removeEventListener("pointermove", window.__guideListener, true); return window.__guide;');
await d.screenshot('snapped');
const [ra, rb] = await until('B moved', async () => {
  const r = byKind(await planEls(), 'rectangle').sort((p, q) => p.x - q.x);
  return r.length === 2 && r[1].x < r[0].x + r[0].width + 20 * k && r;
});
check(Math.abs(rb.x - (ra.x + ra.width)) < 1e-6, "the moved rectangle's left edge snapped onto the other's right edge", { a: ra, b: rb });
check(guide > 50, 'a snap guide was drawn while dragging', { guidePixels: guide });
metrics.snapGuidePixels = guide;

// Frames: a frame, a filled rectangle dragged into it (it joins and is clipped at the frame's
// edge), then the frame moved (the child comes along).
await d.click('button[aria-label=frame]');
await d.drag([[-330, 50], [-200, 150], [-80, 250]]);
await until('the frame', async () => (await kindCount('frame')) === 1);
await d.click('button[aria-label=rectangle]');
await d.drag([[0, 100], [50, 130], [100, 160]]);
await until('rectangle C', async () => (await kindCount('rectangle')) === 3);
check(await clickStyle('Background', '#a5d8ff'), 'the style panel offers a background for the new rectangle');
await until('C filled', async () => byKind(await planEls(), 'rectangle').some((r) => r.fill === '#a5d8ff'));
// Ctrl held: no snapping, the drop lands where dragged. Its centre ends inside the frame, 10 px
// from its right edge, and its right part 40 px past it.
await d.pointer([['move', 50, 130], ['down'], ['move', -20, 130], ['move', -90, 130], ['up']], '\uE009');
const frameEl = byKind(await planEls(), 'frame')[0];
const child = await until('C in the frame', async () => byKind(await planEls(), 'rectangle').find((r) => r.frameId === frameEl.id));
await d.keys('\uE00C');
await sleep(400);
const inside = await d.pixel(-110, 130);
const past = await d.pixel(-60, 130);
await d.screenshot('frame-clips-child');
check(inside[2] > 230 && inside[0] < 200, "the child is drawn inside the frame", inside);
check(past[0] > 240 && past[1] > 240 && past[2] > 240, "the child is clipped at the frame's edge", past);
// Move the frame by its name label: the child moves with it.
await d.pointer([['move', -310, 40], ['down'], ['move', -280, 70], ['move', -250, 100], ['up']], '\uE009');
const [f2, c2] = await until('the frame and its child moved', async () => {
  const e = await planEls();
  const f = byKind(e, 'frame')[0];
  const c = e.find((x) => x.id === child.id);
  return f && f.x !== frameEl.x && [f, c];
});
check(Math.abs(c2.x - child.x - (f2.x - frameEl.x)) < 1e-6 && Math.abs(c2.y - child.y - (f2.y - frameEl.y)) < 1e-6 && c2.frameId === f2.id, 'moving a frame moves its child by as much', { frame: [frameEl, f2], child: [child, c2] });
await sleep(300);
await d.screenshot('frame-moved');

// An elbow arrow between two shapes routes round them square to their sides, and routes again
// when one of them moves.
await d.click('button[aria-label=rectangle]');
await d.drag([[100, 100], [150, 140], [200, 180]]);
await d.click('button[aria-label=rectangle]');
await d.drag([[350, 250], [400, 290], [450, 330]]);
await until('rectangles D and E', async () => (await kindCount('rectangle')) === 5);
await d.keys('\uE00C'); // deselect E: the style panel then shows the arrow tool's style
await d.click('button[aria-label=arrow]');
await sleep(200);
check(await clickStyle('Arrow type', 'Elbow arrow'), 'the arrow tool offers the elbow arrow type');
await d.drag([[150, 140], [250, 200], [400, 290]]);
const orthogonal = (a) => a.points.every((p, i) => i === 0 || Math.abs(p[0] - a.points[i - 1][0]) < 1e-6 || Math.abs(p[1] - a.points[i - 1][1]) < 1e-6);
const elbow = await until('the elbow arrow in the store', async () => byKind(await planEls(), 'arrow').find((a) => a.elbowed));
// D and E are the last two rectangles drawn: the two highest in z order.
const [rd, re] = byKind(await planEls(), 'rectangle').sort((p, q) => (p.z < q.z ? -1 : p.z > q.z ? 1 : 0)).slice(-2);
check(elbow.start?.element === rd.id && elbow.end?.element === re.id, 'the elbow arrow binds both shapes', elbow);
check(elbow.points.length >= 3 && orthogonal(elbow), 'the elbow arrow is a route of horizontal and vertical segments', elbow.points);
await sleep(300);
await d.screenshot('elbow-arrow');
await d.keys('\uE00C');
// Move E down by 100 px (Ctrl: no snapping): the route follows.
await d.pointer([['move', 400, 250], ['down'], ['move', 400, 300], ['move', 400, 350], ['up']], '\uE009');
const rerouted = await until('the elbow arrow routed again', async () => {
  const a = byKind(await planEls(), 'arrow').find((x) => x.id === elbow.id);
  return a && JSON.stringify(a.points) !== JSON.stringify(elbow.points) && a;
});
const eMoved = (await planEls()).find((x) => x.id === re.id);
const endAt = [rerouted.x + rerouted.points.at(-1)[0], rerouted.y + rerouted.points.at(-1)[1]];
check(orthogonal(rerouted) && rerouted.end?.element === re.id, 'after the move the arrow is still an orthogonal route bound to the moved shape', rerouted);
check(endAt[1] >= eMoved.y - 1 && endAt[1] <= eMoved.y + eMoved.height + 1, "the route's end is on the moved shape", { endAt, e: eMoved });
await sleep(300);
await d.screenshot('elbow-rerouted');

await quit(d);

writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
console.log(`e2e: start-up: ${metrics.startup.processStartToPaintMs} ms from the app process starting to the board painted (${metrics.startup.sessionRequestToPaintMs} ms from the WebDriver session request)`);
console.log(`e2e: CLI write to open board: ${metrics.cliToBoardMs.fromCliExit} ms after the CLI exited`);
console.log(
  `e2e: idle memory after 10 s (RSS): ${mem.map((r) => `${r.name} ${Math.round(r.kb / 1024)} MB`).join(', ')}; total ${metrics.idleMemory.totalRssMb} MB RSS, ${metrics.idleMemory.totalPssMb} MB PSS`,
);
console.log('e2e: all checks passed');
