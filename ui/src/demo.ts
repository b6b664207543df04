import { FollowBar } from './panels/follow';
import { collaboratorsFrom, showCollaborators } from './collab/presence';
import type { Editor } from './editor';
import { type Element, newElement, type Point } from './model/types';
import { nKeysBetween } from './model/zorder';

/** A small sample board (open the page with `#demo`), for trying the canvas by hand. */
export function seedDemo(editor: Editor): void {
  const z = nKeysBetween(null, null, 10);
  const wave: Point[] = Array.from({ length: 40 }, (_, i) => [i * 6, Math.sin(i / 4) * 20]);
  const els: Element[] = [
    newElement('demo-frame', 'frame', 60, 60, { width: 760, height: 420, z: z[0]!, name: 'Sketch', strokeWidth: 1 }),
    newElement('demo-rect', 'rectangle', 100, 120, { width: 180, height: 100, z: z[1]!, fill: '#a5d8ff', rounded: true, text: 'Rectangle' }),
    newElement('demo-ellipse', 'ellipse', 420, 110, { width: 160, height: 120, z: z[2]!, fill: '#ffc9c9', fillStyle: 'hachure' }),
    newElement('demo-diamond', 'diamond', 640, 120, { width: 140, height: 120, z: z[3]!, strokeStyle: 'dashed', angle: 0.2 }),
    newElement('demo-arrow', 'arrow', 284, 170, {
      points: [[0, 0], [132, 0]],
      z: z[4]!,
      endArrowhead: 'arrow',
      start: { element: 'demo-rect', focus: 0, gap: 4 },
      end: { element: 'demo-ellipse', focus: 0, gap: 4 },
    }),
    newElement('demo-pen', 'freedraw', 110, 330, { points: wave, z: z[5]!, stroke: '#1971c2', strokeWidth: 3 }),
    newElement('demo-text', 'text', 330, 430, { width: 260, height: 25, z: z[6]!, text: 'Double-click to edit text' }),
    newElement('demo-sticky', 'sticky', 600, 300, { width: 160, height: 160, z: z[7]!, fill: '#fff3a0', text: 'Sticky note', verticalAlign: 'middle', textAlign: 'center' }),
  ];
  editor.commands.dispatch({ type: 'add', elements: els });
  editor.setSelection(['demo-ellipse']);
  editor.zoomToFit();
}

/**
 * Sharp and round edges side by side (open the page with `#demo-edges`): top row sharp, bottom
 * row round: an arrow through four points, a closed filled line, a diamond, a rectangle. The
 * Rust SVG/PNG export test `curves_render` (crates/easel-formats/tests/render.rs) draws the same
 * board, to compare the two by eye.
 */
export function seedEdgesDemo(editor: Editor): void {
  const z = nKeysBetween(null, null, 8);
  const els: Element[] = [false, true].flatMap((rounded, row) => {
    const y = row * 220;
    const k = row * 4;
    return [
      newElement(`edges-arrow-${row}`, 'arrow', 40, 80 + y, { points: [[0, 0], [80, -60], [160, 40], [240, 0]], z: z[k]!, rounded, endArrowhead: 'arrow', strokeWidth: 2 }),
      newElement(`edges-loop-${row}`, 'line', 340, 20 + y, { points: [[0, 0], [120, 10], [140, 90], [40, 130], [-20, 60], [0, 0]], z: z[k + 1]!, rounded, fill: '#ffc9c9', stroke: '#e03131' }),
      newElement(`edges-diamond-${row}`, 'diamond', 540, 10 + y, { width: 140, height: 140, z: z[k + 2]!, rounded, fill: '#a5d8ff', stroke: '#1971c2' }),
      newElement(`edges-rect-${row}`, 'rectangle', 720, 20 + y, { width: 140, height: 110, z: z[k + 3]!, rounded, fill: '#b2f2bb', stroke: '#2f9e44' }),
    ];
  });
  editor.commands.dispatch({ type: 'add', elements: els });
  editor.zoomToFit();
}

/**
 * The sample board with two made-up collaborators (open the page with `#demo-collab`): Ann, whose
 * view we follow, selected the diamond and points at it; Bo selected three shapes and has no
 * pointer, and follows us. Their states go through the same parsing as real peers' awareness.
 */
export function seedCollabDemo(editor: Editor): void {
  seedDemo(editor);
  const bar = document.createElement('div');
  bar.id = 'collab-bar';
  document.body.append(bar);
  const follow = new FollowBar(editor.viewport, () => 'demo-me');
  bar.append(follow.root);
  const peers = collaboratorsFrom([
    [11, JSON.stringify({ name: 'Ann Lee', color: '#e03131', pointer: { x: 760, y: 200 }, selection: ['demo-diamond'], view: { cx: 440, cy: 280, zoom: 1.1, w: 1280, h: 800 } })],
    [12, JSON.stringify({ name: 'Bo', color: '#2f9e44', pointer: null, selection: ['demo-rect', 'demo-arrow', 'demo-ellipse', 'deleted-long-ago'], view: { cx: 0, cy: 0, zoom: 1, w: 900, h: 700 }, following: 'demo-me' })],
    [13, JSON.stringify({ name: 'Cy', color: '#1971c2', pointer: { x: 300, y: 420 } })],
  ]);
  showCollaborators(editor, peers);
  follow.set(peers);
  follow.follower.start(peers[0]!);
}
