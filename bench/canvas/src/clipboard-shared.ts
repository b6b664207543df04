// What both pages of the clipboard check share (see ../clipboard.mjs): the Easel selection
// that is copied, a small real PNG, and the check list.
import { contentId, dataUrlBytes } from '../../../ui/src/files';
import { type Element, newElement } from '../../../ui/src/model/types';
import { nKeysBetween } from '../../../ui/src/model/zorder';

export type X = Record<string, any>;
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
/** The Easel selection that is copied, and its image's bytes. */
export interface Sample {
  elements: Element[];
  png: string;
  fileId: string;
}

export const near = (a: unknown, b: number, eps = 0.51) => typeof a === 'number' && Math.abs(a - b) <= eps;
export const j = (v: unknown) => JSON.stringify(v);
export const pointsNear = (a: unknown, b: readonly (readonly number[])[], eps = 0.51) =>
  Array.isArray(a) && a.length === b.length && a.every((p, i) => near(p[0], b[i]![0]!, eps) && near(p[1], b[i]![1]!, eps));

export class Checks {
  readonly list: Check[] = [];
  add(name: string, ok: boolean, detail: unknown = '') {
    this.list.push({ name, ok: !!ok, detail: typeof detail === 'string' ? detail : j(detail) });
  }
  /** `got` equals `want` (JSON equality). */
  eq(name: string, got: unknown, want: unknown) {
    this.add(name, j(got) === j(want), `got ${j(got)}${j(got) === j(want) ? '' : `, want ${j(want)}`}`);
  }
}

/** A small real PNG (3×2 px, drawn on a canvas): the image's bytes. */
export function pngDataUrl(): string {
  const c = document.createElement('canvas');
  c.width = 3;
  c.height = 2;
  const g = c.getContext('2d')!;
  g.fillStyle = '#e03131';
  g.fillRect(0, 0, 3, 2);
  g.fillStyle = '#1971c2';
  g.fillRect(1, 0, 1, 2);
  return c.toDataURL('image/png');
}

/** The Easel selection: one of each kind, with a label, bindings, a frame, a group and an image. */
export async function easelSelection(): Promise<Sample> {
  const png = pngDataUrl();
  const fileId = await contentId(dataUrlBytes(png)!);
  const pen: [number, number][] = [[0, 0], [8, 6], [18, 10], [30, 12], [44, 10], [56, 4], [66, -4], [74, -14]];
  const els: Element[] = [
    newElement('rect', 'rectangle', 0, 0, { width: 160, height: 80, stroke: '#1971c2', fill: '#a5d8ff', rounded: true, text: 'Start', textAlign: 'center', verticalAlign: 'middle' }),
    newElement('ell', 'ellipse', 300, 0, { width: 120, height: 80, fill: '#ffc9c9', strokeStyle: 'dashed' }),
    newElement('dia', 'diamond', 520, -10, { width: 100, height: 100, fill: '#b2f2bb', fillStyle: 'hachure', strokeWidth: 1 }),
    newElement('arr', 'arrow', 165, 40, {
      width: 130,
      height: 0,
      points: [[0, 0], [130, 0]],
      start: { element: 'rect', focus: 0, gap: 5 },
      end: { element: 'ell', focus: 0, gap: 5 },
      endArrowhead: 'arrow',
    }),
    newElement('arr2', 'arrow', 0, 110, { width: 140, height: 20, points: [[0, 0], [140, 20]] }),
    newElement('arr3', 'arrow', 0, 420, { width: 140, height: 0, points: [[0, 0], [140, 0]], startArrowhead: 'dot', endArrowhead: 'none', strokeStyle: 'dotted' }),
    newElement('lin', 'line', 0, 150, { width: 200, height: 40, points: [[0, 0], [100, 40], [200, 0]], strokeWidth: 4, stroke: '#2f9e44' }),
    newElement('pen', 'freedraw', 260, 170, { width: 74, height: 26, points: pen, pressures: [0.1, 0.3, 0.5, 0.7, 0.9, 0.7, 0.5, 0.3], stroke: '#e03131' }),
    newElement('txt', 'text', 0, 260, { width: 130, height: 50, text: 'first line\nsecond line', fontSize: 20, fontFamily: 'monospace' }),
    newElement('note', 'sticky', 300, 250, { width: 160, height: 160, fill: 'transparent', text: 'Sticky note', textAlign: 'center', verticalAlign: 'middle' }),
    newElement('frm', 'frame', 520, 200, { width: 240, height: 200, name: 'Frame A' }),
    newElement('infr', 'rectangle', 560, 260, { width: 80, height: 60, frameId: 'frm', fill: '#d0bfff' }),
    newElement('g1', 'rectangle', 0, 480, { width: 80, height: 50, groupIds: ['grp'] }),
    newElement('g2', 'ellipse', 120, 480, { width: 80, height: 50, groupIds: ['grp'] }),
    newElement('img', 'image', 300, 480, { width: 60, height: 40, fileId }),
  ];
  const zs = nKeysBetween(null, null, els.length);
  els.forEach((e, i) => (e.z = zs[i]!));
  return { elements: els, png, fileId };
}

