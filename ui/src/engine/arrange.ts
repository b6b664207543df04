//! Align, distribute and one-step z-order moves as pure functions over boxes and keys, so the
//! editor only turns their answers into commands.

import type { Rect, Vec } from './geometry';
import { isValidOrderKey, nKeysBetween } from '../model/zorder';

export type Alignment = 'left' | 'centerX' | 'right' | 'top' | 'centerY' | 'bottom';
export type Axis = 'x' | 'y';

/** How far to move each box so all share the edge or centre line of their common bounds. */
export function alignOffsets(boxes: readonly Rect[], how: Alignment): Vec[] {
  if (boxes.length < 2) return boxes.map(() => ({ x: 0, y: 0 }));
  const minX = Math.min(...boxes.map((b) => b.x));
  const maxX = Math.max(...boxes.map((b) => b.x + b.width));
  const minY = Math.min(...boxes.map((b) => b.y));
  const maxY = Math.max(...boxes.map((b) => b.y + b.height));
  return boxes.map((b) => {
    switch (how) {
      case 'left':
        return { x: minX - b.x, y: 0 };
      case 'right':
        return { x: maxX - (b.x + b.width), y: 0 };
      case 'centerX':
        return { x: (minX + maxX) / 2 - (b.x + b.width / 2), y: 0 };
      case 'top':
        return { x: 0, y: minY - b.y };
      case 'bottom':
        return { x: 0, y: maxY - (b.y + b.height) };
      case 'centerY':
        return { x: 0, y: (minY + maxY) / 2 - (b.y + b.height / 2) };
    }
  });
}

/**
 * How far to move each box so the gaps between neighbours along `axis` are equal, the outermost
 * two staying put (Excalidraw's rule). When the boxes overlap too much for equal gaps, their
 * centres are spaced evenly instead.
 */
export function distributeOffsets(boxes: readonly Rect[], axis: Axis): Vec[] {
  const out = boxes.map(() => ({ x: 0, y: 0 }));
  if (boxes.length < 3) return out;
  const pos = (b: Rect) => (axis === 'x' ? b.x : b.y);
  const size = (b: Rect) => (axis === 'x' ? b.width : b.height);
  const order = boxes.map((_, i) => i).sort((a, b) => pos(boxes[a]!) + size(boxes[a]!) / 2 - (pos(boxes[b]!) + size(boxes[b]!) / 2));
  const first = boxes[order[0]!]!;
  const last = boxes[order.at(-1)!]!;
  const start = Math.min(...boxes.map(pos));
  const end = Math.max(...boxes.map((b) => pos(b) + size(b)));
  const gap = (end - start - boxes.reduce((s, b) => s + size(b), 0)) / (boxes.length - 1);
  const set = (i: number, d: number) => {
    out[i] = axis === 'x' ? { x: d, y: 0 } : { x: 0, y: d };
  };
  if (gap >= 0) {
    let at = start;
    for (const i of order) {
      const b = boxes[i]!;
      set(i, at - pos(b));
      at += size(b) + gap;
    }
  } else {
    const c0 = pos(first) + size(first) / 2;
    const c1 = pos(last) + size(last) / 2;
    const step = (c1 - c0) / (boxes.length - 1);
    order.forEach((i, k) => {
      const b = boxes[i]!;
      set(i, c0 + step * k - (pos(b) + size(b) / 2));
    });
  }
  return out;
}

/**
 * New z keys that move every selected element one step forward (`dir` 1) or backward (-1):
 * each run of selected elements hops over the next unselected element, as Excalidraw's
 * Ctrl+] / Ctrl+[ do. `sorted` is in drawing order. Elements whose keys are not valid fractional
 * keys are left where they are.
 */
export function stepOrder(sorted: readonly { id: string; z: string }[], selected: ReadonlySet<string>, dir: 1 | -1): { id: string; z: string }[] {
  const items = sorted.filter((e) => isValidOrderKey(e.z));
  const order = [...items];
  if (dir === 1) {
    for (let i = order.length - 2; i >= 0; i--) {
      if (!selected.has(order[i]!.id)) continue;
      let j = i;
      while (j + 1 < order.length && selected.has(order[j + 1]!.id)) j++;
      if (j + 1 >= order.length) continue;
      // Move the unselected element above the run to just below it.
      const [next] = order.splice(j + 1, 1);
      let k = i;
      while (k > 0 && selected.has(order[k - 1]!.id)) k--;
      order.splice(k, 0, next!);
      i = k;
    }
  } else {
    for (let i = 1; i < order.length; i++) {
      if (!selected.has(order[i]!.id)) continue;
      let j = i;
      while (j - 1 >= 0 && selected.has(order[j - 1]!.id)) j--;
      if (j === 0) continue;
      const [prev] = order.splice(j - 1, 1);
      let e = j - 1;
      while (e + 1 < order.length && selected.has(order[e + 1]!.id)) e++;
      order.splice(e + 1, 0, prev!);
      i = e + 1;
    }
  }
  const moves: { id: string; z: string }[] = [];
  for (let i = 0; i < order.length; ) {
    if (!selected.has(order[i]!.id)) {
      i++;
      continue;
    }
    let j = i;
    while (j < order.length && selected.has(order[j]!.id)) j++;
    const lo = i > 0 ? order[i - 1]!.z : null;
    const hi = j < order.length ? order[j]!.z : null;
    const run = order.slice(i, j);
    const unchanged = run.every((e, n) => items.indexOf(e) === i + n);
    if (!unchanged && (lo === null || hi === null || lo < hi)) {
      const keys = nKeysBetween(lo, hi, run.length);
      run.forEach((e, n) => moves.push({ id: e.id, z: keys[n]! }));
    }
    i = j;
  }
  return moves;
}
