import { BINDABLE, bindingPoint, center, makeBinding, polylineFields, type Vec } from '../engine/geometry';
import { elbowFields } from '../engine/elbow';
import { POINT_HANDLE_PX, snapAngle } from '../engine/points';
import { type Binding, type Element, newElement } from '../model/types';
import { type KeyInput, type PointerInput, Tool, type ToolContext } from './tool';

/**
 * Line and arrow, as Excalidraw draws them:
 * - a drag draws a two-point line: `idle → pointing → dragging → idle`;
 * - a click (press and release without moving) starts a line drawn point by point:
 *   `idle → pointing → adding_points`; each click adds a point, the next segment follows the
 *   pointer, and Enter, Escape, a double-click or a click on the last point finishes it
 *   (`→ idle`); a line left with fewer than two points is dropped.
 * Shift locks each segment to 15° steps. An elbow arrow (Arrow type "Elbow") has two ends, its
 * points routed between them (engine/elbow.ts): a drag, or two clicks. The arrow binds its start to the shape under (or
 * around) the first press and its end to the shape under (or around) its last point; bound ends
 * sit on the shape's outline, `gap` away from it. The whole line is one gesture (one undo step).
 */
export class LinearTool extends Tool {
  private origin: Vec = { x: 0, y: 0 };
  private startTarget: Element | undefined;
  private endTarget: Element | undefined;
  private id: string | null = null;
  /** The points placed so far (world coordinates, as pressed: before binding moves the ends). */
  private placed: Vec[] = [];

  constructor(
    ctx: ToolContext,
    readonly name: 'line' | 'arrow',
  ) {
    super(ctx);
  }

  private bindableAt(p: Vec, except?: string): Element | undefined {
    if (this.name !== 'arrow') return undefined;
    // As in Excalidraw, an end binds anywhere inside a shape, filled or not, not only on its outline.
    return this.ctx.hitElement(p, (el) => BINDABLE.has(el.kind) && el.id !== except && el.id !== this.id, true);
  }

  /** Where the pointer puts the next point: Shift locks the segment from the previous point to 15° steps. */
  private aim(e: PointerInput): Vec {
    const prev = this.placed.at(-1) ?? this.origin;
    return e.shift ? snapAngle(prev, e.point) : e.point;
  }

  override onPointerDown(e: PointerInput): void {
    if (this.state === 'adding_points') {
      const last = this.placed.at(-1)!;
      // A click on the last point (the second press of a double-click, too) finishes the line.
      if (Math.hypot(e.point.x - last.x, e.point.y - last.y) * this.ctx.viewport.zoom <= POINT_HANDLE_PX + 3) {
        this.finish(true);
        return;
      }
      this.placed.push(this.aim(e));
      // An elbow arrow has two ends and a route between: the second click ends it.
      if (this.elbow) return this.finish(true);
      this.update([...this.placed, this.aim(e)]);
      return;
    }
    if (this.state !== 'idle') return;
    this.origin = e.point;
    this.placed = [];
    this.startTarget = this.bindableAt(e.point);
    this.go('pointing');
  }

  /** An elbow arrow (the style's Arrow type): two ends, routed between (engine/elbow.ts). */
  private get elbow(): boolean {
    return this.name === 'arrow' && !!this.ctx.style.elbowed;
  }

  /** The line through `pts` (world, as pressed) with its ends bound where they land on shapes. */
  private geometry(pts: readonly Vec[]): { fields: ReturnType<typeof polylineFields>; start: Binding | null; end: Binding | null } {
    const n = pts.length;
    const first = pts[0]!;
    const last = pts[n - 1]!;
    const st = this.startTarget;
    const et = this.bindableAt(last, st?.id);
    this.endTarget = et;
    const startB = st ? makeBinding(st, pts[1]!, first) : null;
    const endB = et ? makeBinding(et, pts[n - 2]!, last) : null;
    if (this.elbow) {
      const probe = newElement(this.id ?? '', 'arrow', 0, 0, { ...polylineFields([first, last]), elbowed: true, start: startB ?? undefined, end: endB ?? undefined });
      const g = elbowFields(probe, (id) => (id === st?.id ? st : id === et?.id ? et : this.ctx.store.get(id)))!;
      const { start, end, ...fields } = g;
      return { fields, start: start ?? null, end: end ?? null };
    }
    const out = [...pts];
    // A straight arrow between two shapes aims each end at the other shape's centre first.
    if (startB && st) out[0] = bindingPoint(st, startB, n === 2 && et ? center(et) : pts[1]!);
    if (endB && et) out[n - 1] = bindingPoint(et, endB, n === 2 ? out[0]! : pts[n - 2]!);
    return { fields: polylineFields(out), start: startB, end: endB };
  }

  private update(pts: readonly Vec[]): void {
    const { ctx } = this;
    if (!this.id) return;
    const g = this.geometry(pts);
    ctx.interactive.bindingTarget = this.endTarget?.id ?? null;
    ctx.invalidate('interactive');
    ctx.queueUpdate(this.id, { ...g.fields, start: g.start, end: g.end });
  }

  /** Adds the element, in a new gesture, along `pts`. */
  private begin(pts: readonly Vec[]): void {
    const { ctx } = this;
    ctx.commands.beginGesture(`create ${this.name}`);
    const g = this.geometry(pts);
    const el = ctx.create(this.name, g.fields.x, g.fields.y, {
      ...g.fields,
      z: ctx.topZ(),
      ...(g.start ? { start: g.start } : {}),
      ...(g.end ? { end: g.end } : {}),
      ...(this.name === 'arrow' ? { startArrowhead: ctx.style.startArrowhead ?? 'none', endArrowhead: ctx.style.endArrowhead ?? 'arrow' } : {}),
      ...(this.elbow ? { elbowed: true, rounded: false } : {}),
    });
    // An arrowhead 'none' at the start is what an unset start draws: keep the model as it was.
    if (el.startArrowhead === 'none') delete el.startArrowhead;
    this.id = el.id;
    ctx.commands.dispatch({ type: 'add', elements: [el] });
  }

  override onPointerMove(e: PointerInput): void {
    if (this.state === 'pointing' && this.pastThreshold(this.origin, e.point)) {
      this.begin([this.origin, this.aim(e)]);
      this.go('dragging');
      return;
    }
    if (this.state === 'dragging') this.update([this.origin, this.aim(e)]);
    else if (this.state === 'adding_points') this.update([...this.placed, this.aim(e)]);
  }

  override onPointerUp(_e: PointerInput): void {
    if (this.state === 'dragging') {
      this.finish(false);
      return;
    }
    if (this.state === 'pointing') {
      // A click: the line goes on point by point, its next segment following the pointer.
      this.placed = [this.origin];
      this.begin([this.origin, this.origin]);
      this.go('adding_points');
      return;
    }
    if (this.state !== 'adding_points') this.reset();
  }

  override onDoubleClick(_e: PointerInput): void {
    if (this.state === 'adding_points') this.finish(true);
  }

  override onKeyDown(e: KeyInput): boolean {
    if (this.state !== 'adding_points' || e.mod) return false;
    if (e.key === 'Enter' || e.key === 'Escape') {
      this.finish(false);
      return true;
    }
    return false;
  }

  /**
   * Ends the line: a line drawn point by point keeps the points placed (the segment following the
   * pointer goes) and is dropped with fewer than two; the line is selected and (with `select`) the
   * select tool takes over, as in Excalidraw. `byClick`: the click that finished it may be the first half of
   * a double-click, which must not reach the select tool as a double-click on the board.
   */
  private finish(byClick: boolean, select = true): void {
    const { ctx } = this;
    const id = this.id;
    if (!id) return this.reset();
    if (this.state === 'adding_points') {
      const pts = this.placed.filter((p, i) => i === 0 || p.x !== this.placed[i - 1]!.x || p.y !== this.placed[i - 1]!.y);
      if (pts.length < 2) {
        ctx.discardUpdates();
        ctx.commands.cancelGesture();
        this.reset();
        return;
      }
      this.update(pts);
    }
    ctx.flushUpdates();
    ctx.commands.endGesture();
    this.reset();
    if (byClick) ctx.swallowDoubleClick();
    ctx.setSelection([id]);
    if (select) ctx.setTool('select');
  }

  private reset(): void {
    this.id = null;
    this.placed = [];
    this.startTarget = this.endTarget = undefined;
    this.ctx.interactive.bindingTarget = null;
    this.ctx.invalidate('interactive');
    this.go('idle');
  }

  /** Switching tools mid-line keeps what was placed (Excalidraw); a drag in progress is dropped. */
  override cancel(): void {
    if (this.state === 'adding_points') return this.finish(false, false);
    if (this.state === 'dragging') {
      this.ctx.discardUpdates();
      this.ctx.commands.cancelGesture();
    }
    this.reset();
  }
}
