import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { RecordingContext } from '../test/fakeCtx';
import { box, setup } from '../test/harness';
import { ERASE_FADE, Renderer } from './renderer';
import { Viewport } from './viewport';

/** Records the alpha each fill was made with. */
class AlphaCtx extends RecordingContext {
  fills: [unknown, number][] = [];
  override fill(...a: unknown[]) {
    this.fills.push([this.fillStyle, this.globalAlpha]);
    super.fill(...a);
  }
}

describe('eraser preview', () => {
  it('what the eraser will delete is drawn faded on the board layer, the rest as it is', () => {
    const els = [
      newElement('a', 'rectangle', 0, 0, { width: 100, height: 100, fill: '#ff0000', z: 'a0' }),
      newElement('b', 'rectangle', 200, 0, { width: 100, height: 100, fill: '#00ff00', z: 'a1' }),
    ];
    const ctx = new AlphaCtx();
    new Renderer().renderStatic(ctx, els, new Viewport(800, 600), { faded: new Set(['a']) });
    expect(ctx.fills.find(([f]) => f === '#ff0000')![1]).toBeCloseTo(ERASE_FADE);
    expect(ctx.fills.find(([f]) => f === '#00ff00')![1]).toBe(1);
  });

  it('the eraser repaints the board layer as its set grows and when it ends', () => {
    const layers: string[] = [];
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100, { fill: '#f00' })], { invalidate: (l) => layers.push(l) });
    h.use('eraser');
    h.editor.pointerDown(h.ptr(-20, 50));
    layers.length = 0;
    h.editor.pointerMove(h.ptr(50, 50));
    expect(layers).toContain('both');
    expect([...h.editor.interactive.erasing!]).toEqual(['a']);
    expect(h.store.size).toBe(1); // nothing deleted before the release
    layers.length = 0;
    h.editor.pointerUp(h.ptr(50, 50));
    expect(layers).toContain('both');
    expect(h.store.size).toBe(0);
  });
});
