// Drives the real Easel desktop app through tauri-driver (W3C WebDriver, port 4444): creates a
// board, draws a rectangle, quits, starts the app again and finds the rectangle.
// Usage: node e2e/drive.mjs /path/to/easel-app   (run by e2e/run.sh, which starts tauri-driver)
const app = process.argv[2];
const base = process.env.WEBDRIVER_URL ?? 'http://127.0.0.1:4444';
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function wd(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
  return json.value;
}

async function session() {
  const v = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: app } } },
  });
  const id = v.sessionId;
  const s = (m, p, b) => wd(m, `/session/${id}${p}`, b);
  const find = async (css) => (await s('POST', '/element', { using: 'css selector', value: css }))[ELEMENT];
  const js = (script, args = []) => s('POST', '/execute/sync', { script, args });
  async function until(what, fn, ms = 15000) {
    const end = Date.now() + ms;
    for (;;) {
      try {
        const v = await fn();
        if (v) return v;
      } catch {}
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { id, s, find, js, until, quit: () => wd('DELETE', `/session/${id}`) };
}

const count = (d) => d.js('return document.getElementById("board").dataset.elements ?? "0"');

// First run: empty store, the welcome card invites a new board.
let d = await session();
await d.until('the welcome card', () => d.js('return !document.getElementById("welcome").hidden'));
await d.s('POST', `/element/${await d.find('#welcome button')}/click`, {});
await d.until('the board to open', () => d.js('return document.getElementById("welcome").hidden'));
await d.s('POST', `/element/${await d.find('button[aria-label=rectangle]')}/click`, {});
const canvas = await d.find('#interactive-layer');
const origin = { [ELEMENT]: canvas };
await d.s('POST', '/actions', {
  actions: [
    {
      type: 'pointer',
      id: 'mouse',
      parameters: { pointerType: 'mouse' },
      actions: [
        { type: 'pointerMove', x: -150, y: -100, origin },
        { type: 'pointerDown', button: 0 },
        { type: 'pointerMove', x: -50, y: -30, origin, duration: 100 },
        { type: 'pointerMove', x: 50, y: 40, origin, duration: 100 },
        { type: 'pointerUp', button: 0 },
      ],
    },
  ],
});
await d.until('one element on the board', async () => (await count(d)) === '1');
// Let the batch reach the core before quitting.
await new Promise((r) => setTimeout(r, 1000));
await d.quit();

// Second run: the most recent board opens with the rectangle.
d = await session();
await d.until('the rectangle after restart', async () => (await count(d)) === '1');
await d.quit();
console.log('e2e: ok — board created, rectangle drawn, found again after restart');
