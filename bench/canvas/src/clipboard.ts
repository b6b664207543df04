// The clipboard check's Excalidraw page (driven by ../clipboard.mjs): the real Excalidraw 0.18 on
// React 19, a check of what its scene holds after a real paste of Easel's copy, and a scene made
// with Excalidraw's own `convertToExcalidrawElements` / `restoreElements` for it to copy.
import { convertToExcalidrawElements, Excalidraw, restoreElements } from '@excalidraw/excalidraw';
import '@excalidraw/excalidraw/index.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { STICKY_FILL } from '../../../ui/src/engine/renderer';
import { type Check, Checks, j, near, pngDataUrl, pointsNear, type Sample, type X } from './clipboard-shared';

(window as unknown as { EXCALIDRAW_ASSET_PATH: string }).EXCALIDRAW_ASSET_PATH = '/';

interface API {
  updateScene(s: { elements?: unknown[]; appState?: Record<string, unknown> }): void;
  getSceneElements(): readonly X[];
  getFiles(): Record<string, X>;
  getAppState(): X;
  addFiles(files: X[]): void;
}

let api: API | null = null;
const ready = new Promise<void>((resolve) => {
  createRoot(document.getElementById('root')!).render(
    createElement(Excalidraw, {
      excalidrawAPI: (a: unknown) => {
        api = a as API;
        resolve();
      },
    }),
  );
});

const EXCALIDRAW_TYPE: Record<string, string> = { sticky: 'rectangle' };

/** What Excalidraw's scene holds after the paste, checked against the Easel selection. */
function checkPastedInExcalidraw(sent: Sample): { checks: Check[]; pastedIds: Record<string, string> } {
  const c = new Checks();
  const { elements: easel, png, fileId } = sent;
  const scene = api!.getSceneElements();
  const byId = new Map(scene.map((e) => [e.id as string, e]));
  const labelled = easel.filter((e) => e.text && e.kind !== 'text').length;
  c.eq('element count (shapes + bound labels)', scene.length, easel.length + labelled);
  // The pasted elements keep the order they were sent in; labels follow their container.
  const main = scene.filter((e) => !(e.type === 'text' && e.containerId));
  c.eq('types in order', main.map((e) => e.type), easel.map((e) => EXCALIDRAW_TYPE[e.kind] ?? e.kind));
  const map = new Map<string, X>();
  easel.forEach((e, i) => main[i] && map.set(e.id, main[i]!));
  c.add('every pasted id is new', easel.every((e) => map.get(e.id)?.id !== e.id), main.map((e) => e.id).join(','));
  const p = (id: string) => map.get(id) ?? {};
  const o = easel[0]!;
  const po = p(o.id);
  for (const e of easel) {
    const x = p(e.id);
    const geomOk = near(x.x - po.x, e.x - o.x) && near(x.y - po.y, e.y - o.y) && (e.kind === 'text' || (near(x.width, e.width) && near(x.height, e.height)));
    c.add(`${e.id}: ${x.type} geometry (relative x/y, w/h)`, geomOk, `dx ${x.x - po.x} dy ${x.y - po.y} ${x.width}x${x.height}; sent dx ${e.x - o.x} dy ${e.y - o.y} ${e.width}x${e.height}`);
    // As Easel draws it: a sticky has no border, is always filled (yellow when its fill is
    // transparent), solid and rounded; Excalidraw's roundness type depends on the kind.
    const sticky = e.kind === 'sticky';
    const want = {
      strokeColor: sticky ? 'transparent' : e.stroke,
      backgroundColor: sticky && e.fill === 'transparent' ? STICKY_FILL : e.fill,
      fillStyle: sticky ? 'solid' : e.fillStyle,
      strokeWidth: e.strokeWidth,
      strokeStyle: e.strokeStyle,
      opacity: e.opacity * 100,
      roundness: e.rounded || sticky ? { type: ['line', 'arrow', 'diamond'].includes(e.kind) ? 2 : 3 } : null,
    };
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, x[k]]));
    c.add(`${e.id}: stroke/fill/fillStyle/width/style/opacity/roundness`, j(got) === j(want), `${j(got)}${j(got) === j(want) ? '' : ` want ${j(want)}`}`);
    c.add(`${e.id}: not deleted, angle`, x.isDeleted === false && near(x.angle, e.angle, 1e-9), `${x.isDeleted} ${x.angle}`);
  }
  // Labels: bound text elements pointing at the new container, listed in its boundElements.
  for (const e of easel.filter((e) => e.text && e.kind !== 'text')) {
    const x = p(e.id);
    const label = scene.find((t) => t.type === 'text' && t.containerId === x.id);
    c.add(`${e.id}: label is bound text (containerId = new id) in the element's stroke colour`, !!label && label.text === e.text && label.originalText === e.text && label.strokeColor === e.stroke, label ? `${j(label.text)} ${label.strokeColor} in ${label.containerId}` : 'no bound text');
    c.add(`${e.id}: container lists its label`, !!label && (x.boundElements ?? []).some((b: X) => b.type === 'text' && b.id === label.id), j(x.boundElements));
    if (label) {
      const cx = label.x + label.width / 2;
      const cy = label.y + label.height / 2;
      c.add(`${e.id}: label centred in its container`, near(cx, x.x + x.width / 2, 2) && near(cy, x.y + x.height / 2, 2), `label centre ${cx.toFixed(1)},${cy.toFixed(1)} container centre ${x.x + x.width / 2},${x.y + x.height / 2}`);
    }
  }
  // The arrow: bound at both ends to the new rectangle and ellipse, which list it.
  const arr = p('arr');
  c.eq('arr: startBinding → new rect id', arr.startBinding?.elementId, p('rect').id);
  c.eq('arr: endBinding → new ellipse id', arr.endBinding?.elementId, p('ell').id);
  c.add('arr: rect and ellipse list the arrow in boundElements', ['rect', 'ell'].every((k) => (p(k).boundElements ?? []).some((b: X) => b.type === 'arrow' && b.id === arr.id)), j([p('rect').boundElements, p('ell').boundElements]));
  c.add('arr: points and arrowheads', pointsNear(arr.points, easel.find((e) => e.id === 'arr')!.points!) && arr.endArrowhead === 'arrow' && arr.startArrowhead === null, j([arr.points, arr.startArrowhead, arr.endArrowhead]));
  c.eq('arr2: no arrowhead set in Easel (drawn as "arrow") → endArrowhead "arrow"', [p('arr2').startArrowhead, p('arr2').endArrowhead], [null, 'arrow']);
  c.eq('arr3: start "dot", end "none" → dot / null', [p('arr3').startArrowhead, p('arr3').endArrowhead], ['dot', null]);
  c.add('lin: points', pointsNear(p('lin').points, easel.find((e) => e.id === 'lin')!.points!), j(p('lin').points));
  const pen = easel.find((e) => e.id === 'pen')!;
  c.add('pen: freedraw points', pointsNear(p('pen').points, pen.points!), j(p('pen').points));
  c.add('pen: pressures kept, simulatePressure false', j(p('pen').pressures) === j(pen.pressures) && p('pen').simulatePressure === false, j([p('pen').pressures, p('pen').simulatePressure]));
  const txt = p('txt');
  c.add('txt: two lines, monospace (3), 20 px, free text', txt.text === 'first line\nsecond line' && txt.originalText === txt.text && txt.fontFamily === 3 && txt.fontSize === 20 && txt.containerId === null, j([txt.text, txt.fontFamily, txt.fontSize, txt.containerId]));
  c.add('note: a rectangle marked as an Easel sticky', p('note').type === 'rectangle' && p('note').customData?.easelKind === 'sticky', j(p('note').customData));
  c.add('frm: a frame named "Frame A"', p('frm').type === 'frame' && p('frm').name === 'Frame A', j([p('frm').type, p('frm').name]));
  c.eq('infr: frameId → new frame id', p('infr').frameId, p('frm').id);
  const g1 = p('g1').groupIds;
  const g2 = p('g2').groupIds;
  c.add('group: both share one new group id', Array.isArray(g1) && g1.length === 1 && j(g1) === j(g2) && g1[0] !== 'grp', j([g1, g2]));
  c.add('group: no other element in it', scene.filter((e) => (e.groupIds ?? []).includes(g1?.[0])).length === 2, '');
  const img = p('img');
  const files = api!.getFiles();
  const f = files[img.fileId];
  c.add('img: image element with the fileId', img.type === 'image' && img.fileId === fileId, `${img.fileId}`);
  c.add('img: getFiles() holds the bytes (same data: URL, image/png)', !!f && f.dataURL === png && f.mimeType === 'image/png', f ? `${f.mimeType} ${String(f.dataURL).length} chars` : `files: ${Object.keys(files).join(',') || 'none'}`);
  c.add('img: status saved, scale [1,1]', img.status === 'saved' && j(img.scale) === '[1,1]', j([img.status, img.scale]));
  // Excalidraw selects what it pasted, less bound labels and frame children.
  const want = main.filter((e) => !e.frameId).map((e) => e.id).sort();
  c.eq('pasted elements are selected (not labels, not frame children)', Object.keys(api!.getAppState().selectedElementIds).sort().length, want.length);
  return { checks: c.list, pastedIds: Object.fromEntries([...map].map(([k, v]) => [k, v.id as string])) };
}

/** A scene made by Excalidraw's own code, one of each kind it has; then the caller selects all and copies. */
function makeExcalidrawScene(): { png: string; skeleton: string[]; count: number } {
  const png = pngDataUrl();
  const fileId = 'f'.repeat(40); // Excalidraw's own ids are 40 hex chars (SHA-1).
  api!.addFiles([{ id: fileId, dataURL: png, mimeType: 'image/png', created: 1 }]);
  const skeleton: X[] = [
    { type: 'rectangle', id: 'R', x: 0, y: 0, width: 160, height: 80, backgroundColor: '#a5d8ff', strokeColor: '#1971c2', label: { text: 'Box label' } },
    { type: 'ellipse', id: 'E', x: 300, y: 0, width: 120, height: 80, backgroundColor: '#ffc9c9', strokeStyle: 'dashed' },
    { type: 'diamond', id: 'D', x: 520, y: -10, width: 100, height: 100, backgroundColor: '#b2f2bb', fillStyle: 'hachure', strokeWidth: 1 },
    { type: 'arrow', id: 'A', x: 165, y: 40, width: 130, height: 0, start: { id: 'R' }, end: { id: 'E' }, label: { text: 'yes' } },
    { type: 'arrow', id: 'A2', x: 0, y: 110, width: 140, height: 20, startArrowhead: 'dot', endArrowhead: null, strokeStyle: 'dotted' },
    { type: 'line', id: 'L', x: 0, y: 150, width: 200, height: 40, points: [[0, 0], [100, 40], [200, 0]], strokeWidth: 4, strokeColor: '#2f9e44' },
    { type: 'text', id: 'T', x: 0, y: 260, text: 'first line\nsecond line', fontSize: 20, fontFamily: 3 },
    { type: 'rectangle', id: 'FR', x: 560, y: 260, width: 80, height: 60, backgroundColor: '#d0bfff' },
    { type: 'frame', id: 'F', children: ['FR'], name: 'Frame B' },
    { type: 'rectangle', id: 'G1', x: 0, y: 480, width: 80, height: 50, groupIds: ['grp'] },
    { type: 'ellipse', id: 'G2', x: 120, y: 480, width: 80, height: 50, groupIds: ['grp'] },
    { type: 'image', id: 'I', x: 300, y: 480, width: 60, height: 40, fileId },
  ];
  const elements = [...convertToExcalidrawElements(skeleton as never, { regenerateIds: false })] as X[];
  // A pen stroke with real pressures: skeletons pass freedraw through, so let restore fill it in.
  const pen = restoreElements(
    [{ type: 'freedraw', id: 'P', x: 260, y: 170, width: 74, height: 26, points: [[0, 0], [8, 6], [18, 10], [30, 12], [44, 10], [56, 4], [66, -4], [74, -14]], pressures: [0.1, 0.3, 0.5, 0.7, 0.9, 0.7, 0.5, 0.3], simulatePressure: false, strokeColor: '#e03131' }] as never,
    null,
  ) as X[];
  elements.push(...pen);
  api!.updateScene({ elements });
  return { png, skeleton: [...skeleton.map((k) => k.id as string), 'P'], count: api!.getSceneElements().length };
}

const clip = {
  ready,
  checkPastedInExcalidraw,
  makeExcalidrawScene,
  /** The scene as plain JSON (for the Easel page's checks). */
  scene: () => JSON.parse(j(api!.getSceneElements())) as X[],
  sceneCount: () => api?.getSceneElements().length ?? -1,
  selectedCount: () => Object.keys(api?.getAppState().selectedElementIds ?? {}).length,
};
(window as unknown as { clip: typeof clip }).clip = clip;
