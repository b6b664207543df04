import {
  BINDABLE,
  bindingPoint,
  center,
  elementBounds,
  localBox,
  makeBinding,
  marqueeHit,
  rectContainsPoint,
  rectFromPoints,
  rotate,
  type Rect,
  unionRects,
  type Vec,
} from '../engine/geometry';
import { rerouteArrow } from '../engine/elbow';
import { frameBox, membershipUpdates, resizedFrameUpdates, withFrameChildren } from '../engine/frames';
import { handleAt, type HandleName, selectionFrame } from '../engine/handles';
import { gridMove, SNAP_PX, snapMove } from '../engine/snap';
import { insertPoint, isLinear, movePoint, type PointHandle, pointHandleAt, pointHandlesOnly, removePoint, snapAngle, worldPoints } from '../engine/points';
import type { Element, ElementPatch, Point } from '../model/types';
import { type KeyInput, type PointerInput, Tool, type ToolContext } from './tool';

const SNAP_ANGLE = Math.PI / 12; // 15°

/** Which box edges a handle moves. */
function handleEdges(h: HandleName) {
  return { w: h.includes('w'), e: h.includes('e'), n: h.startsWith('n'), s: h.startsWith('s') };
}

/**
 * Resizes one element by dragging handle `h` to world point `p`: the opposite corner/edge stays
 * fixed in world space, also for rotated elements. Shift keeps the aspect ratio (corner handles).
 */
export function resizeElement(el: Element, h: HandleName, p: Vec, keepAspect: boolean): ElementPatch {
  const b = localBox(el);
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  const q = rotate(p, c, -el.angle);
  const ed = handleEdges(h);
  let x0 = b.x;
  let y0 = b.y;
  let x1 = b.x + b.width;
  let y1 = b.y + b.height;
  if (ed.w) x0 = q.x;
  if (ed.e) x1 = q.x;
  if (ed.n) y0 = q.y;
  if (ed.s) y1 = q.y;
  if (keepAspect && (ed.w || ed.e) && (ed.n || ed.s) && b.width > 0 && b.height > 0) {
    const s = Math.max(Math.abs(x1 - x0) / b.width, Math.abs(y1 - y0) / b.height);
    const sw = Math.sign(x1 - x0) || 1;
    const sh = Math.sign(y1 - y0) || 1;
    if (ed.w) x0 = x1 - sw * s * b.width;
    else x1 = x0 + sw * s * b.width;
    if (ed.n) y0 = y1 - sh * s * b.height;
    else y1 = y0 + sh * s * b.height;
  }
  // New box centre (in the old rotated frame), then in world space.
  const cl = { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
  const cw = rotate(cl, c, el.angle);
  const w = Math.abs(x1 - x0);
  const hgt = Math.abs(y1 - y0);
  if (el.points && el.points.length > 0) {
    const sx = b.width > 0 ? (x1 - x0) / b.width : 1;
    const sy = b.height > 0 ? (y1 - y0) / b.height : 1;
    // Scaled points in the old local frame, re-centred on the new world centre.
    const pts = el.points.map(([px, py]) => ({
      x: x0 + (el.x + px - b.x) * sx - cl.x + cw.x,
      y: y0 + (el.y + py - b.y) * sy - cl.y + cw.y,
    }));
    const first = pts[0]!;
    return {
      x: first.x,
      y: first.y,
      width: w,
      height: hgt,
      points: pts.map((pt): Point => [pt.x - first.x, pt.y - first.y]),
    };
  }
  return { x: cw.x - w / 2, y: cw.y - hgt / 2, width: w, height: hgt };
}

/** Scales an element's box (and points) from `from` to `to` (axis-aligned selection resize). */
function scaleInto(el: Element, from: Rect, to: Rect): ElementPatch {
  const sx = from.width > 0 ? to.width / from.width : 1;
  const sy = from.height > 0 ? to.height / from.height : 1;
  const mapX = (x: number) => to.x + (x - from.x) * sx;
  const mapY = (y: number) => to.y + (y - from.y) * sy;
  if (el.points && el.points.length > 0) {
    return {
      x: mapX(el.x),
      y: mapY(el.y),
      width: el.width * sx,
      height: el.height * sy,
      points: el.points.map(([px, py]): Point => [px * sx, py * sy]),
    };
  }
  const b = localBox(el);
  return { x: mapX(b.x), y: mapY(b.y), width: b.width * sx, height: b.height * sy };
}

/**
 * Select: `idle → pointing_element → translating → idle`, `idle → pointing_canvas → brushing →
 * idle` (marquee), `idle → pointing_handle → resizing | rotating → idle`. Click selects (the whole
 * outermost group), Shift-click toggles, a drag on empty canvas selects the elements wholly inside
 * the marquee (Shift adds to the selection). Moves, resizes and rotations send updates at most once
 * per frame and are one gesture each; arrows bound to moved shapes follow them. Alt-drag moves a
 * copy of the selection instead (Excalidraw), the copy and the drag one undo step.
 *
 * A single selected line or arrow shows its points (Excalidraw's line editor, always on):
 * `idle → pointing_point → dragging_point → idle` drags a point (Shift: 15° from its neighbour);
 * an arrow's end dragged onto a shape binds to it, off it lets go; a drag from a segment's
 * midpoint inserts a point there; a click on a point makes it the active point, which Delete
 * removes (a line keeps at least two).
 */
export class SelectTool extends Tool {
  readonly name = 'select' as const;
  private origin: Vec = { x: 0, y: 0 };
  private handle: HandleName | null = null;
  private snapshot = new Map<string, Element>();
  /** The gesture's elements as last moved (the snapshot with the patches sent). */
  private moved = new Map<string, Element>();
  private baseSelection = new Set<string>();
  private pressedId: string | null = null;
  private frameBox: Rect | null = null;
  /** What the gesture snaps to (other elements' bounds in view) and the moved elements' box at its start. */
  private targets: Rect[] = [];
  private startBox: Rect | null = null;
  /** The line point pressed (pointing_point, dragging_point). */
  private point: PointHandle | null = null;

  constructor(ctx: ToolContext) {
    super(ctx);
  }

  private selected(): Element[] {
    return [...this.ctx.interactive.selection].map((id) => this.ctx.store.get(id)).filter((e): e is Element => !!e);
  }

  override onPointerDown(e: PointerInput): void {
    if (this.state !== 'idle') return;
    const { ctx } = this;
    this.origin = e.point;
    const sel = this.selected();
    const only = sel.length === 1 && !sel[0]!.locked && isLinear(sel[0]!) ? sel[0]! : null;
    const ph = only ? pointHandleAt(only, e.point, ctx.viewport.zoom) : null;
    if (ph) {
      this.point = ph;
      this.pressedId = only!.id;
      this.go('pointing_point');
      return;
    }
    if (ctx.interactive.activePoint != null) {
      ctx.interactive.activePoint = null;
      ctx.invalidate('interactive');
    }
    const frame = pointHandlesOnly(sel) ? null : selectionFrame(sel, ctx.viewport.zoom);
    if (frame && !sel.some((el) => el.locked)) {
      const h = handleAt(frame, e.point, ctx.viewport.zoom);
      if (h) {
        this.handle = h;
        this.frameBox = { x: frame.x, y: frame.y, width: frame.width, height: frame.height };
        this.go('pointing_handle');
        return;
      }
    }
    const hit = ctx.hitElement(e.point);
    if (hit) {
      const ids = ctx.groupOf(hit);
      this.pressedId = hit.id;
      if (e.shift) {
        const next = new Set(ctx.interactive.selection);
        const on = !next.has(hit.id);
        for (const id of ids) on ? next.add(id) : next.delete(id);
        ctx.setSelection(next);
      } else if (!ctx.interactive.selection.has(hit.id)) {
        ctx.setSelection(ids);
      }
      this.go('pointing_element');
      return;
    }
    // Inside a multi-selection's box: drag the selection.
    if (frame && sel.length > 1 && rectContainsPoint(frame, e.point) && !e.shift) {
      this.pressedId = null;
      this.go('pointing_element');
      return;
    }
    this.baseSelection = e.shift ? new Set(ctx.interactive.selection) : new Set();
    if (!e.shift) ctx.setSelection([]);
    this.go('pointing_canvas');
  }

  override onPointerMove(e: PointerInput): void {
    const { ctx } = this;
    switch (this.state) {
      case 'idle': {
        const hit = ctx.hitElement(e.point);
        const id = hit?.id ?? null;
        if (id !== (ctx.interactive.hovered ?? null)) {
          ctx.interactive.hovered = id;
          ctx.invalidate('interactive');
        }
        return;
      }
      case 'pointing_element':
        if (!this.pastThreshold(this.origin, e.point)) return;
        if (this.selected().some((el) => el.locked)) return;
        // Alt-drag drags a copy and leaves the selection where it was (Excalidraw).
        this.begin(e.alt ? 'duplicate' : 'move', e.alt);
        this.go('translating');
        this.translate(e);
        return;
      case 'translating':
        this.translate(e);
        return;
      case 'pointing_canvas':
        if (!this.pastThreshold(this.origin, e.point)) return;
        this.go('brushing');
        this.brush(e);
        return;
      case 'brushing':
        this.brush(e);
        return;
      case 'pointing_handle':
        if (!this.pastThreshold(this.origin, e.point)) return;
        this.begin(this.handle === 'rotate' ? 'rotate' : 'resize');
        this.go(this.handle === 'rotate' ? 'rotating' : 'resizing');
        this.onPointerMove(e);
        return;
      case 'resizing':
        this.resize(e);
        return;
      case 'rotating':
        this.rotateSel(e);
        return;
      case 'pointing_point':
        if (!this.pastThreshold(this.origin, e.point)) return;
        this.beginPointDrag();
        this.go('dragging_point');
        this.dragPoint(e);
        return;
      case 'dragging_point':
        this.dragPoint(e);
        return;
    }
  }

  /** Starts a point drag: a midpoint becomes a new point first, in the same gesture. */
  private beginPointDrag(): void {
    const { ctx } = this;
    const el = this.pressedId ? ctx.store.get(this.pressedId) : undefined;
    if (!el || !this.point) return;
    ctx.commands.beginGesture('edit points');
    let base = el;
    if (this.point.kind === 'mid') {
      const pts = worldPoints(el);
      const at = { x: (pts[this.point.index]!.x + pts[this.point.index + 1]!.x) / 2, y: (pts[this.point.index]!.y + pts[this.point.index + 1]!.y) / 2 };
      base = { ...el, ...insertPoint(el, this.point.index, at) };
      this.point = { kind: 'point', index: this.point.index + 1 };
    }
    this.snapshot = new Map([[el.id, base]]);
    this.targets = ctx.snapTargets(new Set([el.id]));
    ctx.interactive.activePoint = this.point.index;
    ctx.interactive.hovered = null;
  }

  private dragPoint(e: PointerInput): void {
    const { ctx } = this;
    const el = this.pressedId ? this.snapshot.get(this.pressedId) : undefined;
    if (!el || !this.point) return;
    const i = this.point.index;
    const pts = worldPoints(el);
    const last = pts.length - 1;
    const neighbour = pts[i === 0 ? 1 : i - 1]!;
    let p = e.shift ? snapAngle(neighbour, e.point) : ctx.snapPoint(e.point, { x: true, y: true }, this.targets, e.mod);
    let patch: ElementPatch = movePoint(el, i, p);
    // An arrow's end binds to the shape it is dropped on (anywhere inside, as the arrow tool), and
    // lets go of the one it leaves.
    if (el.kind === 'arrow' && (i === 0 || i === last)) {
      const which = i === 0 ? 'start' : 'end';
      const other = i === 0 ? el.end?.element : el.start?.element;
      const target = ctx.hitElement(e.point, (t) => BINDABLE.has(t.kind) && t.id !== el.id && t.id !== other, true);
      ctx.interactive.bindingTarget = target?.id ?? null;
      if (target) {
        const b = makeBinding(target, neighbour, p);
        p = bindingPoint(target, b, neighbour);
        patch = { ...movePoint(el, i, p), [which]: b };
      } else patch[which] = null;
    }
    // The other ends stay on the shapes they are bound to, aimed from their new neighbours; an
    // elbow arrow is routed again between its ends.
    const moved = { ...el, ...(patch as Partial<Element>) } as Element;
    const g = rerouteArrow(moved, (id) => ctx.store.get(id));
    if (g) patch = { ...patch, ...g };
    ctx.invalidate('interactive');
    ctx.queueUpdate(el.id, patch);
  }

  override onKeyDown(e: KeyInput): boolean {
    const { ctx } = this;
    const i = ctx.interactive.activePoint;
    if (this.state !== 'idle' || i == null || e.mod || (e.key !== 'Delete' && e.key !== 'Backspace')) return false;
    const sel = this.selected();
    const el = sel.length === 1 && isLinear(sel[0]!) && !sel[0]!.locked ? sel[0]! : null;
    // An elbow arrow's ends are its only points: Delete deletes the arrow.
    if (!el || el.elbowed) return false;
    ctx.interactive.activePoint = null;
    ctx.invalidate('interactive');
    const patch = removePoint(el, i);
    // A line keeps two points: Delete then deletes nothing (the whole line goes with a second Delete).
    if (!patch) return true;
    const g = rerouteArrow({ ...el, ...patch }, (id) => ctx.store.get(id));
    ctx.commands.beginGesture('delete point');
    ctx.commands.dispatch({ type: 'update', updates: [{ id: el.id, patch: { ...patch, ...g } }] });
    ctx.commands.endGesture();
    return true;
  }

  private begin(label: string, duplicate = false): void {
    const { ctx } = this;
    ctx.commands.beginGesture(label);
    const sel = this.selected();
    this.startBox = unionRects(sel.map(elementBounds));
    // A moved or copied frame takes its children along (a resize or rotation does not).
    let els = label === 'move' || duplicate ? withFrameChildren(sel, (f) => ctx.frameChildren(f)) : sel;
    if (duplicate) {
      // Copies on top, in the same gesture as the drag: one undo step takes them away.
      els = ctx.addCopies(els);
      ctx.setSelection(els.map((c) => c.id));
    }
    this.snapshot = new Map(els.map((el) => [el.id, el]));
    this.moved = new Map(this.snapshot);
    this.ctx.interactive.hovered = null;
    this.targets = ctx.snapTargets(new Set(this.snapshot.keys()));
  }

  /**
   * Frame membership once a move or resize is done, in its gesture: moved elements join the frame
   * their centre is now in or leave theirs; a resized frame lets go of children now outside it
   * and takes in free elements now inside.
   */
  private settleFrames(resized: boolean): void {
    const { ctx } = this;
    const now = (el: Element) => this.moved.get(el.id) ?? el;
    const framesNear = (el: Element) => {
      const b = elementBounds(el);
      const c = { x: b.x + b.width / 2, y: b.y + b.height / 2, width: 0, height: 0 };
      return [...ctx.spatial.query(c)].map((id) => ctx.store.get(id)).filter((f): f is Element => f?.kind === 'frame').map(now);
    };
    const updates = resized
      ? [...this.moved.values()]
          .filter((f) => f.kind === 'frame')
          .flatMap((f) => {
            const near = new Map<string, Element>();
            for (const id of ctx.spatial.query(frameBox(f))) {
              const el = ctx.store.get(id);
              if (el) near.set(id, now(el));
            }
            for (const c of ctx.frameChildren(f.id)) near.set(c.id, now(c));
            return resizedFrameUpdates(f, near.values());
          })
      : membershipUpdates(this.moved.values(), framesNear);
    if (updates.length) ctx.commands.dispatch({ type: 'update', updates });
  }

  /** Queues the patches for moved elements plus the arrows that must follow them. */
  private emit(patches: Map<string, ElementPatch>): void {
    const { ctx } = this;
    const moved = new Map<string, Element>();
    for (const [id, patch] of patches) {
      const el = this.snapshot.get(id);
      if (!el) continue;
      ctx.queueUpdate(id, patch);
      moved.set(id, { ...el, ...(patch as Partial<Element>) });
    }
    for (const [id, el] of moved) this.moved.set(id, el);
    for (const u of ctx.followBindings(moved)) ctx.queueUpdate(u.id, u.patch);
  }

  private translate(e: PointerInput): void {
    let dx = e.point.x - this.origin.x;
    let dy = e.point.y - this.origin.y;
    let lock: 'x' | 'y' | null = null;
    if (e.shift) {
      if (Math.abs(dx) > Math.abs(dy)) (dy = 0), (lock = 'y');
      else (dx = 0), (lock = 'x');
    }
    // The moved box snaps: to the grid while it shows, else to other elements' edges and centres
    // (Ctrl held: neither). An axis Shift holds still does not snap.
    const { ctx } = this;
    let guides = null;
    if (this.startBox && !e.mod) {
      const moved = { ...this.startBox, x: this.startBox.x + dx, y: this.startBox.y + dy };
      const s = ctx.gridSize ? { ...gridMove(moved, ctx.gridSize), guides: [] } : snapMove(moved, this.targets, SNAP_PX / ctx.viewport.zoom);
      if (lock !== 'x') dx += s.dx;
      if (lock !== 'y') dy += s.dy;
      guides = s.guides.filter((g) => g.axis !== lock);
    }
    ctx.interactive.guides = guides?.length ? guides : null;
    ctx.invalidate('interactive');
    const patches = new Map<string, ElementPatch>();
    for (const [id, el] of this.snapshot) {
      const patch: ElementPatch = { x: el.x + dx, y: el.y + dy };
      // An arrow moved away from a target that stays put lets go of it.
      if (el.start && !this.snapshot.has(el.start.element)) patch.start = null;
      if (el.end && !this.snapshot.has(el.end.element)) patch.end = null;
      patches.set(id, patch);
    }
    this.emit(patches);
  }

  private resize(e: PointerInput): void {
    const h = this.handle;
    if (!h || h === 'rotate') return;
    const els = [...this.snapshot.values()];
    // The edges the handle moves snap (an unrotated element's, or a selection's box).
    if (els.length > 1 || !els[0]?.angle) {
      const ed = handleEdges(h);
      e = { ...e, point: this.ctx.snapPoint(e.point, { x: ed.w || ed.e, y: ed.n || ed.s }, this.targets, e.mod) };
    }
    const patches = new Map<string, ElementPatch>();
    if (els.length === 1) {
      patches.set(els[0]!.id, resizeElement(els[0]!, h, e.point, e.shift));
    } else if (this.frameBox) {
      const f = this.frameBox;
      const ed = handleEdges(h);
      let x0 = f.x;
      let y0 = f.y;
      let x1 = f.x + f.width;
      let y1 = f.y + f.height;
      if (ed.w) x0 = Math.min(e.point.x, x1 - 1);
      if (ed.e) x1 = Math.max(e.point.x, x0 + 1);
      if (ed.n) y0 = Math.min(e.point.y, y1 - 1);
      if (ed.s) y1 = Math.max(e.point.y, y0 + 1);
      const to = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
      for (const el of els) patches.set(el.id, scaleInto(el, f, to));
    }
    this.emit(patches);
  }

  private rotateSel(e: PointerInput): void {
    const els = [...this.snapshot.values()];
    if (els.length === 0 || !this.frameBox) return;
    const f = this.frameBox;
    const c = { x: f.x + f.width / 2, y: f.y + f.height / 2 };
    let delta =
      Math.atan2(e.point.y - c.y, e.point.x - c.x) - Math.atan2(this.origin.y - c.y, this.origin.x - c.x);
    const patches = new Map<string, ElementPatch>();
    if (els.length === 1) {
      const el = els[0]!;
      let angle = el.angle + delta;
      if (e.shift) angle = Math.round(angle / SNAP_ANGLE) * SNAP_ANGLE;
      patches.set(el.id, { angle: normAngle(angle) });
    } else {
      if (e.shift) delta = Math.round(delta / SNAP_ANGLE) * SNAP_ANGLE;
      for (const el of els) {
        const ec = center(el);
        const nc = rotate(ec, c, delta);
        patches.set(el.id, { x: el.x + nc.x - ec.x, y: el.y + nc.y - ec.y, angle: normAngle(el.angle + delta) });
      }
    }
    this.emit(patches);
  }

  private brush(e: PointerInput): void {
    const { ctx } = this;
    const m = rectFromPoints(this.origin, e.point);
    ctx.interactive.marquee = m;
    const next = new Set(this.baseSelection);
    for (const id of ctx.spatial.query(m)) {
      const el = ctx.store.get(id);
      if (!el || el.locked) continue;
      if (marqueeHit(el, m, 'contain')) for (const g of ctx.groupOf(el)) next.add(g);
    }
    ctx.setSelection(next);
    ctx.invalidate('interactive');
  }

  override onPointerUp(e: PointerInput): void {
    const { ctx } = this;
    switch (this.state) {
      case 'pointing_element':
        // A plain click on a member of a multi-selection narrows the selection to it.
        if (!e.shift && this.pressedId) {
          const el = ctx.store.get(this.pressedId);
          if (el) ctx.setSelection(ctx.groupOf(el));
        }
        break;
      case 'translating':
      case 'resizing':
      case 'rotating':
      case 'dragging_point':
        ctx.flushUpdates();
        if (this.state === 'translating' || this.state === 'resizing') this.settleFrames(this.state === 'resizing');
        ctx.commands.endGesture();
        ctx.interactive.bindingTarget = null;
        ctx.interactive.guides = null;
        ctx.invalidate('interactive');
        break;
      case 'pointing_point':
        // A click on a point makes it the active point (Delete removes it).
        if (this.point?.kind === 'point') {
          ctx.interactive.activePoint = this.point.index;
          ctx.invalidate('interactive');
        }
        break;
      case 'brushing':
        ctx.interactive.marquee = null;
        ctx.invalidate('interactive');
        break;
    }
    this.reset();
  }

  /**
   * As in Excalidraw: a double-click on or inside a shape (filled or not), a sticky, a text or an
   * arrow edits its text (an arrow's label); on empty canvas it starts a new text there.
   */
  override onDoubleClick(e: PointerInput): void {
    const { ctx } = this;
    const hit = ctx.hitElement(e.point, undefined, true) ?? ctx.hitElement(e.point);
    if (hit) {
      if (!hit.locked && LABELLED.has(hit.kind)) ctx.editTextOf(hit.id);
      return;
    }
    ctx.startText(e.point);
  }

  private reset(): void {
    this.handle = null;
    this.pressedId = null;
    this.frameBox = null;
    this.point = null;
    this.targets = [];
    this.startBox = null;
    this.snapshot = new Map();
    this.moved = new Map();
    this.go('idle');
  }

  override cancel(): void {
    if (['translating', 'resizing', 'rotating', 'dragging_point'].includes(this.state)) {
      this.ctx.discardUpdates();
      this.ctx.commands.cancelGesture();
    }
    this.ctx.interactive.marquee = null;
    this.ctx.interactive.bindingTarget = null;
    this.ctx.interactive.guides = null;
    this.ctx.invalidate('interactive');
    this.reset();
  }
}

/** Kinds whose text a double-click edits (an arrow's is its label, drawn in its middle). */
const LABELLED = new Set(['text', 'sticky', 'rectangle', 'ellipse', 'diamond', 'arrow']);

function normAngle(a: number): number {
  const t = Math.PI * 2;
  return ((a % t) + t) % t;
}
