import { describe, expect, it } from 'vitest';
import { setup } from './test/harness';

describe('wheel zoom', () => {
  it('one Ctrl+wheel notch zooms about 10%, as Excalidraw (not 100% → 236%)', () => {
    const h = setup();
    const at = { x: 500, y: 400 };
    const world = h.editor.viewport.toWorld(at);
    h.editor.wheel(at, { deltaX: 0, deltaY: -100, zoom: true, shift: false });
    expect(h.editor.viewport.zoom).toBeGreaterThan(1.08);
    expect(h.editor.viewport.zoom).toBeLessThan(1.12);
    // About the pointer.
    const s = h.editor.viewport.toScreen(world);
    expect(s.x).toBeCloseTo(500);
    expect(s.y).toBeCloseTo(400);
    // A notch out undoes it; a line-mode notch is a notch too.
    h.editor.wheel(at, { deltaX: 0, deltaY: 100, zoom: true, shift: false });
    expect(h.editor.viewport.zoom).toBeCloseTo(1);
    h.editor.wheel(at, { deltaX: 0, deltaY: 3, deltaMode: 1, zoom: true, shift: false });
    expect(h.editor.viewport.zoom).toBeCloseTo(Math.exp(-0.1));
  });

  it('a trackpad pinch zooms in proportion to its small deltas', () => {
    const h = setup();
    const at = { x: 0, y: 0 };
    h.editor.wheel(at, { deltaX: 0, deltaY: -2, zoom: true, shift: false });
    expect(h.editor.viewport.zoom).toBeCloseTo(Math.exp(0.02));
    h.editor.wheel(at, { deltaX: 0, deltaY: -4, zoom: true, shift: false });
    expect(h.editor.viewport.zoom).toBeCloseTo(Math.exp(0.06));
  });

  it('without Ctrl the wheel pans', () => {
    const h = setup();
    h.editor.wheel({ x: 0, y: 0 }, { deltaX: 10, deltaY: 30, zoom: false, shift: false });
    expect(h.editor.viewport.zoom).toBe(1);
    expect(h.editor.viewport.x).toBeCloseTo(10);
    expect(h.editor.viewport.y).toBeCloseTo(30);
  });
});
