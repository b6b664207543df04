//! Excalidraw's clipboard format, both ways: what Easel writes on copy (so a paste into Excalidraw
//! works) and what it reads on paste. It mirrors the Rust importer and exporter
//! (crates/easel-formats/src/excalidraw.rs): the same font numbers, the same `customData` keys for
//! what Excalidraw has no field for (sticky notes, authors, font names, binding sides), and a
//! shape's label as a separate bound text element.
//!
//! Checked against the real Excalidraw 0.18 both ways by bench/canvas/clipboard.mjs; what that
//! taught, and where this now differs from the Rust exporter, is about looking the same in both:
//! a sticky is written as Easel draws it (no border, solid fill, sticky yellow when it has none,
//! rounded), roundness takes Excalidraw's type per kind, and arrowheads map Easel's "unset end
//! of an arrow" ('arrow') and 'none' to Excalidraw's 'arrow' and null. Captured payloads are in
//! fixtures/.

import { type Binding, type Element, type ElementKind, newElement, type Point, roughSeed, type Side } from '../model/types';
import { isValidOrderKey } from '../model/zorder';
import { STICKY_FILL } from '../engine/renderer';

/** The `type` of the JSON Excalidraw puts on the clipboard as text/plain. */
export const CLIPBOARD_TYPE = 'excalidraw/clipboard';

/** A file as Excalidraw carries it: keyed by its id, bytes as a data: URL. */
export interface ExcalidrawFile {
  mimeType: string;
  id: string;
  dataURL: string;
  created: number;
}

export interface ExcalidrawClipboard {
  type: typeof CLIPBOARD_TYPE;
  elements: Record<string, unknown>[];
  files: Record<string, ExcalidrawFile>;
}

/** Excalidraw's font numbers and the family names Easel stores for them. */
const FONTS: [number, string][] = [
  [1, 'hand-drawn'],
  [2, 'sans-serif'],
  [3, 'monospace'],
  [4, 'Assistant'],
  [5, 'Excalifont'],
  [6, 'Nunito'],
  [7, 'Lilita One'],
  [8, 'Comic Shanns'],
];

export function fontNumber(family: string): number {
  const f = family.toLowerCase();
  if (['virgil', 'hand-drawn', 'handdrawn'].includes(f)) return 1;
  if (['helvetica', 'sans-serif', 'sans'].includes(f)) return 2;
  if (['cascadia', 'cascadia code', 'monospace', 'code', 'mono'].includes(f)) return 3;
  return FONTS.find(([, name]) => name.toLowerCase() === f)?.[0] ?? 2;
}

export function fontName(n: number): string {
  return FONTS.find(([k]) => k === n)?.[1] ?? 'sans-serif';
}

/** A stable pseudo-random 31-bit number from a string (Excalidraw's `seed` and nonces). */
function hash31(s: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

const opacityPercent = (o: number) => Math.round(o * 1e9) / 1e7;

const bindingValue = (b: Binding | undefined) => (b ? { elementId: b.element, focus: b.focus, gap: b.gap } : null);

const hasPoints = (k: ElementKind) => k === 'line' || k === 'arrow' || k === 'freedraw';

/**
 * Excalidraw's roundness for a rounded element: proportional (2) for lines, arrows and diamonds,
 * adaptive (3) for the rest, as its own tools set it.
 */
const roundness = (k: ElementKind) => ({ type: k === 'line' || k === 'arrow' || k === 'diamond' ? 2 : 3 });

/**
 * An arrowhead as Excalidraw writes it. Easel draws an arrow whose end has no arrowhead set with
 * an 'arrow' head, and none where it is 'none'; Excalidraw's "no head" is null.
 */
function headOut(kind: ElementKind, head: string | undefined, end: 'start' | 'end'): string | null {
  if (head === 'none') return null;
  return head ?? (kind === 'arrow' && end === 'end' ? 'arrow' : null);
}

function common(e: Element, id: string, type: string, index: string | null): Record<string, unknown> {
  return {
    id,
    type,
    x: e.x,
    y: e.y,
    width: e.width,
    height: e.height,
    angle: e.angle,
    strokeColor: e.stroke,
    backgroundColor: e.fill,
    fillStyle: e.fillStyle,
    strokeWidth: e.strokeWidth,
    strokeStyle: e.strokeStyle,
    roughness: e.roughness,
    opacity: opacityPercent(e.opacity),
    groupIds: e.groupIds ?? [],
    frameId: e.frameId ?? null,
    index,
    roundness: e.rounded ? roundness(e.kind) : null,
    seed: roughSeed(e),
    version: 1,
    versionNonce: hash31(id, 2),
    isDeleted: false,
    boundElements: null,
    updated: e.updatedAt,
    link: e.link ?? null,
    locked: e.locked,
  };
}

function elementValue(e: Element): Record<string, unknown> {
  const v = common(e, e.id, e.kind === 'sticky' ? 'rectangle' : e.kind, isValidOrderKey(e.z) ? e.z : null);
  if (e.kind === 'sticky') {
    // As Easel draws a sticky: no border (its stroke colours the label), always a solid fill
    // (the sticky yellow when it has none), rounded corners.
    Object.assign(v, { strokeColor: 'transparent', backgroundColor: e.fill === 'transparent' || !e.fill ? STICKY_FILL : e.fill, fillStyle: 'solid', roundness: roundness('rectangle') });
  }
  const custom: Record<string, unknown> = {};
  if (e.kind === 'sticky') custom.easelKind = 'sticky';
  if (e.author) custom.easelAuthor = e.author;
  if (fontName(fontNumber(e.fontFamily)) !== e.fontFamily) custom.easelFontFamily = e.fontFamily;
  if (e.start?.side) custom.easelStartSide = e.start.side;
  if (e.end?.side) custom.easelEndSide = e.end.side;
  if (Object.keys(custom).length) v.customData = custom;
  const points = () => (e.points ?? []).map(([x, y]) => [x, y]);
  switch (e.kind) {
    case 'text':
      Object.assign(v, {
        text: e.text ?? '',
        originalText: e.text ?? '',
        fontSize: e.fontSize,
        fontFamily: fontNumber(e.fontFamily),
        textAlign: e.textAlign,
        verticalAlign: e.verticalAlign,
        containerId: null,
        autoResize: true,
        lineHeight: 1.25,
      });
      break;
    case 'line':
    case 'arrow':
      Object.assign(v, {
        points: points(),
        lastCommittedPoint: null,
        startBinding: bindingValue(e.start),
        endBinding: bindingValue(e.end),
        startArrowhead: headOut(e.kind, e.startArrowhead, 'start'),
        endArrowhead: headOut(e.kind, e.endArrowhead, 'end'),
      });
      if (e.kind === 'arrow') v.elbowed = !!e.elbowed;
      else v.polygon = false;
      break;
    case 'freedraw':
      Object.assign(v, {
        points: points(),
        pressures: e.pressures ?? [],
        simulatePressure: !e.pressures?.length,
        lastCommittedPoint: null,
      });
      break;
    case 'image':
      Object.assign(v, { fileId: e.fileId ?? null, status: 'saved', scale: [1, 1], crop: null });
      break;
    case 'frame':
      v.name = e.name ?? null;
      break;
  }
  return v;
}

/** The separate text element Excalidraw uses for a shape's or arrow's label. */
function labelValue(e: Element, id: string): Record<string, unknown> {
  const text = e.text ?? '';
  const lines = Math.max(1, text.split('\n').length);
  const h = e.fontSize * 1.25 * lines;
  const pts = e.points ?? [];
  const linear = hasPoints(e.kind);
  const mid = pts[Math.floor(pts.length / 2)];
  const [cx, cy] = linear && mid ? [e.x + mid[0], e.y + mid[1]] : [e.x + e.width / 2, e.y + e.height / 2];
  const w = linear ? Math.max(10, [...text].length * e.fontSize * 0.6) : Math.max(10, e.width - 10);
  const y = !linear && e.verticalAlign === 'top' ? e.y + 5 : !linear && e.verticalAlign === 'bottom' ? e.y + e.height - 5 - h : cy - h / 2;
  const base: Element = { ...e, x: cx - w / 2, y, width: w, height: h, fill: 'transparent', fillStyle: 'solid', strokeWidth: 1, strokeStyle: 'solid', roughness: 0, rounded: false };
  delete base.link;
  return {
    ...common(base, id, 'text', null),
    text,
    originalText: text,
    fontSize: e.fontSize,
    fontFamily: fontNumber(e.fontFamily),
    textAlign: e.textAlign,
    verticalAlign: e.verticalAlign,
    containerId: e.id,
    autoResize: true,
    lineHeight: 1.25,
  };
}

/**
 * Easel elements (in drawing order) as Excalidraw's clipboard JSON. `files` gives the bytes of
 * the images they reference, as data: URLs; images whose file is unknown are left out.
 */
export function toExcalidrawClipboard(elements: readonly Element[], files: (fileId: string) => { mime: string; dataURL: string } | undefined): ExcalidrawClipboard {
  const taken = new Set(elements.map((e) => e.id));
  const boundArrows = new Map<string, string[]>();
  for (const e of elements) {
    for (const b of [e.start, e.end]) {
      if (!b) continue;
      const list = boundArrows.get(b.element) ?? [];
      if (!list.includes(e.id)) list.push(e.id);
      boundArrows.set(b.element, list);
    }
  }
  const out: Record<string, unknown>[] = [];
  const outFiles: Record<string, ExcalidrawFile> = {};
  for (const e of elements) {
    if (e.kind === 'image') {
      const f = e.fileId ? files(e.fileId) : undefined;
      if (!f) continue;
      outFiles[e.fileId!] = { mimeType: f.mime, id: e.fileId!, dataURL: f.dataURL, created: 0 };
    }
    let labelId: string | null = null;
    if (e.text && e.kind !== 'text') {
      labelId = `${e.id}-label`;
      while (taken.has(labelId)) labelId += 'x';
      taken.add(labelId);
    }
    const bound: { type: string; id: string }[] = [];
    if (labelId) bound.push({ type: 'text', id: labelId });
    for (const a of boundArrows.get(e.id) ?? []) bound.push({ type: 'arrow', id: a });
    const v = elementValue(e);
    v.boundElements = bound.length ? bound : null;
    out.push(v);
    if (labelId) out.push(labelValue(e, labelId));
  }
  return { type: CLIPBOARD_TYPE, elements: out, files: outFiles };
}

// --- Reading ---------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (o: Obj, k: string, d: number): number => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : d);
const str = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

function kindOf(o: Obj): ElementKind | null {
  const sticky = isObj(o.customData) && o.customData.easelKind === 'sticky';
  switch (o.type) {
    case 'rectangle':
      return sticky ? 'sticky' : 'rectangle';
    case 'embeddable':
    case 'iframe':
      return 'rectangle';
    case 'ellipse':
    case 'diamond':
    case 'line':
    case 'arrow':
    case 'text':
    case 'image':
    case 'frame':
      return o.type;
    case 'freedraw':
    case 'draw':
      return 'freedraw';
    case 'magicframe':
      return 'frame';
    default:
      return null;
  }
}

function readPoints(v: unknown): Point[] {
  if (!Array.isArray(v)) return [];
  return v.filter((p): p is [number, number] => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])).map(([x, y]) => [x, y]);
}

function readBinding(v: unknown, side: unknown): Binding | undefined {
  if (!isObj(v) || typeof v.elementId !== 'string') return undefined;
  const b: Binding = { element: v.elementId, focus: num(v, 'focus', 0), gap: num(v, 'gap', 0) };
  if (side === 'top' || side === 'right' || side === 'bottom' || side === 'left') b.side = side as Side;
  return b;
}

function readFont(o: Obj, e: Element): void {
  e.fontSize = num(o, 'fontSize', e.fontSize);
  if (typeof o.fontFamily === 'number') e.fontFamily = fontName(o.fontFamily);
  else if (typeof o.fontFamily === 'string') e.fontFamily = o.fontFamily;
  const ta = str(o, 'textAlign');
  if (ta === 'left' || ta === 'center' || ta === 'right') e.textAlign = ta;
  const va = str(o, 'verticalAlign');
  if (va === 'top' || va === 'middle' || va === 'bottom') e.verticalAlign = va;
}

function convertOne(o: Obj, kind: ElementKind, id: string): Element {
  const e = newElement(id, kind, num(o, 'x', 0), num(o, 'y', 0));
  e.width = num(o, 'width', 0);
  e.height = num(o, 'height', 0);
  e.angle = num(o, 'angle', 0);
  e.stroke = str(o, 'strokeColor') ?? e.stroke;
  e.fill = str(o, 'backgroundColor') ?? e.fill;
  const fs = str(o, 'fillStyle');
  if (fs === 'solid' || fs === 'hachure' || fs === 'cross-hatch' || fs === 'zigzag') e.fillStyle = fs;
  e.strokeWidth = num(o, 'strokeWidth', e.strokeWidth);
  const ss = str(o, 'strokeStyle');
  if (ss === 'solid' || ss === 'dashed' || ss === 'dotted') e.strokeStyle = ss;
  e.roughness = num(o, 'roughness', 0);
  // Excalidraw's seed draws the same wobble here (engine/rough.ts); one the id gives anyway is
  // not stored, and none keeps the id's.
  const seed = num(o, 'seed', 0);
  if (Number.isInteger(seed) && seed >= 1 && seed <= 0xffffffff && seed !== roughSeed(e)) e.seed = seed;
  e.opacity = Math.min(1, Math.max(0, num(o, 'opacity', 100) / 100));
  e.rounded = 'roundness' in o ? o.roundness != null : o.strokeSharpness === 'round' && kind !== 'text';
  e.z = str(o, 'index') ?? '';
  const groups = Array.isArray(o.groupIds) ? o.groupIds.filter((g): g is string => typeof g === 'string') : [];
  if (groups.length) e.groupIds = groups;
  const frame = str(o, 'frameId');
  if (frame) e.frameId = frame;
  e.locked = o.locked === true;
  const link = str(o, 'link');
  if (link) e.link = link;
  e.updatedAt = num(o, 'updated', 0);
  const custom = isObj(o.customData) ? o.customData : {};
  if (typeof custom.easelAuthor === 'string') e.author = custom.easelAuthor;
  switch (kind) {
    case 'text':
      e.text = str(o, 'originalText') || str(o, 'text') || '';
      readFont(o, e);
      break;
    case 'line':
    case 'arrow': {
      e.points = readPoints(o.points);
      const s = readBinding(o.startBinding, custom.easelStartSide);
      const en = readBinding(o.endBinding, custom.easelEndSide);
      if (s) e.start = s;
      if (en) e.end = en;
      const sa = str(o, 'startArrowhead');
      const ea = str(o, 'endArrowhead');
      if (sa) e.startArrowhead = sa;
      if (ea) e.endArrowhead = ea;
      // Excalidraw's null end is "no head"; Easel would draw an arrow's missing end as 'arrow'.
      // (An absent key is Excalidraw's default, 'arrow', as its restore reads it.)
      else if (kind === 'arrow' && 'endArrowhead' in o && o.endArrowhead === null) e.endArrowhead = 'none';
      if (kind === 'arrow' && o.elbowed === true) e.elbowed = true;
      break;
    }
    case 'freedraw': {
      e.points = readPoints(o.points);
      const pressures = Array.isArray(o.pressures) ? o.pressures.filter((p): p is number => typeof p === 'number') : [];
      // Excalidraw leaves `pressures` empty or short when it simulates pressure.
      if (pressures.length === e.points.length && pressures.length && o.simulatePressure !== true) e.pressures = pressures;
      break;
    }
    case 'image': {
      const f = str(o, 'fileId');
      if (f) e.fileId = f;
      break;
    }
    case 'frame': {
      const name = str(o, 'name');
      if (name) e.name = name;
      break;
    }
  }
  if (typeof custom.easelFontFamily === 'string') e.fontFamily = custom.easelFontFamily;
  return e;
}

/** What Excalidraw accepts as elements on paste (its API's and older versions' types too), and a whole file. */
const READ_TYPES = [CLIPBOARD_TYPE, 'excalidraw-api/clipboard', 'excalidraw/elements', 'excalidraw'];

/**
 * Reads Excalidraw elements (clipboard or `.excalidraw` JSON) into Easel elements, in the given
 * order. Ids are kept (the paste step gives new ones); a text bound to a live container becomes
 * the container's text; deleted and unknown elements are skipped; images keep Excalidraw's file
 * key as `fileId`, and `files` maps that key to its bytes. Returns null for anything else.
 */
export function fromExcalidraw(value: unknown): { elements: Element[]; files: Record<string, { mime: string; dataURL: string }> } | null {
  if (!isObj(value) || !READ_TYPES.includes(value.type as string) || !Array.isArray(value.elements)) return null;
  const live: [Obj, ElementKind][] = [];
  for (const v of value.elements) {
    if (!isObj(v) || v.isDeleted === true || typeof v.id !== 'string') continue;
    const kind = kindOf(v);
    if (kind) live.push([v, kind]);
  }
  const liveIds = new Set(live.map(([o]) => o.id as string));
  const labels = new Map<string, Obj>();
  for (const [o, kind] of live) {
    const c = str(o, 'containerId');
    if (kind === 'text' && c && liveIds.has(c) && !labels.has(c)) labels.set(c, o);
  }
  const labelObjs = new Set(labels.values());
  const files: Record<string, { mime: string; dataURL: string }> = {};
  if (isObj(value.files)) {
    for (const [key, f] of Object.entries(value.files)) {
      if (!isObj(f) || typeof f.dataURL !== 'string' || !f.dataURL.startsWith('data:')) continue;
      const mime = str(f, 'mimeType') ?? f.dataURL.slice(5).split(/[;,]/)[0]!;
      if (mime.startsWith('image/')) files[key] = { mime, dataURL: f.dataURL };
    }
  }
  const elements: Element[] = [];
  for (const [o, kind] of live) {
    if (labelObjs.has(o)) continue;
    if (kind === 'image' && !(typeof o.fileId === 'string' && files[o.fileId])) continue;
    const e = convertOne(o, kind, o.id as string);
    const label = labels.get(e.id);
    if (label) {
      e.text = str(label, 'originalText') || str(label, 'text') || '';
      readFont(label, e);
    }
    // A sticky is written without a border: its colour is the label's.
    if (e.kind === 'sticky' && e.stroke === 'transparent') e.stroke = (label && str(label, 'strokeColor')) || newElement('', 'sticky', 0, 0).stroke;
    elements.push(e);
  }
  return { elements, files };
}
