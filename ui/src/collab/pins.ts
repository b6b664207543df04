import { elementBounds, type Vec } from '../engine/geometry';
import type { Element } from '../model/types';
import type { Thread } from './types';

/** A comment pin as the interactive layer draws it. */
export interface Pin {
  thread: string;
  /** World point of the pin's tip. */
  point: Vec;
  /** Messages in the thread that are not deleted. */
  count: number;
  active: boolean;
}

/**
 * Where a thread's pin goes: on its element's top-right corner while the element exists (so the
 * pin follows the element when it moves or resizes), else at the thread's board point (also the
 * fallback once the element is deleted).
 */
export function pinPoint(thread: Pick<Thread, 'anchor'>, get: (id: string) => Element | undefined): Vec {
  const el = thread.anchor.element ? get(thread.anchor.element) : undefined;
  if (el) {
    const b = elementBounds(el);
    return { x: b.x + b.width, y: b.y };
  }
  return { x: thread.anchor.x, y: thread.anchor.y };
}

/** The pins of the open threads (resolved ones are listed in the panel, not pinned). */
export function pinsFor(threads: readonly Thread[], get: (id: string) => Element | undefined, active: string | null = null): Pin[] {
  return threads
    .filter((t) => !t.resolved)
    .map((t) => ({
      thread: t.id,
      point: pinPoint(t, get),
      count: t.messages.filter((m) => !m.deleted).length,
      active: t.id === active,
    }));
}

/** Screen pixels: a pin is a circle of this radius above its tip. */
export const PIN_RADIUS_PX = 11;

/** The pin under the screen point `s` (topmost = last), given each pin's screen position. */
export function pinAt(pins: readonly Pin[], s: Vec, toScreen: (w: Vec) => Vec): Pin | undefined {
  for (let i = pins.length - 1; i >= 0; i--) {
    const p = toScreen(pins[i]!.point);
    const cx = p.x + PIN_RADIUS_PX;
    const cy = p.y - PIN_RADIUS_PX;
    if (Math.hypot(s.x - cx, s.y - cy) <= PIN_RADIUS_PX + 2) return pins[i];
  }
  return undefined;
}
