// The clipboard check's Easel page (driven by ../clipboard.mjs): Easel's editor with no canvas,
// and its real clipboard wiring (ui/src/panels/clipboard.ts: copy and paste events on window),
// so Ctrl+C and Ctrl+V here go through the same code as in the app.
import { fontName, fromExcalidraw } from '../../../ui/src/clipboard/excalidraw';
import { Editor } from '../../../ui/src/editor';
import { MemoryCommands } from '../../../ui/src/engine/commands';
import { STICKY_FILL } from '../../../ui/src/engine/renderer';
import { Store } from '../../../ui/src/engine/store';
import { contentId, dataUrlBytes, FileStore } from '../../../ui/src/files';
import type { Element } from '../../../ui/src/model/types';
import { installClipboard } from '../../../ui/src/panels/clipboard';
import { type Check, Checks, easelSelection, j, near, pointsNear, type Sample, type X } from './clipboard-shared';

const store = new Store();
const commands = new MemoryCommands(store, 'me');
const files = new FileStore();
const measure = document.createElement('canvas').getContext('2d')!;
const editor = new Editor({
  store,
  commands,
  measureText(text, fontSize, fontFamily) {
    measure.font = `${fontSize}px ${fontFamily}`;
    const lines = text.split('\n');
    return { width: Math.max(1, ...lines.map((l) => measure.measureText(l).width)), height: lines.length * fontSize * 1.25 };
  },
});
const errors: string[] = [];
installClipboard(editor, files, { pointer: () => null, ignore: () => false, onError: (m) => errors.push(m) });

/** The board's top z key before a paste, and the undo steps so far. */
let zBefore = '';
let gesturesBefore = 0;

/** Puts the Easel selection on the board (its ids kept) and selects it, ready for Ctrl+C. */
async function loadSample(): Promise<Sample> {
  const sample = await easelSelection();
  const id = await files.add('image/png', dataUrlBytes(sample.png)!);
  if (id !== sample.fileId) throw new Error(`file id ${id} != ${sample.fileId}`);
  commands.beginGesture();
  commands.dispatch({ type: 'add', elements: sample.elements });
  commands.endGesture();
  editor.setSelection(sample.elements.map((e) => e.id));
  return sample;
}

/** Call before Ctrl+V. */
function beforePaste(): number {
  zBefore = store.sorted().at(-1)?.z ?? '';
  gesturesBefore = commands.gestures.ended;
  return store.sorted().length;
}

/** What the last paste added, in drawing order (= the clipboard's order). */
function pastedCopies(): Element[] {
  return store.sorted().filter((e) => e.z > zBefore);
}

/** Ids of the elements Easel reads from a clipboard text, in order (labels folded in, images with bytes). */
function readOrder(text: string): string[] {
  return fromExcalidraw(JSON.parse(text))?.elements.map((e) => e.id) ?? [];
}

/**
 * Excalidraw's copy of what it pasted, pasted back into Easel: the same Easel elements come back
 * (kinds, text, sticky, bindings and frame to the copies, pressures, file), with new ids.
 */
function checkRoundTrip(sample: Sample, pastedIds: Record<string, string>, text: string): Check[] {
  const c = new Checks();
  const { elements: easel, png, fileId } = sample;
  const back = pastedCopies();
  // Matched by the ids Excalidraw gave its paste, through the clipboard's order (which Easel's
  // paste keeps; Excalidraw's copy lists frame children before their frame).
  const order = readOrder(text);
  c.add('round trip: the paste went above the board', back.every((b) => b.z > zBefore), `${back[0]?.z} > ${zBefore}`);
  const at = (id: string) => back[order.indexOf(pastedIds[id]!)];
  c.add('round trip: every element comes back once', back.length === easel.length && easel.every((e) => at(e.id)) && order.length === back.length, `${back.length} of ${easel.length}`);
  if (!easel.every((e) => at(e.id))) return c.list;
  c.eq('round trip: kinds', easel.map((e) => at(e.id)!.kind), easel.map((e) => e.kind));
  c.eq('round trip: texts', easel.map((e) => at(e.id)!.text ?? null), easel.map((e) => e.text ?? null));
  c.add('round trip: arrow bound to the rect and ellipse copies', at('arr')!.start?.element === at('rect')!.id && at('arr')!.end?.element === at('ell')!.id, j([at('arr')!.start, at('arr')!.end]));
  c.eq('round trip: arrowheads', easel.filter((e) => e.kind === 'arrow').map((e) => [at(e.id)!.startArrowhead ?? null, at(e.id)!.endArrowhead ?? null]), easel.filter((e) => e.kind === 'arrow').map((e) => [e.startArrowhead ?? null, e.endArrowhead ?? 'arrow']));
  c.eq('round trip: frame membership', at('infr')!.frameId, at('frm')!.id);
  c.add('round trip: group', j(at('g1')!.groupIds) === j(at('g2')!.groupIds) && at('g1')!.groupIds?.length === 1, j([at('g1')!.groupIds, at('g2')!.groupIds]));
  c.eq('round trip: pressures', at('pen')!.pressures, easel.find((e) => e.id === 'pen')!.pressures);
  c.add('round trip: image bytes (same content id)', at('img')!.fileId === fileId && files.get(fileId)?.dataURL === png, `${at('img')!.fileId}`);
  const o = at(easel[0]!.id)!;
  const moved = easel.filter((e) => {
    const b = at(e.id)!;
    return !near(b.x - o.x, e.x - easel[0]!.x) || !near(b.y - o.y, e.y - easel[0]!.y) || (e.kind !== 'text' && !(near(b.width, e.width) && near(b.height, e.height)));
  });
  c.add('round trip: relative positions and sizes', moved.length === 0, moved.map((e) => e.id).join(','));
  // What Easel draws: a sticky's transparent fill is drawn as the sticky yellow; a sticky is
  // always drawn rounded.
  const drawnFill = (e: Element) => (e.kind === 'sticky' && e.fill === 'transparent' ? STICKY_FILL : e.fill);
  const restyled = easel.filter((e) => {
    const b = at(e.id)!;
    return b.stroke !== e.stroke || drawnFill(b) !== drawnFill(e) || b.fillStyle !== e.fillStyle || b.strokeWidth !== e.strokeWidth || b.strokeStyle !== e.strokeStyle || !near(b.opacity, e.opacity, 1e-9) || (b.rounded !== e.rounded && e.kind !== 'sticky') || b.fontFamily !== e.fontFamily || b.fontSize !== e.fontSize;
  });
  c.add('round trip: style fields (as drawn)', restyled.length === 0, restyled.map((e) => `${e.id}: ${j(at(e.id))}`).join(' '));
  return c.list;
}

/** Easel's paste (Ctrl+V) of Excalidraw's own copy (Ctrl+C), checked against Excalidraw's scene. */
async function checkEaselPaste(made: { png: string; skeleton: string[]; scene: X[] }, text: string): Promise<Check[]> {
  const c = new Checks();
  const { png, scene } = made;
  let parsed: X = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    /* checked below */
  }
  c.add('clipboard holds excalidraw/clipboard JSON', parsed.type === 'excalidraw/clipboard', `type ${parsed.type}, ${parsed.elements?.length} elements, files ${Object.keys(parsed.files ?? {}).length}`);
  c.eq('it holds the whole scene', (parsed.elements ?? []).map((e: X) => e.id).sort(), scene.map((e) => e.id).sort());
  const els = pastedCopies();
  const x = (id: string) => scene.find((e) => e.id === id)!;
  // Excalidraw element id → its Easel copy (the paste keeps the clipboard's order; labels are
  // folded into their containers).
  const order = readOrder(text);
  const e = (id: string) => els[order.indexOf(id)];
  const shapes = scene.filter((s) => !(s.type === 'text' && s.containerId));
  const drawn = shapes.filter((s) => !made.skeleton.includes(s.id));
  c.eq('elements read (labels folded into their containers)', els.length, shapes.length);
  c.eq('kinds', shapes.map((s) => e(s.id)?.kind ?? null), shapes.map((s) => s.type));
  c.eq('drawn by hand: rectangle, ellipse, arrow, freedraw, text', drawn.map((s) => s.type), ['rectangle', 'ellipse', 'arrow', 'freedraw', 'text']);
  const o = x('R');
  const eo = e('R')!;
  const label = (cid: string) => scene.find((t) => t.type === 'text' && t.containerId === cid);
  for (const s of shapes) {
    const d = e(s.id);
    const name = s.id.length > 3 ? `drawn ${s.type}` : s.id;
    if (!d) continue;
    const geomOk = near(d.x - eo.x, s.x - o.x) && near(d.y - eo.y, s.y - o.y) && near(d.width, s.width) && near(d.height, s.height) && near(d.angle, s.angle, 1e-9);
    c.add(`${name}: ${d.kind} geometry (relative x/y, w/h, angle)`, geomOk, `dx ${d.x - eo.x} dy ${d.y - eo.y} ${d.width}x${d.height}; Excalidraw dx ${s.x - o.x} dy ${s.y - o.y} ${s.width}x${s.height}`);
    const styleOk = d.stroke === s.strokeColor && d.fill === s.backgroundColor && d.fillStyle === s.fillStyle && d.strokeWidth === s.strokeWidth && d.strokeStyle === s.strokeStyle && near(d.opacity * 100, s.opacity, 1e-9) && d.roughness === s.roughness && d.rounded === (s.roundness != null);
    c.add(`${name}: stroke/fill/style/opacity/roughness/roundness`, styleOk, `${d.stroke} ${d.fill} ${d.fillStyle} ${d.strokeWidth} ${d.strokeStyle} ${d.opacity} r${d.roughness} ${d.rounded}; roundness ${j(s.roundness)}`);
    const t = s.type === 'text' ? s : label(s.id);
    if (t) {
      const ok = d.text === t.originalText && d.fontSize === t.fontSize && d.fontFamily === fontName(t.fontFamily) && d.textAlign === t.textAlign && (s.type === 'text' || d.verticalAlign === t.verticalAlign);
      c.add(`${name}: text, font, size, alignment`, ok, j([d.text, d.fontSize, d.fontFamily, d.textAlign, d.verticalAlign]));
    }
    if (s.type === 'arrow' || s.type === 'line') {
      c.add(`${name}: points`, pointsNear(d.points, s.points), j(d.points));
      // What Easel will draw: no head is 'none' on an arrow (an absent one is drawn as 'arrow').
      const head = (h: unknown) => (h == null ? (s.type === 'arrow' ? 'none' : undefined) : h);
      c.eq(`${name}: arrowheads`, [d.startArrowhead ?? null, d.endArrowhead ?? null], [s.startArrowhead ? s.startArrowhead : null, head(s.endArrowhead) ?? null]);
      for (const end of ['start', 'end'] as const) {
        const b = s[`${end}Binding`];
        const got = d[end];
        c.add(`${name}: ${end} binding`, b ? got?.element === e(b.elementId)?.id && near(got?.focus, b.focus, 1e-9) && near(got?.gap, b.gap, 1e-9) : !got, `${j(got)} for ${j(b)}`);
      }
    }
    if (s.type === 'freedraw') {
      c.add(`${name}: points`, pointsNear(d.points, s.points), `${d.points?.length} points`);
      c.eq(`${name}: pressures (none when Excalidraw simulates them)`, d.pressures ?? null, s.simulatePressure ? null : s.pressures);
    }
  }
  const hand = drawn.find((s) => s.type === 'arrow');
  c.add('drawn arrow: Excalidraw bound it to the drawn rectangle and ellipse', !!hand && hand.startBinding?.elementId === drawn[0]?.id && hand.endBinding?.elementId === drawn[1]?.id, j([hand?.startBinding, hand?.endBinding]));
  c.eq('drawn text: typed lines', e(drawn.find((s) => s.type === 'text')?.id ?? '')?.text, 'typed\nby hand');
  c.add('A: arrow label', e('A')?.text === 'yes', j(e('A')?.text));
  c.add('F: frame with its name', e('F')?.name === 'Frame B', j(e('F')?.name));
  c.eq('FR: frameId → the frame copy', e('FR')?.frameId, e('F')?.id);
  c.add('G1/G2: one new shared group', !!e('G1')?.groupIds?.length && j(e('G1')?.groupIds) === j(e('G2')?.groupIds) && e('G1')!.groupIds![0] !== 'grp', j([e('G1')?.groupIds, e('G2')?.groupIds]));
  const img = e('I');
  const stored = img?.fileId ? files.get(img.fileId) : undefined;
  c.add('I: image stored under the SHA-256 of its bytes', !!img?.fileId && img.fileId === (await contentId(dataUrlBytes(png)!)) && stored?.dataURL === png && stored.mime === 'image/png', `${img?.fileId} ${stored?.mime}`);
  c.add('copies have new ids, z keys in order', els.every((c2) => !scene.some((s) => s.id === c2.id)) && els.every((c2, i) => i === 0 || c2.z > els[i - 1]!.z), els.map((c2) => c2.z).join(' '));
  c.add('the copies are selected, the paste is one undo step', editor.selectedElements().length === els.length && commands.gestures.ended === gesturesBefore + 1, `${editor.selectedElements().length} selected, ${commands.gestures.ended - gesturesBefore} gestures`);
  return c.list;
}

const easel = { loadSample, beforePaste, checkRoundTrip, checkEaselPaste, count: () => store.sorted().length, errors: () => errors };
(window as unknown as { easel: typeof easel }).easel = easel;
