import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import { RecordingContext } from '../test/fakeCtx';
import { RenderLoop, Renderer } from './renderer';
import { ManualScheduler } from './scheduler';
import { Viewport } from './viewport';

const rectEl = (id: string, x: number, y: number, w: number, init: Partial<Element> = {}) =>
  newElement(id, 'rectangle', x, y, { width: w, height: w, fill: '#abcdef', ...init });

describe('Renderer.renderStatic', () => {
  it('draws only the elements that intersect the viewport', () => {
    const vp = new Viewport(800, 600); // world 0..800 x 0..600 at zoom 1
    const els = [
      rectEl('in', 100, 100, 50),
      rectEl('edge', 790, 590, 50),
      rectEl('right', 900, 100, 50),
      rectEl('above', 100, -200, 50),
      newElement('label', 'text', 2000, 2000, { width: 100, height: 30, text: 'far away' }),
      newElement('near', 'text', 10, 10, { width: 100, height: 30, text: 'hello' }),
    ];
    const ctx = new RecordingContext();
    const stats = new Renderer().renderStatic(ctx, els, vp);
    expect(stats.drawn).toEqual(['in', 'edge', 'near']);
    expect(stats.culled).toBe(3);
    expect(ctx.of('fillText')).toEqual([['hello', 10, 10]]);
    // Two filled shapes were painted with their fill colour.
    expect(ctx.of('fill').filter((a) => a.at(-1) === '#abcdef')).toHaveLength(2);
  });

  it('at low zoom, tiny elements become a filled rect or are skipped', () => {
    const vp = new Viewport(800, 600);
    vp.set(0, 0, 0.1);
    const els = [
      rectEl('big', 0, 0, 500, { strokeWidth: 0 }), // 50 px on screen
      rectEl('small', 1000, 1000, 12, { strokeWidth: 0 }), // (12 + 2) * 0.1 = 1.4 px
      rectEl('dust', 2000, 2000, 1, { strokeWidth: 0 }), // 0.3 px
    ];
    const ctx = new RecordingContext();
    const stats = new Renderer().renderStatic(ctx, els, vp);
    expect(stats.drawn).toEqual(['big']);
    expect(stats.lod).toEqual(['small']);
    expect(stats.skipped).toBe(1);
    // The LOD element is one fillRect in its fill colour, with no path built for it.
    const lodRects = ctx.of('fillRect').filter((a) => a.at(-1) === '#abcdef');
    expect(lodRects).toHaveLength(1);
    expect(lodRects[0]![0]).toBeCloseTo(999);
    // Only the big rectangle's path was traced (moveTo at its corner), nothing at the others.
    expect(ctx.of('moveTo').every((a) => (a[0] as number) < 1000)).toBe(true);
    // At zoom 1 the same small element is drawn in full.
    const full = new Renderer().renderStatic(new RecordingContext(), els, new Viewport(3000, 3000));
    expect(full.drawn).toEqual(['big', 'small', 'dust']);
  });

  it('applies the camera transform and rotates elements about their centre', () => {
    const vp = new Viewport(800, 600);
    vp.set(-100, -50, 2);
    const ctx = new RecordingContext();
    new Renderer().renderStatic(ctx, [rectEl('r', 0, 0, 100, { angle: 0.5 })], vp, { dpr: 2 });
    expect(ctx.of('setTransform')).toContainEqual([4, 0, 0, 4, 400, 200]);
    expect(ctx.of('rotate')).toEqual([[0.5]]);
    expect(ctx.of('translate')[0]).toEqual([50, 50]);
  });

  it('caches paths per element version', () => {
    const vp = new Viewport(800, 600);
    const r = new Renderer();
    const els = [rectEl('a', 0, 0, 50), newElement('p', 'freedraw', 100, 100, { points: [[0, 0], [10, 5], [20, 0]] })];
    const versions = new Map([['a', 1], ['p', 1]]);
    const opts = { versionOf: (id: string) => versions.get(id) ?? 0 };
    r.renderStatic(new RecordingContext(), els, vp, opts);
    expect(r.builds).toBe(2);
    r.renderStatic(new RecordingContext(), els, vp, opts);
    expect(r.builds).toBe(2);
    versions.set('a', 2);
    r.renderStatic(new RecordingContext(), els, vp, opts);
    expect(r.builds).toBe(3);
  });

  it('pen strokes are filled outlines in the stroke colour; arrows get heads', () => {
    const ctx = new RecordingContext();
    new Renderer().renderStatic(
      ctx,
      [
        newElement('p', 'freedraw', 100, 100, { points: [[0, 0], [10, 5], [20, 0], [30, 10]], stroke: '#ff0000' }),
        newElement('a', 'arrow', 300, 300, { points: [[0, 0], [100, 0]], stroke: '#00ff00' }),
      ],
      new Viewport(800, 600),
    );
    expect(ctx.of('fill').some((a) => a.at(-1) === '#ff0000')).toBe(true);
    expect(ctx.count('quadraticCurveTo')).toBeGreaterThan(4);
    // Shaft + two head strokes end at the tip (400, 300).
    expect(ctx.of('lineTo').filter((a) => a[0] === 400 && a[1] === 300).length).toBe(2);
  });
});

describe('Renderer.renderInteractive', () => {
  it('draws selection handles, marquee and collaborator cursors', () => {
    const ctx = new RecordingContext();
    const el = rectEl('a', 0, 0, 100);
    new Renderer().renderInteractive(
      ctx,
      {
        selection: new Set(['a']),
        marquee: { x: 5, y: 5, width: 10, height: 10 },
        collaborators: [{ id: 'u', name: 'Ana', color: '#f0f', point: { x: 50, y: 50 } }],
      },
      (id) => (id === 'a' ? el : undefined),
      new Viewport(800, 600),
    );
    expect(ctx.count('rect')).toBe(8); // 8 resize handles
    expect(ctx.count('arc')).toBe(1); // rotate handle
    expect(ctx.of('strokeRect')).toEqual([[5, 5, 10, 10]]);
    // The name on a pill in their colour just below and right of the arrow's tip.
    expect(ctx.of('fillText')).toEqual([['Ana', 65, 77]]);
    expect(ctx.of('fillRect').filter((a) => a.at(-1) === '#f0f').map((a) => a.slice(0, 2))).toEqual([[60, 68]]);
  });
});

describe('Renderer.renderInteractive: line points, snap guides, grid', () => {
  const draw = (state: Parameters<Renderer['renderInteractive']>[1], els: Element[] = []) => {
    const ctx = new RecordingContext();
    new Renderer().renderInteractive(ctx, state, (id) => els.find((e) => e.id === id), new Viewport(800, 600));
    return ctx;
  };

  it('a selected two-point line shows its points instead of the box handles; a longer one both, with midpoints', () => {
    const two = newElement('l', 'line', 0, 0, { points: [[0, 0], [200, 0]], width: 200 });
    let ctx = draw({ selection: new Set(['l']) }, [two]);
    expect(ctx.count('rect')).toBe(0);
    // Two points and one midpoint.
    expect(ctx.of('arc').map((a) => a.slice(0, 2))).toEqual([[100, 0], [0, 0], [200, 0]]);
    const three = newElement('l', 'line', 0, 0, { points: [[0, 0], [200, 0], [200, 200]], width: 200, height: 200 });
    ctx = draw({ selection: new Set(['l']), activePoint: 2 }, [three]);
    expect(ctx.count('rect')).toBe(8);
    // The rotate handle, two midpoints, three points; the active point filled in the selection colour.
    expect(ctx.count('arc')).toBe(6);
    expect(ctx.of('fill').filter((a) => a.at(-1) === '#4f7cff')).toHaveLength(1);
  });

  it('draws each guide in the snap colour with a cross per mark, and the grid only when on', () => {
    const ctx = draw({ selection: new Set(), guides: [{ axis: 'x', at: 100, from: 0, to: 300, marks: [0, 300] }] });
    const guide = ctx.of('stroke').filter((a) => a.at(-1) === '#ff6b6b');
    expect(guide).toHaveLength(1);
    expect(ctx.of('moveTo').filter((a) => a[0] === 100 && a[1] === 0)).toHaveLength(1);
    expect(ctx.of('stroke').filter((a) => String(a.at(-1)).startsWith('rgba(0, 0, 0'))).toHaveLength(0);
    // 800×600 at zoom 1 with a 20 step: 41 vertical and 31 horizontal lines.
    const grid = draw({ selection: new Set(), grid: 20 });
    expect(grid.of('stroke').filter((a) => String(a.at(-1)).startsWith('rgba(0, 0, 0'))).toHaveLength(72);
  });
});

describe('RenderLoop', () => {
  it('draws each dirty layer once per frame and nothing when clean', () => {
    const s = new ManualScheduler();
    let st = 0;
    let it_ = 0;
    const loop = new RenderLoop(() => st++, () => it_++, s);
    for (let i = 0; i < 10; i++) loop.invalidate('interactive');
    loop.invalidate('static');
    s.tick();
    expect([st, it_]).toEqual([1, 1]);
    loop.invalidate('interactive');
    s.tick();
    expect([st, it_]).toEqual([1, 2]);
    s.tick();
    expect([st, it_]).toEqual([1, 2]);
    expect(s.pending).toBe(0);
  });
});
