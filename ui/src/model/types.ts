/**
 * Mirror of the Rust core's `Element` (crates/easel-core/src/model.rs), as serde emits it:
 * camelCase keys, optional fields absent when unset.
 */

export type ElementKind =
  | 'rectangle'
  | 'ellipse'
  | 'diamond'
  | 'line'
  | 'arrow'
  | 'freedraw'
  | 'text'
  | 'sticky'
  | 'image'
  | 'frame';

export const ELEMENT_KINDS: readonly ElementKind[] = [
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
];

/**
 * Kinds whose edges are sharp or round (`rounded`, the style panel's Edges): corners of
 * rectangles and diamonds, the curve of lines and arrows.
 */
export const hasEdges = (k: ElementKind): boolean => k === 'rectangle' || k === 'diamond' || k === 'line' || k === 'arrow';

export type Side = 'top' | 'right' | 'bottom' | 'left';

/** One end of a line or arrow attached to another element. */
export interface Binding {
  element: string;
  /** Where along the target the end points, -1..1 (Excalidraw's `focus`). */
  focus: number;
  /** Distance kept between the end and the target's outline. */
  gap: number;
  side?: Side;
}

export type FillStyle = 'solid' | 'hachure' | 'cross-hatch' | 'zigzag';
export type StrokeStyle = 'solid' | 'dashed' | 'dotted';
export type TextAlign = 'left' | 'center' | 'right';
export type VerticalAlign = 'top' | 'middle' | 'bottom';
export type Point = [number, number];

export interface Element {
  id: string;
  kind: ElementKind;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Radians, clockwise (canvas convention, y down), about the element's centre. */
  angle: number;
  stroke: string;
  /** 'transparent' or a CSS colour. */
  fill: string;
  fillStyle: FillStyle;
  strokeWidth: number;
  strokeStyle: StrokeStyle;
  roughness: number;
  rounded: boolean;
  /** 0..1 */
  opacity: number;
  /** Fractional index key (rocicorp fractional-indexing format, base62). */
  z: string;
  /** Relative to (x, y). */
  points?: Point[];
  pressures?: number[];
  text?: string;
  fontSize: number;
  fontFamily: string;
  textAlign: TextAlign;
  verticalAlign: VerticalAlign;
  start?: Binding;
  end?: Binding;
  startArrowhead?: string;
  endArrowhead?: string;
  groupIds?: string[];
  frameId?: string;
  locked: boolean;
  link?: string;
  fileId?: string;
  name?: string;
  author: string;
  updatedAt: number;
}

/**
 * Any subset of the mutable fields (the Rust `ElementPatch`). Fields the core models as
 * `Option<Option<T>>` may be `null` to clear them.
 */
export interface ElementPatch {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  angle?: number;
  stroke?: string;
  fill?: string;
  fillStyle?: FillStyle;
  strokeWidth?: number;
  strokeStyle?: StrokeStyle;
  roughness?: number;
  rounded?: boolean;
  opacity?: number;
  points?: Point[];
  pressures?: number[];
  text?: string;
  fontSize?: number;
  fontFamily?: string;
  textAlign?: TextAlign;
  verticalAlign?: VerticalAlign;
  start?: Binding | null;
  end?: Binding | null;
  startArrowhead?: string | null;
  endArrowhead?: string | null;
  groupIds?: string[];
  frameId?: string | null;
  locked?: boolean;
  link?: string | null;
  name?: string | null;
}

/** Fields a patch may clear with `null`. */
const NULLABLE = ['start', 'end', 'startArrowhead', 'endArrowhead', 'frameId', 'link', 'name'] as const;

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
