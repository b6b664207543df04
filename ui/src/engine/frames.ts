//! Frames as containers (Excalidraw's frames): an element belongs to the frame its centre lies in
//! when a move or resize ends (dragged in, it joins; dragged out, it leaves); a moved frame takes
//! its children along; children are drawn clipped to their frame's box, on the canvas and in the
//! exports (easel-formats svg.rs). Membership is the element's `frameId`. Pure.

import type { Element, ElementPatch } from '../model/types';
import { elementBounds, localBox, rectContainsPoint, type Rect, type Vec } from './geometry';

/** The box a frame clips its children to. */
export const frameBox = (frame: Element): Rect => localBox(frame);

/** The frame `el` is drawn clipped to: its `frameId`'s element, when that is a frame. */
export function clipFrame(el: Element, get: (id: string) => Element | undefined): Element | undefined {
  if (!el.frameId || el.kind === 'frame') return undefined;
  const f = get(el.frameId);
  return f?.kind === 'frame' ? f : undefined;
}

const boundsCentre = (el: Element): Vec => {
  const b = elementBounds(el);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
};

/** The topmost frame (z order, ties by id) whose box holds `el`'s centre, among `frames`. */
export function frameAt(el: Element, frames: Iterable<Element>): Element | undefined {
  const c = boundsCentre(el);
  let best: Element | undefined;
  for (const f of frames) {
    if (f.kind !== 'frame' || f.id === el.id || !rectContainsPoint(frameBox(f), c)) continue;
    if (!best || f.z > best.z || (f.z === best.z && f.id > best.id)) best = f;
  }
  return best;
}

/**
 * `els` and the children of the frames among them (a moved or copied frame takes its children).
 * `childrenOf` lists a frame's members.
 */
export function withFrameChildren(els: readonly Element[], childrenOf: (frameId: string) => Iterable<Element>): Element[] {
  const out = new Map(els.map((e) => [e.id, e]));
  for (const f of els) {
    if (f.kind !== 'frame') continue;
    for (const c of childrenOf(f.id)) if (!out.has(c.id)) out.set(c.id, c);
  }
  return [...out.values()];
}

/**
 * The `frameId` patches after `moved` (as they now are) moved: each element not itself a frame
 * joins the frame its centre lies in, or leaves its frame when it lies in none. A child that moved
 * along with its frame stays. `framesNear(el)` lists the frames that may hold `el`.
 */
export function membershipUpdates(moved: Iterable<Element>, framesNear: (el: Element) => Iterable<Element>): { id: string; patch: ElementPatch }[] {
  const list = [...moved];
  const movedIds = new Set(list.map((e) => e.id));
  const out: { id: string; patch: ElementPatch }[] = [];
  for (const el of list) {
    if (el.kind === 'frame') continue;
    if (el.frameId && movedIds.has(el.frameId)) continue;
    const f = frameAt(el, framesNear(el));
    const now = f?.id ?? null;
    if (now !== (el.frameId ?? null)) out.push({ id: el.id, patch: { frameId: now } });
  }
  return out;
}

/**
 * The `frameId` patches after frame `frame` was resized: its children whose centre is now outside
 * leave, and elements in no frame whose centre is now inside join. `near` lists the elements
 * around the frame's new box.
 */
export function resizedFrameUpdates(frame: Element, near: Iterable<Element>): { id: string; patch: ElementPatch }[] {
  const box = frameBox(frame);
  const out: { id: string; patch: ElementPatch }[] = [];
  for (const el of near) {
    if (el.kind === 'frame' || el.id === frame.id) continue;
    const inside = rectContainsPoint(box, boundsCentre(el));
    if (el.frameId === frame.id && !inside) out.push({ id: el.id, patch: { frameId: null } });
    else if (!el.frameId && inside) out.push({ id: el.id, patch: { frameId: frame.id } });
  }
  return out;
}
