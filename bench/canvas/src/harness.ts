// Page-side measurement loop shared by both renderers, so both are timed the same way.

export type Camera = [x: number, y: number, zoom: number];

/** What each page provides. Cameras are Easel's: (x, y) is the world point at the top-left. */
export interface Target {
  name: string;
  /** The canvas the board is painted on (read back to force the paint). */
  canvas(): HTMLCanvasElement;
  /** Untimed preparation of the parsed file (Excalidraw: restoreElements, as its file load does). */
  prepare?(elements: unknown[]): unknown[];
  /** Hands the board to the renderer (the timed part of loading). */
  handOver(elements: unknown[]): void;
  /** Changes the camera the way the app does; the renderer paints on its next animation frame. */
  setCamera(c: Camera): void;
  /** Changes the camera and paints synchronously, with no frame wait. */
  renderNow(c: Camera): void;
  /** Compares the current frame with a full repaint of the same camera (Easel's scroll reuse). */
  verify?(): unknown;
  /** Renderer counters since the last call (Easel: frames that showed stand-in tiles), reset on read. */
  info?(): unknown;
  /** Whether the last painted frame was final (Easel: no stand-in tiles); absent = always. */
  final?(): boolean;
}

/** Per work frame of the last run: ms in the renderer's own code (JS) before the readback. */
let split: number[] = [];

export interface LoadResult {
  /** ms from navigation start to the board's first painted frame. */
  cold: number;
  /** ms to fetch and JSON.parse the board file. */
  fetchParse: number;
  /** ms from handing the elements over to the first frame with them painted (two rAFs + readback). */
  load: number;
  /** ms spent in Target.prepare (not part of `load`). */
  prepare: number;
  /** ms from navigation start until the page's renderer was ready for elements. */
  ready: number;
}

export const raf = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));

/** Reads one pixel back: waits for every canvas command issued so far to be rasterized. */
export function readback(c: HTMLCanvasElement): number {
  const ctx = c.getContext('2d');
  if (!ctx) return 0;
  return ctx.getImageData(0, 0, 1, 1).data[0]!;
}

/** A coarse hash of a canvas row band, to check two paints showed the same thing. */
export function sample(c: HTMLCanvasElement): number {
  const ctx = c.getContext('2d')!;
  const d = ctx.getImageData(0, Math.floor(c.height / 2) - 8, c.width, 16).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]!) | 0;
  return h;
}

export async function boot(target: Target, ready: number): Promise<void> {
  const q = new URLSearchParams(location.search);
  const file = q.get('board');
  const cam = (q.get('camera') ?? '0,0,1').split(',').map(Number) as Camera;
  const w = window as unknown as { bench: unknown; benchLoad?: LoadResult; benchError?: string };
  w.bench = { run, checkSync, verify: () => target.verify?.() ?? null, split: () => split, settle, camera: (c: Camera) => target.setCamera(c), paint: (c: Camera) => target.renderNow(c), info: () => target.info?.() ?? null };
  if (!file) return;
  try {
    const f0 = performance.now();
    let elements = (await (await fetch(file)).json()) as unknown[];
    const fetchParse = performance.now() - f0;
    const p0 = performance.now();
    if (target.prepare) elements = target.prepare(elements);
    const prepare = performance.now() - p0;
    target.setCamera(cam);
    await raf();
    const t0 = performance.now();
    target.handOver(elements);
    await raf();
    await raf();
    readback(target.canvas());
    const t1 = performance.now();
    w.benchLoad = { cold: t1, fetchParse, prepare, load: t1 - t0, ready };
  } catch (e) {
    w.benchError = String((e as Error)?.stack ?? e);
  }

  /**
   * Moves the camera as the app does and lets the page paint frames until one is final: how long
   * a view that was not cached takes to become crisp once the camera rests.
   */
  async function settle(c: Camera): Promise<{ frames: number; ms: number; final: boolean }> {
    await raf();
    const t0 = performance.now();
    target.setCamera(c);
    let frames = 0;
    do {
      await raf();
      frames++;
    } while (target.final && !target.final() && frames < 600);
    readback(target.canvas());
    return { frames, ms: performance.now() - t0, final: target.final?.() ?? true };
  }

  async function checkSync(c: Camera): Promise<boolean> {
    await raf();
    target.renderNow(c);
    const a = sample(target.canvas());
    await raf();
    await raf();
    return a === sample(target.canvas());
  }

  /**
   * Runs a camera script. `raf2`: change the camera, wait two animation frames, read a pixel back
   * (includes vsync waits). `work`: change the camera and paint synchronously, read a pixel back.
   * A phase stops early once it has used `budgetMs` (at least `minFrames` frames).
   */
  async function run(frames: Camera[], mode: 'raf2' | 'work' | 'floor', budgetMs: number, minFrames: number) {
    const times: number[] = [];
    split = [];
    const c = target.canvas();
    const start = performance.now();
    for (const f of frames) {
      if (times.length >= minFrames && performance.now() - start > budgetMs) break;
      await raf();
      const t0 = performance.now();
      if (mode === 'work') {
        target.renderNow(f);
        split.push(performance.now() - t0);
        readback(c);
      } else if (mode === 'raf2') {
        target.setCamera(f);
        await raf();
        await raf();
        readback(c);
      } else {
        await raf();
        await raf();
      }
      times.push(performance.now() - t0);
    }
    return times;
  }
}
