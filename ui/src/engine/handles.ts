import type { Element } from '../model/types';
import { center, corners, elementBounds, localBox, rotate, unionRects, type Vec } from './geometry';

export type HandleName = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w' | 'rotate';
export const RESIZE_HANDLES: readonly HandleName[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

/** Handle size and rotate-handle offset, in screen pixels. */
export const HANDLE_PX = 8;
export const ROTATE_OFFSET_PX = 24;

export interface SelectionFrame {
  /** Unrotated box in world coordinates. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Rotation about the box centre (a single element's angle; 0 for several). */
  angle: number;
  /** Corners in world coordinates (nw, ne, se, sw). */
  corners: Vec[];
  handles: { name: HandleName; point: Vec }[];
}

/** The frame and handles around the selected elements at the given zoom. */
export function selectionFrame(els: readonly Element[], zoom: number): SelectionFrame | null {
  if (els.length === 0) return null;
  let box;
  let angle = 0;
  if (els.length === 1) {
    box = localBox(els[0]!);
    angle = els[0]!.angle;
  } else {
    box = unionRects(els.map(elementBounds))!;
  }
  const c = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const at = (fx: number, fy: number): Vec => rotate({ x: box.x + fx * box.width, y: box.y + fy * box.height }, c, angle);
  const handles: SelectionFrame['handles'] = [
    { name: 'nw', point: at(0, 0) },
    { name: 'n', point: at(0.5, 0) },
    { name: 'ne', point: at(1, 0) },
    { name: 'e', point: at(1, 0.5) },
    { name: 'se', point: at(1, 1) },
    { name: 's', point: at(0.5, 1) },
    { name: 'sw', point: at(0, 1) },
    { name: 'w', point: at(0, 0.5) },
    { name: 'rotate', point: rotate({ x: c.x, y: box.y - ROTATE_OFFSET_PX / zoom }, c, angle) },
  ];
  return {
    ...box,
    angle,
    corners: els.length === 1 ? corners(els[0]!) : [at(0, 0), at(1, 0), at(1, 1), at(0, 1)],
    handles,
  };
}

/** The handle under world point `p`, if any (handles are HANDLE_PX screen pixels wide, plus slack). */
export function handleAt(frame: SelectionFrame, p: Vec, zoom: number): HandleName | null {
  const r = (HANDLE_PX / 2 + 3) / zoom;
  // Rotate first: it sits outside the box and must win over a nearby edge handle.
  for (const name of ['rotate', ...RESIZE_HANDLES] as HandleName[]) {
    const h = frame.handles.find((x) => x.name === name)!;
    if (Math.abs(p.x - h.point.x) <= r && Math.abs(p.y - h.point.y) <= r) return name;
  }
  return null;
}

export { center };

/** How far outside the elements a collaborator's selection outline runs, in screen pixels. */
export const REMOTE_PAD_PX = 3;

/** A collaborator's selection as drawn: one ring per element, a frame around several, a tag point. */
export interface RemoteSelection {
  /** Each element's box, rotated like the element, REMOTE_PAD_PX outside it (nw, ne, se, sw). */
  outlines: Vec[][];
  /** The box around all of them when there are several (unrotated, like ours), else null. */
  frame: Vec[] | null;
  /** Where their name tag sits: the topmost (then leftmost) corner of the outer ring. */
  tag: Vec;
}

function paddedCorners(b: { x: number; y: number; width: number; height: number }, pad: number, angle: number): Vec[] {
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  const x0 = b.x - pad;
  const y0 = b.y - pad;
  const x1 = b.x + b.width + pad;
  const y1 = b.y + b.height + pad;
  return [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ].map((p) => rotate(p, c, angle));
}

/**
 * The outline of a collaborator's selection at `zoom`: the same boxes as our own selection frame
 * (`selectionFrame`: a single element's box rotated with it, the union of bounds for several),
 * padded so that both stay visible when we select the same thing.
 */
export function remoteSelection(els: readonly Element[], zoom: number): RemoteSelection | null {
  if (els.length === 0) return null;
  const pad = REMOTE_PAD_PX / zoom;
  const outlines = els.map((el) => paddedCorners(localBox(el), pad, el.angle));
  const union = els.length > 1 ? unionRects(els.map(elementBounds)) : null;
  const frame = union ? paddedCorners(union, 2 * pad, 0) : null;
  const ring = frame ?? outlines[0]!;
  let tag = ring[0]!;
  for (const p of ring) if (p.y < tag.y - 1e-9 || (Math.abs(p.y - tag.y) <= 1e-9 && p.x < tag.x)) tag = p;
  return { outlines, frame, tag };
}
