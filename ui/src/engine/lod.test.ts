import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import { RecordingContext } from '../test/fakeCtx';
import { renderBounds } from './geometry';
import { type BoardSource, levelOfDetail, RenderLoop, Renderer, type Surface } from './renderer';
import { ManualScheduler } from './scheduler';
import { SpatialIndex, visibleInOrder } from './spatial';
import { Store } from './store';
import { DirtyLog, indexBatch, TILE_CACHE_TILES, TILE_PX } from './tiles';
import { Viewport } from './viewport';

const pen = (id: string, x: number, y: number) =>
  newElement(id, 'freedraw', x, y, { points: Array.from({ length: 30 }, (_, i) => [i * 3.5, Math.sin(i / 3) * 20] as [number, number]) });
const label = (id: string, x: number, y: number) => newElement(id, 'text', x, y, { width: 80, height: 25, text: 'hello\nworld', fontSize: 20 });
const box = (id: string, x: number, y: number, w = 100) => newElement(id, 'rectangle', x, y, { width: w, height: w, fill: '#abcdef' });

describe('levelOfDetail', () => {
  it('picks skip, box, simple or full from the on-screen size', () => {
    const p = pen('p', 0, 0); // ~100 units wide
    expect(levelOfDetail(p, renderBounds(p), 1)).toBe('full');
    expect(levelOfDetail(p, renderBounds(p), 0.1)).toBe('simple');
    expect(levelOfDetail(p, renderBounds(p), 0.015)).toBe('box');
    expect(levelOfDetail(p, renderBounds(p), 0.001)).toBe('skip');
    const t = label('t', 0, 0);
    expect(levelOfDetail(t, renderBounds(t), 0.5)).toBe('full'); // 10 px font
    expect(levelOfDetail(t, renderBounds(t), 0.2)).toBe('simple'); // 4 px font
    // Shapes keep their exact outline from SIMPLE_SHAPE_PX (12 px) up, and always from 100% up.
    const r = box('r', 0, 0);
    expect(levelOfDetail(r, renderBounds(r), 0.2)).toBe('full'); // 20 px
    expect(levelOfDetail(r, renderBounds(r), 0.1)).toBe('simple'); // 10 px
    const tiny = box('tiny', 0, 0, 5);
    expect(levelOfDetail(tiny, renderBounds(tiny), 1)).toBe('full'); // 7 px at 100%
    expect(levelOfDetail(tiny, renderBounds(tiny), 0.99)).toBe('simple');
    const a = newElement('a', 'arrow', 0, 0, { points: [[0, 0], [60, 0]], width: 60 });
    expect(levelOfDetail(a, renderBounds(a), 0.1)).toBe('simple');
    const img = newElement('i', 'image', 0, 0, { width: 80, height: 80 });
    expect(levelOfDetail(img, renderBounds(img), 0.1)).toBe('full'); // images are never simplified
  });

  it('draws small shapes below 100% from their box or points, building no path', () => {
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.1);
    const els = [
      box('r', 0, 0),
      newElement('e', 'ellipse', 200, 0, { width: 100, height: 60, fill: '#ff0000', fillStyle: 'hachure' }),
      newElement('d', 'diamond', 400, 0, { width: 100, height: 100 }),
      newElement('a', 'arrow', 600, 0, { points: [[0, 0], [40, 20], [80, 0]], width: 80, height: 20 }),
    ];
    const ctx = new RecordingContext();
    const r = new Renderer();
    expect(r.renderStatic(ctx, els, vp).drawn).toEqual(['r', 'e', 'd', 'a']);
    expect(r.builds).toBe(0);
    expect(ctx.of('rect')).toEqual([[0, 0, 100, 100]]);
    expect(ctx.of('ellipse')).toEqual([[250, 30, 50, 30, 0, 0, Math.PI * 2]]);
    // The diamond's four corners and the arrow's three points (no head): 3 + 2 lineTo.
    expect(ctx.count('lineTo')).toBe(5);
    // Filled: the box (solid) and the ellipse (hatched, as a tint); all four stroked.
    expect(ctx.of('fill').map((f) => f.at(-1))).toEqual(['#abcdef', '#ff0000']);
    expect(ctx.count('stroke')).toBe(4);
  });
});

describe('simplified drawing at low zoom', () => {
  it('greeks small text and strokes small pen strokes along their points, building no outline', () => {
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.1);
    const ctx = new RecordingContext();
    const r = new Renderer();
    const stats = r.renderStatic(ctx, [pen('p', 100, 100), label('t', 1000, 1000)], vp);
    expect(stats.drawn).toEqual(['p', 't']);
    expect(ctx.count('fillText')).toBe(0);
    // One bar per line of text, in the text colour.
    expect(ctx.of('fillRect').filter((a) => a.at(-1) === '#1e1e1e')).toHaveLength(2);
    // The pen stroke: its 30 points as a polyline, stroked; no perfect-freehand outline.
    expect(r.builds).toBe(0);
    expect(ctx.count('lineTo')).toBe(29);
    expect(ctx.count('quadraticCurveTo')).toBe(0);
    expect(ctx.count('stroke')).toBe(1);
    // At 100% the same elements are drawn in full.
    const full = new RecordingContext();
    vp.set(0, 0, 1);
    r.renderStatic(full, [pen('p', 100, 100), label('t', 100, 300)], vp);
    expect(full.of('fillText').map((a) => a[0])).toEqual(['hello', 'world']);
    expect(full.count('quadraticCurveTo')).toBeGreaterThan(10);
  });
});

describe('tiles for zoomed-out frames', () => {
  /** A real store, spatial index and dirty log behind a BoardSource, and surfaces that record. */
  function setup(els: Element[], { log = true } = {}) {
    const store = new Store(new ManualScheduler());
    const index = new SpatialIndex();
    const dirty = new DirtyLog();
    store.subscribeSync((diff) => indexBatch(index, diff, dirty, store.revision));
    store.apply({ added: els }, 'local');
    const board: BoardSource = {
      get revision() {
        return store.revision;
      },
      elements: () => store.sorted(),
      query: (r) => visibleInOrder(index, (id) => store.get(id), r),
      changedSince: log ? (rev) => dirty.since(rev, store.revision) : undefined,
    };
    const surfaces: { ctx: RecordingContext; key: string }[] = [];
    const surface = (w: number, h: number): Surface => {
      expect([w, h]).toEqual([TILE_PX, TILE_PX]);
      const ctx = new RecordingContext();
      surfaces.push({ ctx, key: '' });
      return { ctx, image: { tile: surfaces.length } };
    };
    const visible = () => {
      throw new Error('a tiled frame does not ask for the visible set');
    };
    return { store, board, surfaces, surface, visible };
  }
  /** The tile (tx, ty) a surface's painting was translated to, from its second setTransform. */
  const tileOf = (c: RecordingContext) => {
    const [s, , , , e, f] = c.of('setTransform')[1] as number[];
    return `${s}:${-e! / TILE_PX}:${-f! / TILE_PX}`;
  };

  it('renders each tile once, then draws frames from them; empty tiles need no bitmap', () => {
    // Four boxes in four different 1024-unit tiles (scale 0.25), each farther than the tiles'
    // margin (32 units) from the others' tiles.
    const s = setup([box('a', 100, 100), box('b', 1400, 100), box('c', 100, 1400), box('d', 5000, 5000)]);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.2); // 4000 x 3000 units: tiles 0..3 x 0..2 at scale 0.25
    const opts = { board: s.board, surface: s.surface };
    const ctx = new RecordingContext();
    const stats = r.renderStatic(ctx, s.visible, vp, opts);
    expect(stats.tiles).toEqual({ scale: 0.25, tiles: 12, rendered: 12, pending: 0 });
    expect(stats.drawn).toEqual([]);
    // Only the three tiles with something in them got a bitmap, each painted at scale 0.25.
    expect(s.surfaces.map((x) => tileOf(x.ctx)).sort()).toEqual(['0.25:0:0', '0.25:0:1', '0.25:1:0']);
    for (const x of s.surfaces) expect(x.ctx.of('fill').filter((a) => a.at(-1) === '#abcdef')).toHaveLength(1);
    // The frame: one drawImage per bitmap, at whole device pixels (1024 units = 204.8 px).
    const draws = ctx.of('drawImage');
    expect(draws).toHaveLength(3);
    expect(draws.map((d) => d.slice(1)).sort()).toEqual([[0, 0, 205, 205], [0, 205, 205, 205], [205, 0, 205, 205]]);
    expect(ctx.count('fill') + ctx.count('stroke')).toBe(0);

    // The camera moves over the same tiles: nothing is rendered again.
    for (const [x, z] of [[50, 0.2], [10, 0.22], [0, 0.25]] as const) {
      vp.set(x, 0, z);
      const c = new RecordingContext();
      const st = r.renderStatic(c, s.visible, vp, opts);
      expect(st.tiles).toEqual({ scale: 0.25, tiles: 12, rendered: 0, pending: 0 });
      expect(c.count('fill') + c.count('stroke')).toBe(0);
      expect(c.count('drawImage')).toBe(3);
    }
    expect(s.surfaces).toHaveLength(3);
    // Zoomed out and panned left, the view spans 6 x 4 tiles: only the 12 new ones are rendered.
    vp.set(-300, 0, 0.15);
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).tiles).toEqual({ scale: 0.25, tiles: 24, rendered: 12, pending: 0 });
    expect(r.tileBuilds).toBe(24);
  });

  it('a resting frame at 100% (or 50% at DPR 2) is drawn live, in full detail', () => {
    const s = setup([label('t', 100, 100), pen('p', 300, 100)]);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    for (const [zoom, dpr] of [[1, 1], [0.9999999, 1], [0.5, 2], [2, 1]] as const) {
      vp.set(0, 0, zoom);
      const ctx = new RecordingContext();
      const stats = r.renderStatic(ctx, s.board.elements(), vp, { board: s.board, surface: s.surface, dpr });
      expect(stats.tiles).toBeUndefined();
      expect(stats.drawn).toEqual(['p', 't']);
      expect(ctx.of('fillText').map((a) => a[0])).toEqual(['hello', 'world']);
      expect(ctx.count('drawImage')).toBe(0);
    }
    expect(s.surfaces).toHaveLength(0);
    // Just below 100% it is tiles.
    vp.set(0, 0, 0.99);
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, { board: s.board, surface: s.surface }).tiles?.scale).toBe(1);
  });

  it('an edit re-renders only the tiles its old and new bounds touch', () => {
    // A 4 x 3 grid of boxes, one per 256-unit tile at scale 1, well inside their tiles.
    const els = Array.from({ length: 12 }, (_, i) => box(`b${i}`, (i % 4) * 256 + 80, Math.floor(i / 4) * 256 + 80, 60));
    const s = setup(els);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.8); // 1000 x 750 units: tiles 0..3 x 0..2
    const opts = { board: s.board, surface: s.surface };
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).tiles!.rendered).toBe(12);
    // Move b5 (tile 1,1) into tile (2,1).
    s.store.apply({ updated: [{ ...els[5]!, x: 2 * 256 + 150 }] }, 'local');
    const before = s.surfaces.length;
    const ctx = new RecordingContext();
    const stats = r.renderStatic(ctx, s.visible, vp, opts);
    expect(stats.tiles!.rendered).toBe(2);
    // Tile (1, 1) is now empty (no bitmap); tile (2, 1) shows both boxes.
    expect(s.surfaces.slice(before).map((x) => tileOf(x.ctx))).toEqual(['1:2:1']);
    expect(s.surfaces.at(-1)!.ctx.of('fill').filter((a) => a.at(-1) === '#abcdef')).toHaveLength(2);
    expect(ctx.count('drawImage')).toBe(11);
    // A removal touches its tile only.
    s.store.apply({ removed: ['b0'] }, 'remote');
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).tiles!.rendered).toBe(1);
    // Without a dirty log, any new revision re-renders every tile.
    const blind = setup(els, { log: false });
    const r2 = new Renderer();
    r2.renderStatic(new RecordingContext(), blind.visible, vp, { board: blind.board, surface: blind.surface });
    blind.store.apply({ removed: ['b0'] }, 'remote');
    expect(r2.renderStatic(new RecordingContext(), blind.visible, vp, { board: blind.board, surface: blind.surface }).tiles!.rendered).toBe(12);
    // invalidateBoard (an image arrived) drops every tile too.
    r.invalidateBoard();
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).tiles!.rendered).toBe(12);
  });

  it('past the time budget, missing tiles show stand-ins from another scale until later frames render them', () => {
    const els = Array.from({ length: 40 }, (_, i) => box(`b${i}`, (i % 8) * 120, Math.floor(i / 8) * 120, 50));
    const s = setup(els);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    // A clock that moves 3 ms each time it is read (once per frame, then before each missing
    // tile): with an 8 ms budget, two tiles a frame are rendered when stand-ins exist.
    let t = 0;
    const opts = { board: s.board, surface: s.surface, tileBudgetMs: 8, settleBudgetMs: 14, now: () => (t += 3) };
    // First frame at 0.2 (scale 0.25): nothing to stand in, so every tile is rendered, budget or not.
    vp.set(0, 0, 0.2);
    const first = r.renderStatic(new RecordingContext(), s.visible, vp, opts).tiles!;
    expect(first.pending).toBe(0);
    expect(first.rendered).toBe(first.tiles);
    const afterFirst = s.surfaces.length;
    expect(afterFirst).toBe(1);
    // Zoomed in to 0.45 (scale 0.5): two tiles fit in the budget, the rest are stood in for by the
    // 0.25 tiles.
    vp.set(0, 0, 0.45);
    const ctx = new RecordingContext();
    const st = r.renderStatic(ctx, s.visible, vp, opts).tiles!;
    expect(st.scale).toBe(0.5);
    expect(st.rendered).toBe(2);
    expect(st.pending).toBe(st.tiles - 2);
    // Each stand-in is drawn once, under the frame's own tiles, unclipped: first the 0.25 tile
    // with the boxes (the first frame's only bitmap), then the new 0.5 tile with boxes in it (the
    // other new one is empty: a patch of background over the stand-in).
    expect(s.surfaces).toHaveLength(afterFirst + 1);
    expect(ctx.of('drawImage').map((a) => (a[0] as { tile: number }).tile)).toEqual([1, 2]);
    expect(ctx.count('fillRect')).toBe(2); // the frame's background, the empty tile
    expect(ctx.count('clip')).toBe(0);
    // Later frames at the same camera (settling) render four tiles each (a 14 ms budget), and
    // the final one needs no stand-in.
    let frames = 0;
    let last = st;
    const c = new RecordingContext();
    while (last.pending > 0 && frames < 20) {
      frames++;
      c.calls = [];
      last = r.renderStatic(c, s.visible, vp, opts).tiles!;
      expect(last.rendered).toBe(Math.min(4, st.pending - (frames - 1) * 4));
    }
    expect(frames).toBe(Math.ceil(st.pending / 4));
    expect(last.pending).toBe(0);
    expect(c.of('drawImage').map((a) => (a[0] as { tile: number }).tile)).not.toContain(1);
    // The RenderLoop draws the static layer again while a frame was not final.
    const sched = new ManualScheduler();
    let left = 3;
    let draws = 0;
    const loop = new RenderLoop(() => (draws++, --left > 0), () => {}, sched);
    loop.invalidate('static');
    for (let i = 0; i < 5; i++) sched.tick();
    expect(draws).toBe(3);
  });

  it('keeps at most TILE_CACHE_TILES tiles, dropping the least recently drawn', () => {
    const s = setup([box('a', 0, 0)]);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    const opts = { board: s.board, surface: s.surface };
    // Pan across empty board at 0.9: 4 x 3 or 5 x 4 tiles a frame, new ones every frame.
    for (let i = 0; i < 120; i++) {
      vp.set(i * 1000, 0, 0.9);
      r.renderStatic(new RecordingContext(), s.visible, vp, opts);
    }
    expect(r.tileBuilds).toBeGreaterThan(TILE_CACHE_TILES);
    expect(r.tileCount).toBe(TILE_CACHE_TILES);
    // The first tile (with 'a' in it) was dropped: going back renders it again.
    vp.set(0, 0, 0.9);
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).tiles!.rendered).toBeGreaterThan(0);
  });

  it('tiles from 50% up draw text as a live frame at their scale does; coarser ones greek it', () => {
    const s = setup([label('t', 100, 100)]); // 20 px font: 10 px at 50%, 5 px at 25%
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.3); // scale 0.5
    r.renderStatic(new RecordingContext(), s.visible, vp, { board: s.board, surface: s.surface });
    expect(s.surfaces.at(-1)!.ctx.of('fillText').map((a) => a[0])).toEqual(['hello', 'world']);
    vp.set(0, 0, 0.2); // scale 0.25, details for 0.125: greeked
    r.renderStatic(new RecordingContext(), s.visible, vp, { board: s.board, surface: s.surface });
    expect(s.surfaces).toHaveLength(2);
    expect(s.surfaces.at(-1)!.ctx.count('fillText')).toBe(0);
  });

  it('draws live, and keeps drawing live, where no surface can be had', () => {
    const s = setup([box('a', 0, 0), box('b', 300, 0)]);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.3);
    let asked = 0;
    const opts = { board: s.board, surface: () => (asked++, null) };
    for (let i = 0; i < 3; i++) {
      const stats = r.renderStatic(new RecordingContext(), s.board.elements(), vp, opts);
      expect(stats.tiles).toBeUndefined();
      expect(stats.drawn).toEqual(['a', 'b']);
    }
    expect(asked).toBe(1);
  });

  it('draws live with hidden elements (the DOM text editor is open)', () => {
    const s = setup([box('a', 0, 0), box('b', 300, 0)]);
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.3);
    const stats = r.renderStatic(new RecordingContext(), s.board.elements(), vp, { board: s.board, surface: s.surface, hidden: new Set(['a']) });
    expect(stats.tiles).toBeUndefined();
    // A shape under the edit box is still drawn (only its text is left to the editor).
    expect(stats.drawn).toEqual(['a', 'b']);
    expect(s.surfaces).toHaveLength(0);
  });
});

describe('panning reuses the last frame', () => {
  const canvas = { id: 'static' };
  class CanvasCtx extends RecordingContext {
    readonly canvas = canvas;
  }
  function setup() {
    // A 10 x 6 grid of 50-unit squares, 100 apart.
    const els = Array.from({ length: 60 }, (_, i) => box(`b${i}`, (i % 10) * 100, Math.floor(i / 10) * 100, 50));
    const queries: { x: number; y: number; width: number; height: number }[] = [];
    const board: BoardSource = {
      revision: 1,
      elements: () => els,
      query(r) {
        queries.push(r);
        return els.filter((e) => e.x <= r.x + r.width && e.x + 50 >= r.x && e.y <= r.y + r.height && e.y + 50 >= r.y);
      },
    };
    return { els, board, queries };
  }

  it('shifts the canvas by whole device pixels and paints only the strips that came into view', () => {
    const { els, board, queries } = setup();
    const r = new Renderer();
    const vp = new Viewport(400, 300);
    const opts = { board, dpr: 2 };
    const first = new CanvasCtx();
    expect(r.renderStatic(first, els, vp, opts).scrolled).toBeUndefined();
    // A full frame asks the board for the view, widened by the culling margin.
    expect(queries).toEqual([{ x: -32, y: -32, width: 464, height: 364 }]);
    queries.length = 0;

    // 10 CSS px right and 5 down = 20 and 10 device pixels.
    vp.set(10, 5, 1);
    const ctx = new CanvasCtx();
    const stats = r.renderStatic(ctx, () => { throw new Error('the visible set is not needed'); }, vp, opts);
    expect(stats.scrolled).toEqual([-20, -10]);
    expect(ctx.of('drawImage')).toEqual([[{ id: 'static' }, -20, -10]]);
    // Strips: the right column (20 device px = 10 units) and the bottom rows, clipped.
    expect(ctx.of('rect')).toEqual([[780, 0, 20, 600], [0, 590, 780, 10]]);
    expect(ctx.count('clip')).toBe(2);
    // Each strip's world rect, widened by the culling margin (32 px = 32 units at zoom 1).
    expect(queries).toEqual([
      { x: 400 - 32, y: 5 - 32, width: 10 + 64, height: 300 + 64 },
      { x: 10 - 32, y: 300 - 32, width: 390 + 64, height: 5 + 64 },
    ]);
    // Only squares touching a strip were painted (x = 400 column, y = 300 row).
    expect(stats.drawn.length).toBeGreaterThan(0);
    for (const id of stats.drawn) {
      const e = els.find((x) => x.id === id)!;
      expect(e.x === 400 || e.y === 300).toBe(true);
    }
  });

  it('paints in full after a zoom, a fractional pan, an edit or invalidateFrame', () => {
    const { els, board } = setup();
    const r = new Renderer();
    const vp = new Viewport(400, 300);
    const opts = { board };
    const frame = () => r.renderStatic(new CanvasCtx(), els, vp, opts);
    frame();
    vp.set(0, 0, 1.5);
    expect(frame().scrolled).toBeUndefined();
    vp.set(0.25, 0, 1.5); // 0.375 px
    expect(frame().scrolled).toBeUndefined();
    vp.set(2.25, 0, 1.5); // 3 px: reused
    expect(frame().scrolled).toEqual([-3, 0]);
    board.revision = 2;
    vp.set(4.25, 0, 1.5);
    expect(frame().scrolled).toBeUndefined();
    vp.set(6.25, 0, 1.5);
    expect(frame().scrolled).toEqual([-3, 0]);
    r.invalidateFrame();
    vp.set(8.25, 0, 1.5);
    expect(frame().scrolled).toBeUndefined();
    // More than half the screen: painted in full.
    vp.set(300, 0, 1.5);
    expect(frame().scrolled).toBeUndefined();
    // The same camera twice: painted in full (the canvas may have been reset meanwhile).
    vp.set(302, 0, 1.5);
    frame();
    expect(frame().scrolled).toBeUndefined();
    // Another canvas: painted in full.
    vp.set(304, 0, 1.5);
    const other = new (class extends RecordingContext { readonly canvas = { id: 'other' }; })();
    expect(r.renderStatic(other, els, vp, opts).scrolled).toBeUndefined();
  });
});
