import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import { RecordingContext } from '../test/fakeCtx';
import { renderBounds } from './geometry';
import { type BoardSource, levelOfDetail, OVERVIEW_MAX_PIXELS, overviewScale, Renderer, type Surface } from './renderer';
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
    const r = box('r', 0, 0);
    expect(levelOfDetail(r, renderBounds(r), 0.1)).toBe('full'); // shapes keep their outline
  });

  it('overviewScale is the power of two at or above the zoom, up to OVERVIEW_MAX_SCALE', () => {
    expect(overviewScale(1)).toBeNull();
    expect(overviewScale(0.6)).toBeNull();
    expect(overviewScale(0.5)).toBe(0.5);
    expect(overviewScale(0.3)).toBe(0.5);
    expect(overviewScale(0.12)).toBe(0.125);
    expect(overviewScale(0)).toBeNull();
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

describe('overview bitmap', () => {
  function setup() {
    const els = [box('a', 0, 0), pen('p', 500, 500), label('t', 2000, 1000), box('b', 3000, 2000)];
    const board = { revision: 1, pulls: 0, elements() { this.pulls++; return els; } };
    const surfaces: { w: number; h: number; ctx: RecordingContext }[] = [];
    const surface = (w: number, h: number): Surface => {
      const ctx = new RecordingContext();
      surfaces.push({ w, h, ctx });
      return { ctx, image: { bitmap: surfaces.length } };
    };
    let visiblePulls = 0;
    const visible = () => {
      visiblePulls++;
      return els;
    };
    return { els, board, surfaces, surface, visible, pulls: () => visiblePulls };
  }

  it('paints the board once per revision and scale, then only draws the bitmap', () => {
    const s = setup();
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(-100, -100, 0.2);
    const opts = { board: s.board as BoardSource, surface: s.surface };
    const ctx = new RecordingContext();
    expect(r.renderStatic(ctx, s.visible, vp, opts).overview).toBe('built');
    expect(s.surfaces).toHaveLength(1);
    // Scale 0.25: the board (~3100 x 2100 units with padding) is ~780 x 530 device pixels.
    expect(s.surfaces[0]!.w).toBeGreaterThan(770);
    expect(s.surfaces[0]!.w).toBeLessThan(800);
    // Every element was painted into the bitmap; the frame itself is one drawImage.
    expect(s.surfaces[0]!.ctx.count('fill') + s.surfaces[0]!.ctx.count('stroke')).toBeGreaterThan(3);
    expect(ctx.of('drawImage')).toHaveLength(1);
    expect(ctx.of('drawImage')[0]![0]).toEqual({ bitmap: 1 });
    expect(s.pulls()).toBe(0);

    // The camera moves: same bitmap, nothing repainted, the visible set is never asked for.
    for (const [x, z] of [[0, 0.2], [300, 0.15], [50, 0.13]] as const) {
      vp.set(x, 0, z);
      const c = new RecordingContext();
      expect(r.renderStatic(c, s.visible, vp, opts).overview).toBe('hit');
      expect(c.of('drawImage')).toHaveLength(1);
      expect(c.count('fill') + c.count('stroke') + c.count('fillText')).toBe(0);
    }
    expect(s.surfaces).toHaveLength(1);
    expect(s.board.pulls).toBe(1);
    expect(s.pulls()).toBe(0);

    // A smaller zoom bucket, then a new revision: each rebuilds.
    vp.set(0, 0, 0.1);
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).overview).toBe('built');
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).overview).toBe('hit');
    s.board.revision = 2;
    expect(r.renderStatic(new RecordingContext(), s.visible, vp, opts).overview).toBe('built');
    expect(s.surfaces).toHaveLength(3);
    expect(r.overviewBuilds).toBe(3);
  });

  it('draws live above the overview zoom, with hidden elements, or when the bitmap would be too big', () => {
    const s = setup();
    const r = new Renderer();
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.6);
    const opts = { board: s.board as BoardSource, surface: s.surface };
    let stats = r.renderStatic(new RecordingContext(), s.visible, vp, opts);
    expect(stats.overview).toBeUndefined();
    expect(stats.drawn.length).toBeGreaterThan(0);
    vp.set(0, 0, 0.2);
    stats = r.renderStatic(new RecordingContext(), s.visible, vp, { ...opts, hidden: new Set(['a']) });
    expect(stats.overview).toBeUndefined();
    expect(stats.drawn).not.toContain('a');
    expect(s.surfaces).toHaveLength(0);

    // A board wide enough that its bitmap at scale 0.5 would pass the pixel cap.
    const wide = OVERVIEW_MAX_PIXELS / 0.5 / 0.5 / 1000;
    const big = { revision: 1, elements: () => [box('x', 0, 0), box('y', wide, 1000)] as Element[] };
    vp.set(0, 0, 0.4);
    stats = r.renderStatic(new RecordingContext(), [box('x', 0, 0)], vp, { board: big, surface: s.surface });
    expect(stats.overview).toBeUndefined();
    expect(stats.drawn).toEqual(['x']);
    expect(s.surfaces).toHaveLength(0);
    // The verdict is kept: the next frame neither walks the board nor asks for a surface.
    let pulls = 0;
    const counted = { revision: 1, elements: () => (pulls++, big.elements()) };
    const r2 = new Renderer();
    r2.renderStatic(new RecordingContext(), [], vp, { board: counted, surface: s.surface });
    r2.renderStatic(new RecordingContext(), [], vp, { board: counted, surface: s.surface });
    expect(pulls).toBe(1);
    expect(r2.overviewBuilds).toBe(1);
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
