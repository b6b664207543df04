import type { Op } from 'roughjs/bin/core';
import { RoughGenerator } from 'roughjs/bin/generator';
import { describe, expect, it } from 'vitest';
import { type Element, newElement, roughSeed } from '../model/types';
import { RecordingContext } from '../test/fakeCtx';
import { buildPaths } from './paths';
import { Renderer } from './renderer';
import { adjustRoughness, isRough, roughLayers, roughOptions } from './rough';
import { Viewport } from './viewport';

const rect = (id: string, init: Partial<Element> = {}) =>
  newElement(id, 'rectangle', 100, 50, { width: 200, height: 120, roughness: 1, seed: 1234, ...init });

/** A layer's ops relative to the element's origin, so elements at different places compare. */
const shapeOf = (el: Element) => roughLayers(el).map((l) => ({ ...l, ops: l.ops.map((op) => op.map((v, i) => (i === 0 ? v : Math.round(((v as number) - (i % 2 ? el.x : el.y)) * 1e6) / 1e6))) }));

describe('the hand-drawn style', () => {
  it('draws the same wobble for the same seed, wherever the element is', () => {
    const a = rect('a');
    const b = rect('b', { x: -400, y: 900 });
    expect(roughLayers(a)).toEqual(roughLayers(rect('a')));
    expect(shapeOf(a)).toEqual(shapeOf(b));
    expect(roughLayers(a)[0]!.ops.length).toBeGreaterThan(4);
  });

  it('draws another wobble for another seed or roughness', () => {
    const base = JSON.stringify(roughLayers(rect('a')));
    expect(JSON.stringify(roughLayers(rect('a', { seed: 99 })))).not.toBe(base);
    expect(JSON.stringify(roughLayers(rect('a', { roughness: 2 })))).not.toBe(base);
  });

  it('seeds an element without a seed from its id, never with 0', () => {
    const el = rect('0f8fad5b-d9cb-469f-a165-70867728950e', { seed: 0 });
    const s = roughSeed(el);
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(2 ** 31);
    expect(roughSeed({ id: el.id, seed: 0 })).toBe(s);
    expect(JSON.stringify(roughLayers(el))).toBe(JSON.stringify(roughLayers({ ...el, seed: s })));
    // The value the core's Element::rough_seed gives for this id (crates/easel-core model tests).
    expect(s).toBe(ROUGH_SEED_OF_FIXED_ID);
  });

  it('passes rough.js the options Excalidraw does, so its seeds draw the same shapes', () => {
    const el = rect('a', { strokeWidth: 2, fill: '#ffc9c9', fillStyle: 'cross-hatch', strokeStyle: 'dashed' });
    expect(roughOptions(el)).toEqual({
      seed: 1234,
      disableMultiStroke: true,
      strokeWidth: 2.5,
      fillWeight: 1,
      hachureGap: 8,
      roughness: 1,
      stroke: '#1e1e1e',
      preserveVertices: true,
      strokeLineDash: [8, 10],
      fillStyle: 'cross-hatch',
      fill: '#ffc9c9',
    });
    // Excalidraw calls generator.rectangle(0, 0, w, h, options) in the element's own frame.
    const own = new RoughGenerator().rectangle(0, 0, 200, 120, roughOptions(el));
    const moved = (ops: Op[]) => ops.flatMap((o) => o.data.map((v, i) => v + (i % 2 ? 50 : 100)));
    const layers = roughLayers(el);
    expect(layers.map((l) => l.ops.flatMap((op) => op.slice(1) as number[]))).toEqual(own.sets.map((s) => moved(s.ops)));
    // Small shapes wobble less (Excalidraw's adjustRoughness).
    expect(adjustRoughness(rect('s', { width: 30, height: 12, roughness: 2 }))).toBe(1);
    expect(adjustRoughness(rect('s', { width: 8, height: 8, roughness: 2 }))).toBeCloseTo(2 / 3);
  });

  it('fills hachure, cross-hatch and zigzag with lines in the fill colour, solid as a region', () => {
    for (const fillStyle of ['hachure', 'cross-hatch', 'zigzag'] as const) {
      const layers = roughLayers(rect('a', { fill: '#a5d8ff', fillStyle }));
      expect(layers[0]).toMatchObject({ paint: 'stroke', color: '#a5d8ff', width: 1 });
      expect(layers.at(-1)).toMatchObject({ paint: 'stroke', color: '#1e1e1e', width: 2 });
    }
    const count = (fillStyle: 'hachure' | 'cross-hatch') => roughLayers(rect('a', { fill: '#a5d8ff', fillStyle }))[0]!.ops.filter((o) => o[0] === 'M').length;
    expect(count('cross-hatch')).toBeGreaterThan(count('hachure') * 1.5);
    expect(roughLayers(rect('a', { fill: '#a5d8ff', fillStyle: 'solid' }))[0]).toMatchObject({ paint: 'fill', color: '#a5d8ff' });
  });

  it('keeps roughness 0 clean: no rough.js, except the lines of a pattern fill', () => {
    const clean = rect('a', { roughness: 0, fill: '#a5d8ff' });
    expect(isRough(clean)).toBe(false);
    const ctx = new RecordingContext();
    const r = new Renderer();
    r.renderStatic(ctx, [clean], new Viewport(800, 600));
    expect(r.roughBuilds).toBe(0);
    // The outline is the exact rectangle, as before.
    const ops = buildPaths(clean).stroke!;
    expect(ops[0]).toEqual(['M', 100, 50]);
    expect(ctx.of('moveTo')[0]).toEqual([100, 50]);
    expect(ctx.of('lineTo').slice(0, 3)).toEqual([
      [300, 50],
      [300, 170],
      [100, 170],
    ]);
    // A hatched roughness-0 shape: straight hachure lines (every control point on its segment), a clean outline.
    const hatched = rect('a', { roughness: 0, fill: '#a5d8ff', fillStyle: 'hachure' });
    const layers = roughLayers(hatched);
    expect(layers).toHaveLength(1);
    let from: number[] = [];
    for (const op of layers[0]!.ops) {
      if (op[0] === 'M') from = [op[1], op[2]];
      if (op[0] === 'C') {
        const [x0, y0] = from as [number, number];
        const cross = (x: number, y: number) => (op[5] - x0) * (y - y0) - (op[6] - y0) * (x - x0);
        expect(Math.abs(cross(op[1], op[2]))).toBeLessThan(1e-6 * Math.hypot(op[5] - x0, op[6] - y0) ** 2 + 1e-6);
        from = [op[5], op[6]];
      }
    }
  });

  it('generates once per element version: panning reuses the cached paths', () => {
    const els = Array.from({ length: 50 }, (_, i) => rect(`r${i}`, { x: (i % 10) * 220, y: Math.floor(i / 10) * 150, fill: '#ffec99', fillStyle: 'hachure' }));
    const versions = new Map(els.map((e) => [e.id, 1]));
    const opts = { versionOf: (id: string) => versions.get(id) ?? 0 };
    const vp = new Viewport(1400, 900);
    const r = new Renderer();
    r.renderStatic(new RecordingContext(), els, vp, opts);
    const first = r.roughBuilds;
    expect(first).toBeGreaterThan(20);
    for (let i = 1; i <= 20; i++) {
      vp.set(i * 13, i * 7, 1);
      r.renderStatic(new RecordingContext(), els, vp, opts);
    }
    // Elements that came into view were generated once; none seen before was generated again.
    expect(r.roughBuilds).toBeLessThanOrEqual(els.length);
    const afterPan = r.roughBuilds;
    vp.set(0, 0, 1);
    r.renderStatic(new RecordingContext(), els, vp, opts);
    expect(r.roughBuilds).toBe(afterPan);
    // A new version regenerates that element only.
    versions.set('r0', 2);
    r.renderStatic(new RecordingContext(), els, vp, opts);
    expect(r.roughBuilds).toBe(afterPan + 1);
  });

  it('draws clean paths where the wobble would move strokes by less than a pixel (zoomed-out tiles)', () => {
    const el = rect('r', { x: 0, y: 0, width: 200, height: 120, fill: '#a5d8ff', fillStyle: 'hachure' });
    const board = { revision: 1, elements: () => [el] };
    const surfaces: RecordingContext[] = [];
    const surface = () => {
      const ctx = new RecordingContext();
      surfaces.push(ctx);
      return { ctx, image: {} };
    };
    const r = new Renderer();
    const far = new Viewport(800, 600);
    far.set(0, 0, 0.1);
    // At 10% the frame comes from tiles at 1/8: the wobble (5 units) is under a pixel there.
    expect(r.renderStatic(new RecordingContext(), [el], far, { board, surface }).tiles?.rendered).toBeGreaterThan(0);
    expect(surfaces.some((c) => c.count('fill') + c.count('stroke') > 0)).toBe(true);
    expect(r.roughBuilds).toBe(0);
    // At 100% it is drawn live, hand-drawn.
    r.renderStatic(new RecordingContext(), [el], new Viewport(800, 600));
    expect(r.roughBuilds).toBe(1);
  });

  it('paints rough strokes instead of the clean outline, arrowheads included', () => {
    const arrow = newElement('a', 'arrow', 0, 0, { points: [[0, 0], [300, 40]], width: 300, height: 40, roughness: 2, seed: 7, endArrowhead: 'triangle' });
    const layers = roughLayers(arrow);
    // The shaft, then the triangle's solid fill in the stroke colour and its outline.
    expect(layers.map((l) => [l.paint, l.color])).toEqual([
      ['stroke', '#1e1e1e'],
      ['fill', '#1e1e1e'],
      ['stroke', '#1e1e1e'],
    ]);
    const ctx = new RecordingContext();
    new Renderer().renderStatic(ctx, [arrow], new Viewport(800, 600));
    expect(ctx.count('bezierCurveTo')).toBeGreaterThan(4);
    expect(ctx.of('fill')).toHaveLength(1);
  });
});

/** See the test above; `cargo test -p easel-core rough_seed` checks the same number. */
const ROUGH_SEED_OF_FIXED_ID = 572823233;
