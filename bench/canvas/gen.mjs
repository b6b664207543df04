// The seeded board generator: one pass produces the same geometry twice, as Easel elements
// (ui/src/model/types.ts, the core's serde shape) and as Excalidraw 0.18 element JSON.
//
// The world is sized so that ~1.5% of the elements intersect a 1280x720 view at zoom 1, whatever
// N is: the board's area stays fixed and its density grows with N.

/** mulberry32: small, fast, good enough for layout. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const VIEW_W = 1280;
export const VIEW_H = 720;
/** Share of elements meant to intersect the view at zoom 1. */
export const VISIBLE_SHARE = 0.015;
/** Mean element extent used to size the world (bounds overlap the view edges too). */
const MEAN_EXTENT = 110;
const AREA = ((VIEW_W + MEAN_EXTENT) * (VIEW_H + MEAN_EXTENT)) / VISIBLE_SHARE;
export const WORLD_W = Math.round(Math.sqrt((AREA * 16) / 9));
export const WORLD_H = Math.round(AREA / WORLD_W);

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The i-th of a run of ascending fractional-index keys (integer parts only: a0.., b00.., c000..). */
export function orderKey(i) {
  const heads = ['a', 'b', 'c', 'd'];
  let span = 62;
  for (let len = 1; len <= 4; len++, span *= 62) {
    if (i < span) {
      let s = '';
      for (let k = 0, v = i; k < len; k++, v = Math.floor(v / 62)) s = DIGITS[v % 62] + s;
      return heads[len - 1] + s;
    }
    i -= span;
  }
  throw new Error('too many keys');
}

const STROKES = ['#1e1e1e', '#e03131', '#2f9e44', '#1971c2', '#f08c00', '#6741d9'];
const FILLS = ['#ffc9c9', '#b2f2bb', '#a5d8ff', '#ffec99', '#d0bfff', '#ffd8a8'];
const WORDS = ['idea', 'todo', 'API', 'sync', 'draft', 'ship it', 'why?', 'v2', 'owner', 'plan', 'risk', 'done'];
/** Kind and its share of the board. */
const MIX = [
  ['rectangle', 0.2],
  ['ellipse', 0.14],
  ['diamond', 0.1],
  ['arrow', 0.14],
  ['line', 0.1],
  ['text', 0.16],
  ['freedraw', 0.16],
];
/** Width of a sans-serif character as a share of the font size (no DOM to measure in node). */
const CHAR_W = 0.55;

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}

function kindOf(r) {
  let u = r();
  for (const [k, share] of MIX) {
    if ((u -= share) < 0) return k;
  }
  return 'rectangle';
}

/** Points relative to (0, 0) with their box. */
function pointsBox(pts) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of pts) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { width: maxX - minX, height: maxY - minY };
}

/**
 * The board as neutral records: kind, geometry and style, in drawing order. Both element shapes
 * are made from these, so they cannot drift apart.
 */
export function generate(n, seed = 1) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = kindOf(r);
    const x = Math.round(r() * WORLD_W);
    const y = Math.round(r() * WORLD_H);
    const stroke = pick(r, STROKES);
    const fill = r() < 0.5 ? pick(r, FILLS) : 'transparent';
    const strokeWidth = r() < 0.7 ? 2 : 1;
    const rec = { i, kind, x, y, stroke, fill, strokeWidth, width: 0, height: 0 };
    switch (kind) {
      case 'rectangle':
      case 'ellipse':
      case 'diamond':
        rec.width = Math.round(40 + r() * 160);
        rec.height = Math.round(30 + r() * 120);
        break;
      case 'arrow':
      case 'line': {
        const pts = [[0, 0]];
        const segs = r() < 0.7 ? 1 : 2;
        let px = 0;
        let py = 0;
        for (let s = 0; s < segs; s++) {
          px += Math.round((r() - 0.3) * 200);
          py += Math.round((r() - 0.5) * 160);
          pts.push([px, py]);
        }
        rec.points = pts;
        Object.assign(rec, pointsBox(pts));
        break;
      }
      case 'text': {
        rec.text = `${pick(r, WORDS)} ${i % 1000}`;
        rec.fontSize = r() < 0.5 ? 16 : 20;
        rec.width = Math.round(rec.text.length * rec.fontSize * CHAR_W);
        rec.height = rec.fontSize * 1.25;
        rec.fill = 'transparent';
        break;
      }
      case 'freedraw': {
        // A ~30-point wandering pen stroke, about 100 units across.
        const pts = [[0, 0]];
        let px = 0;
        let py = 0;
        let dir = r() * Math.PI * 2;
        const count = 26 + Math.floor(r() * 9);
        for (let k = 1; k < count; k++) {
          dir += (r() - 0.5) * 0.9;
          px += Math.cos(dir) * 4.5;
          py += Math.sin(dir) * 4.5;
          pts.push([Math.round(px * 10) / 10, Math.round(py * 10) / 10]);
        }
        rec.points = pts;
        rec.fill = 'transparent';
        Object.assign(rec, pointsBox(pts));
        break;
      }
    }
    out.push(rec);
  }
  return out;
}

/**
 * Roughness of every shape, line and arrow (BENCH_ROUGHNESS, default 0: both renderers then draw
 * clean geometry; 1 or 2 draws them hand-drawn, Easel with rough.js as Excalidraw, same seeds).
 */
export const ROUGHNESS = Number(globalThis.process?.env?.BENCH_ROUGHNESS ?? 0);

/** The core's `Element` (camelCase, optional fields absent). */
export function toEasel(rec) {
  const el = {
    id: `e${rec.i}`,
    kind: rec.kind,
    x: rec.x,
    y: rec.y,
    width: rec.width,
    height: rec.height,
    angle: 0,
    stroke: rec.stroke,
    fill: rec.fill,
    fillStyle: 'solid',
    strokeWidth: rec.strokeWidth,
    strokeStyle: 'solid',
    roughness: rec.kind === 'freedraw' || rec.kind === 'text' ? 0 : ROUGHNESS,
    seed: 1 + rec.i,
    rounded: false,
    opacity: 1,
    z: orderKey(rec.i),
    fontSize: rec.fontSize ?? 20,
    fontFamily: 'sans-serif',
    textAlign: 'left',
    verticalAlign: 'top',
    locked: false,
    author: 'bench',
    updatedAt: 0,
  };
  if (rec.points) el.points = rec.points;
  if (rec.kind === 'freedraw') el.pressures = [];
  if (rec.text) el.text = rec.text;
  if (rec.kind === 'line') delete el.endArrowhead;
  if (rec.kind === 'arrow') el.endArrowhead = 'arrow';
  return el;
}

/** Excalidraw 0.18 element JSON with the same geometry (ROUGHNESS, solid fills, no roundness). */
export function toExcalidraw(rec) {
  const el = {
    id: `e${rec.i}`,
    type: rec.kind,
    x: rec.x,
    y: rec.y,
    width: rec.width,
    height: rec.height,
    angle: 0,
    strokeColor: rec.stroke,
    backgroundColor: rec.fill,
    fillStyle: 'solid',
    strokeWidth: rec.strokeWidth,
    strokeStyle: 'solid',
    roughness: rec.kind === 'freedraw' || rec.kind === 'text' ? 0 : ROUGHNESS,
    opacity: 100,
    groupIds: [],
    frameId: null,
    index: orderKey(rec.i),
    roundness: null,
    seed: 1 + rec.i,
    version: 1,
    versionNonce: rec.i,
    isDeleted: false,
    boundElements: null,
    updated: 0,
    link: null,
    locked: false,
  };
  if (rec.kind === 'arrow' || rec.kind === 'line') {
    Object.assign(el, {
      points: rec.points,
      lastCommittedPoint: null,
      startBinding: null,
      endBinding: null,
      startArrowhead: null,
      endArrowhead: rec.kind === 'arrow' ? 'arrow' : null,
      elbowed: false,
    });
    if (rec.kind === 'line') el.polygon = false;
  } else if (rec.kind === 'freedraw') {
    Object.assign(el, { points: rec.points, pressures: [], simulatePressure: true, lastCommittedPoint: null });
  } else if (rec.kind === 'text') {
    Object.assign(el, {
      text: rec.text,
      originalText: rec.text,
      fontSize: rec.fontSize,
      fontFamily: 2, // Helvetica: a system font, nothing to fetch.
      textAlign: 'left',
      verticalAlign: 'top',
      containerId: null,
      autoResize: true,
      lineHeight: 1.25,
    });
  }
  return el;
}
