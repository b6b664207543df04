import { describe, expect, it } from 'vitest';
import { type KeyValue, parseSavedView, placeCamera, ViewMemory } from './camera';
import { NO_INSETS, Viewport } from './viewport';

const SIDEBAR = { left: 290, top: 64, right: 0, bottom: 0 };

/** The centre of the canvas part `insets` leave uncovered, in world coordinates. */
const centreOfFree = (vp: Viewport, i = SIDEBAR) =>
  vp.toWorld({ x: i.left + (vp.width - i.left - i.right) / 2, y: i.top + (vp.height - i.top - i.bottom) / 2 });

describe('placing the camera when a board opens', () => {
  it('centres small content at 100% in the part the sidebar and toolbar leave free', () => {
    // A rectangle at the origin: at the old default camera it sat under the sidebar.
    const vp = new Viewport(1280, 800);
    placeCamera(vp, { x: 0, y: 0, width: 160, height: 90 }, null, SIDEBAR);
    expect(vp.zoom).toBe(1);
    const c = centreOfFree(vp);
    expect(c.x).toBeCloseTo(80);
    expect(c.y).toBeCloseTo(45);
    // Its whole box is right of the sidebar and below the toolbar.
    const tl = vp.toScreen({ x: 0, y: 0 });
    expect(tl.x).toBeGreaterThan(SIDEBAR.left);
    expect(tl.y).toBeGreaterThan(SIDEBAR.top);
  });

  it('zooms out until large content fits, never in past 100%', () => {
    const vp = new Viewport(1280, 800);
    placeCamera(vp, { x: -2500, y: -1000, width: 5000, height: 2000 }, null, SIDEBAR);
    expect(vp.zoom).toBeCloseTo((1280 - 290 - 80) / 5000);
    const tl = vp.toScreen({ x: -2500, y: -1000 });
    const br = vp.toScreen({ x: 2500, y: 1000 });
    expect(tl.x).toBeGreaterThanOrEqual(SIDEBAR.left);
    expect(br.x).toBeLessThanOrEqual(1280);
    expect(tl.y).toBeGreaterThanOrEqual(SIDEBAR.top);
    expect(br.y).toBeLessThanOrEqual(800);
  });

  it('uses the whole canvas when the panels leave too little of it', () => {
    const vp = new Viewport(400, 300);
    placeCamera(vp, { x: 0, y: 0, width: 100, height: 100 }, null, { left: 290, top: 64, right: 0, bottom: 0 });
    const c = centreOfFree(vp, NO_INSETS);
    expect([c.x, c.y]).toEqual([50, 50]);
  });

  it('goes back to where the board was left while that still shows some of it', () => {
    const vp = new Viewport(1280, 800);
    placeCamera(vp, { x: 0, y: 0, width: 160, height: 90 }, { x: -100, y: -50, zoom: 2 }, SIDEBAR);
    expect([vp.x, vp.y, vp.zoom]).toEqual([-100, -50, 2]);
  });

  it('finds the content again when the remembered view shows none of it (it moved, or another app edited)', () => {
    const vp = new Viewport(1280, 800);
    placeCamera(vp, { x: 50_000, y: 0, width: 160, height: 90 }, { x: -100, y: -50, zoom: 2 }, SIDEBAR);
    expect(vp.zoom).toBe(1);
    expect(centreOfFree(vp).x).toBeCloseTo(50_080);
  });

  it('an empty board opens where it was left, or with the origin at the free area\'s corner', () => {
    const vp = new Viewport(1280, 800);
    placeCamera(vp, null, { x: 10, y: 20, zoom: 0.5 }, SIDEBAR);
    expect([vp.x, vp.y, vp.zoom]).toEqual([10, 20, 0.5]);
    placeCamera(vp, null, null, SIDEBAR);
    expect(vp.toScreen({ x: 0, y: 0 })).toEqual({ x: 290, y: 64 });
  });
});

describe('remembered views', () => {
  const mapStore = (): KeyValue & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
  };

  it('are kept per board and read back', () => {
    const s = mapStore();
    const m = new ViewMemory(s);
    const vp = new Viewport(800, 600);
    vp.set(12.3456, -7.891, 1.23456789);
    m.save('a', vp);
    vp.set(0, 0, 3);
    m.save('b', vp);
    expect(m.load('a')).toEqual({ x: 12.35, y: -7.89, zoom: 1.2346 });
    expect(m.load('b')).toEqual({ x: 0, y: 0, zoom: 3 });
    expect(m.load('c')).toBeNull();
  });

  it('ignore what is not a sane camera', () => {
    for (const bad of ['', 'nope', '[]', 'null', '{"x":1,"y":2}', '{"x":1,"y":2,"zoom":0}', '{"x":1,"y":2,"zoom":99}', '{"x":"1","y":2,"zoom":1}', '{"x":1e300,"y":2,"zoom":1}']) {
      expect(parseSavedView(bad), bad).toBeNull();
    }
    expect(parseSavedView('{"x":1,"y":2,"zoom":1,"extra":true}')).toEqual({ x: 1, y: 2, zoom: 1 });
  });

  it('survive storage that throws (private mode, quota) by forgetting', () => {
    const m = new ViewMemory({
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
    });
    expect(() => m.save('a', new Viewport())).not.toThrow();
    expect(m.load('a')).toBeNull();
    expect(new ViewMemory(null).load('a')).toBeNull();
  });
});
