/**
 * The element model as the Rust core (crates/easel-core/src/model.rs) writes and reads it: camelCase
 * keys, optional fields absent when unset. The types are generated from the Rust ones by ts-rs into
 * ./generated, checked in and never edited by hand: after changing the model, regenerate them with
 * `EASEL_WRITE_TS=1 cargo test -p easel-core --lib ts_types` (that test fails while they differ).
 * This file re-exports them and adds the UI's helpers.
 */

import type { Element } from './generated/Element';
import type { ElementKind } from './generated/ElementKind';
import type { ElementPatch } from './generated/ElementPatch';

export type { Binding } from './generated/Binding';
export type { BoardFile } from './generated/BoardFile';
export type { BoardMeta } from './generated/BoardMeta';
export type { FillStyle } from './generated/FillStyle';
export type { Scene } from './generated/Scene';
export type { Side } from './generated/Side';
export type { StrokeStyle } from './generated/StrokeStyle';
export type { TextAlign } from './generated/TextAlign';
export type { VerticalAlign } from './generated/VerticalAlign';
export type { Element, ElementKind, ElementPatch };

/** One of an element's `points`, relative to its (x, y). */
export type Point = [number, number];

/**
 * `true` when the members `Listed` lists cover the union `T`; otherwise the members it lacks, so
 * that assigning `true` to it fails to compile and the error names them.
 */
type Covers<T, Listed> = [Exclude<T, Listed>] extends [never] ? true : Exclude<T, Listed>;

const KINDS = [
  'rectangle',
  'ellipse',
  'diamond',
  'line',
  'arrow',
  'freedraw',
  'text',
  'sticky',
  'image',
  'frame',
] as const satisfies readonly ElementKind[];
// A kind the core gains breaks this line until it is listed above.
const everyKindListed: Covers<ElementKind, (typeof KINDS)[number]> = true;

/** Every element kind, in the core's order (`ElementKind::ALL`). */
export const ELEMENT_KINDS: readonly ElementKind[] = KINDS;

/**
 * Kinds whose edges are sharp or round (`rounded`, the style panel's Edges): corners of
 * rectangles and diamonds, the curve of lines and arrows.
 */
export const hasEdges = (k: ElementKind): boolean => k === 'rectangle' || k === 'diamond' || k === 'line' || k === 'arrow';

/** The fields a patch may set to `null` (the core's `Option<Option<T>>` ones): `null` clears them. */
type NullableKey = { [K in keyof ElementPatch]-?: null extends ElementPatch[K] ? K : never }[keyof ElementPatch];

/** Fields a patch may clear with `null`. */
const NULLABLE = [
  'start',
  'end',
  'startArrowhead',
  'endArrowhead',
  'frameId',
  'link',
  'name',
] as const satisfies readonly NullableKey[];
// A field the core makes clearable breaks this line until it is listed above.
const everyNullableListed: Covers<NullableKey, (typeof NULLABLE)[number]> = true;

/** Applies a patch to a copy of `el` (same semantics as the core's `ElementPatch::apply_to`). */
export function applyPatch(el: Element, patch: ElementPatch): Element {
  const out: Record<string, unknown> = { ...el };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    if (v === null) {
      if ((NULLABLE as readonly string[]).includes(k)) delete out[k];
      continue;
    }
    out[k] = v;
  }
  return out as unknown as Element;
}

/** Element defaults, matching `Element::new` in the core. */
export function newElement(id: string, kind: ElementKind, x: number, y: number, init: Partial<Element> = {}): Element {
  return {
    id,
    kind,
    x,
    y,
    width: 0,
    height: 0,
    angle: 0,
    stroke: '#1e1e1e',
    fill: 'transparent',
    fillStyle: 'solid',
    strokeWidth: 2,
    strokeStyle: 'solid',
    roughness: 0,
    seed: 0,
    rounded: false,
    opacity: 1,
    z: '',
    fontSize: 20,
    fontFamily: 'sans-serif',
    textAlign: 'left',
    verticalAlign: 'top',
    locked: false,
    author: '',
    updatedAt: 0,
    ...init,
  };
}

/** Drawing order: ascending `z`, ties by `id` (plain code-unit comparison, as Rust compares bytes). */
export function compareDrawOrder(a: Element, b: Element): number {
  if (a.z !== b.z) return a.z < b.z ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * The seed the hand-drawn style draws `el` with: its `seed`, or when that is 0 a 31-bit FNV-1a
 * hash of its id (never 0, which rough.js takes as "random"). `Element::rough_seed` in the core
 * computes the same, so exports wobble as the canvas does.
 */
export function roughSeed(el: Pick<Element, 'id' | 'seed'>): number {
  if (el.seed) return el.seed;
  let h = 0x811c9dc5;
  for (let i = 0; i < el.id.length; i++) {
    h ^= el.id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff || 1;
}
