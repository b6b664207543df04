import { BINDABLE, bindingPoint, center, makeBinding, polylineFields, type Vec } from '../engine/geometry';
import type { Binding, Element } from '../model/types';
import { type PointerInput, Tool, type ToolContext } from './tool';

/**
 * Line and arrow: `idle → pointing → dragging → idle`. A drag draws a two-point line. The arrow
 * binds its start to the shape under (or around) the press and its end to the shape under (or
 * around) the release; bound
 * ends sit on the shape's outline, `gap` away from it.
 */
export class LinearTool extends Tool {
  private origin: Vec = { x: 0, y: 0 };
  private startTarget: Element | undefined;
  private endTarget: Element | undefined;
  private id: string | null = null;

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

  override onPointerDown(e: PointerInput): void {
    if (this.state !== 'idle') return;
    this.origin = e.point;
    this.startTarget = this.bindableAt(e.point);
    this.go('pointing');
  }

  /** Both ends and their bindings for the pointer at `p`. */
  private geometry(p: Vec): { fields: ReturnType<typeof polylineFields>; start: Binding | null; end: Binding | null } {
    const st = this.startTarget;
    const et = this.bindableAt(p, st?.id);
    this.endTarget = et;
    const startB = st ? makeBinding(st, p, this.origin) : null;
    const endB = et ? makeBinding(et, this.origin, p) : null;
    let a = this.origin;
    let b = p;
    if (startB && st) a = bindingPoint(st, startB, et ? center(et) : p);
    if (endB && et) b = bindingPoint(et, endB, a);
    return { fields: polylineFields([a, b]), start: startB, end: endB };
  }

  override onPointerMove(e: PointerInput): void {
    const { ctx } = this;
    if (this.state === 'pointing' && this.pastThreshold(this.origin, e.point)) {
      ctx.commands.beginGesture(`create ${this.name}`);
      const g = this.geometry(e.point);
      const el = ctx.create(this.name, g.fields.x, g.fields.y, {
        ...g.fields,
        z: ctx.topZ(),
        ...(this.name === 'arrow' ? { endArrowhead: 'arrow' } : {}),
      });
      this.id = el.id;
      ctx.commands.dispatch({ type: 'add', elements: [el] });
      this.go('dragging');
      return;
    }
    if (this.state === 'dragging' && this.id) {
      const g = this.geometry(e.point);
      ctx.interactive.bindingTarget = this.endTarget?.id ?? null;
      ctx.invalidate('interactive');
      ctx.queueUpdate(this.id, { ...g.fields, start: g.start, end: g.end });
    }
  }

  override onPointerUp(_e: PointerInput): void {
    const { ctx } = this;
    if (this.state === 'dragging' && this.id) {
      ctx.flushUpdates();
      ctx.commands.endGesture();
      const id = this.id;
      this.reset();
      ctx.setSelection([id]);
      ctx.setTool('select');
      return;
    }
    this.reset();
  }

  private reset(): void {
    this.id = null;
    this.startTarget = this.endTarget = undefined;
    this.ctx.interactive.bindingTarget = null;
    this.ctx.invalidate('interactive');
    this.go('idle');
  }

  override cancel(): void {
    if (this.state === 'dragging') {
      this.ctx.discardUpdates();
      this.ctx.commands.cancelGesture();
    }
    this.reset();
  }
}
