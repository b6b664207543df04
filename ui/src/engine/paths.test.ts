import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { buildPaths, headShape } from './paths';

describe('buildPaths arrowheads', () => {
  const arrow = (init: Parameters<typeof newElement>[4] = {}) => newElement('a', 'arrow', 0, 0, { points: [[0, 0], [100, 0]], ...init });
  // The shaft alone is two ops (M, L); each 'arrow' head adds three.
  const strokeOps = (init?: Parameters<typeof newElement>[4]) => buildPaths(arrow(init)).stroke!.length;

  it('draws an arrow\'s unset end as an arrow head', () => {
    expect(strokeOps()).toBe(5);
    expect(strokeOps({ endArrowhead: 'arrow', startArrowhead: 'arrow' })).toBe(8);
  });

  it('draws no head for "none" (what Excalidraw writes as null)', () => {
    expect(strokeOps({ endArrowhead: 'none' })).toBe(2);
    expect(strokeOps({ endArrowhead: 'none', startArrowhead: 'none' })).toBe(2);
    expect(buildPaths(arrow({ endArrowhead: 'none', startArrowhead: 'none' })).solid).toBeNull();
  });

  it("draws Excalidraw's newer head names as the export does (circle as a dot, triangle_outline as a triangle)", () => {
    for (const [kind, as] of [
      ['circle', 'dot'],
      ['circle_outline', 'dot'],
      ['triangle_outline', 'triangle'],
    ]) {
      expect(headShape(kind!, { x: 100, y: 0 }, { x: 0, y: 0 }, 10)).toEqual(headShape(as!, { x: 100, y: 0 }, { x: 0, y: 0 }, 10));
    }
    expect(headShape('circle', { x: 100, y: 0 }, { x: 0, y: 0 }, 10).type).toBe('dot');
  });
});
