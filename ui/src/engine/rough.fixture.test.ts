// The canvas's hand-drawn layers for a set of elements, kept in fixtures/rough/elements.json:
// this test fails when they change, and crates/easel-formats/tests/rough.rs checks that the SVG
// export's Rust port draws the same layers for the same elements. After a deliberate change:
//   EASEL_WRITE_ROUGH=1 npx vitest run src/engine/rough.fixture.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Element, newElement } from '../model/types';
import { roughLayers } from './rough';

const FILE = new URL('../../../fixtures/rough/elements.json', import.meta.url);

const elements: Element[] = [
  newElement('rect-hachure', 'rectangle', 10, 20, { width: 200, height: 120, roughness: 1, seed: 5, fill: '#a5d8ff', fillStyle: 'hachure' }),
  newElement('rect-round-solid', 'rectangle', -50, 300, { width: 160, height: 100, roughness: 2, seed: 77, fill: '#ffc9c9', rounded: true }),
  newElement('rect-plain-r0', 'rectangle', 0, 0, { width: 120, height: 80, roughness: 0, fill: '#b2f2bb', fillStyle: 'cross-hatch' }),
  newElement('rect-small', 'rectangle', 5, 5, { width: 30, height: 12, roughness: 2, seed: 9 }),
  newElement('diamond-zigzag', 'diamond', 400, 10, { width: 180, height: 120, roughness: 1, seed: 1234, fill: '#ffec99', fillStyle: 'zigzag' }),
  newElement('diamond-round', 'diamond', 400, 200, { width: 200, height: 120, roughness: 1, seed: 4321, fill: '#d0bfff', fillStyle: 'hachure', rounded: true }),
  newElement('ellipse-dashed', 'ellipse', 100, 500, { width: 220, height: 140, roughness: 2, seed: 2147483000, fill: '#a5d8ff', fillStyle: 'cross-hatch', strokeStyle: 'dashed', strokeWidth: 4 }),
  newElement('line-loop', 'line', 700, 50, { width: 100, height: 100, roughness: 1, seed: 31, fill: '#ffc9c9', fillStyle: 'hachure', points: [[0, 0], [100, 20], [60, 100], [0, 0]] }),
  newElement('arrow-curve', 'arrow', 700, 300, { width: 220, height: 80, roughness: 1, seed: 8, rounded: true, points: [[0, 0], [120, 80], [220, 10]], startArrowhead: 'bar', endArrowhead: 'triangle' }),
  newElement('arrow-dot', 'arrow', 700, 500, { width: 300, height: 40, roughness: 2, seed: 99, points: [[0, 0], [300, 40]], endArrowhead: 'dot', strokeStyle: 'dotted' }),
  newElement('arrow-plain', 'arrow', 0, 700, { width: 150, height: 0, roughness: 1, points: [[0, 0], [150, 0]] }),
];

describe('the hand-drawn layers fixture', () => {
  it('matches fixtures/rough/elements.json', () => {
    const cases = elements.map((element) => ({ element, layers: roughLayers(element) }));
    if (process.env.EASEL_WRITE_ROUGH) writeFileSync(FILE, `${JSON.stringify({ cases }, null, 0).replace(/\{"element"/g, '\n{"element"')}\n`);
    const stored = JSON.parse(readFileSync(FILE, 'utf8')) as { cases: typeof cases };
    expect(JSON.parse(JSON.stringify(cases))).toEqual(stored.cases);
    // Every case draws something; only the roughness-0 one keeps its clean outline.
    for (const c of cases) expect(c.layers.length).toBeGreaterThan(0);
  });
});
