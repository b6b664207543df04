import { elementBounds, type Rect, rectContainsRect, type Vec } from '../engine/geometry';
import type { ElementKind } from '../model/types';
import { type PointerInput, Tool, type ToolContext, type ToolName } from './tool';

type BoxKind = 'rectangle' | 'ellipse' | 'diamond' | 'frame';

/** Default size of a shape made by a click without dragging. */
export const CLICK_SIZE: Record<BoxKind, [number, number]> = {
  rectangle: [120, 80],
  ellipse: [120, 80],
  diamond: [120, 80],
  frame: [400, 300],
};

/** Box from the press point to the pointer; Shift keeps it square, Alt grows it from the centre. */
export function dragBox(origin: Vec, p: Vec, square: boolean, fromCentre: boolean) {
  let dx = p.x - origin.x;
  let dy = p.y - origin.y;
  if (square) {
    const s = Math.max(Math.abs(dx), Math.abs(dy));
    dx = Math.sign(dx || 1) * s;
    dy = Math.sign(dy || 1) * s;
  }
  if (fromCentre) {
    return { x: origin.x - Math.abs(dx), y: origin.y - Math.abs(dy), width: 2 * Math.abs(dx), height: 2 * Math.abs(dy) };
  }
  return { x: Math.min(origin.x, origin.x + dx), y: Math.min(origin.y, origin.y + dy), width: Math.abs(dx), height: Math.abs(dy) };
}

/**
 * Rectangle, ellipse, diamond and frame: `idle → pointing → dragging → idle`. The element is
 * added when the drag starts and resized (at most once per frame) while dragging; the whole drag is
 * one gesture. A click without a drag adds a default-size element centred on the click.
 */
export class ShapeTool extends Tool {
  private origin: Vec = { x: 0, y: 0 };
  private id: string | null = null;
  private targets: Rect[] = [];

  constructor(
    ctx: ToolContext,
    readonly name: ToolName & BoxKind,
  ) {
    super(ctx);
  }

  private get kind(): ElementKind {
    return this.name;
  }

  override onPointerDown(e: PointerInput): void {
    if (this.state !== 'idle') return;
    // Both corners snap: to the grid, or to other elements' edges and centres (Ctrl: neither).
    this.targets = this.ctx.snapTargets(new Set());
    this.origin = this.ctx.snapPoint(e.point, BOTH, this.targets, e.mod);
    this.go('pointing');
  }

  private corner(e: PointerInput): Vec {
    return this.ctx.snapPoint(e.point, BOTH, this.targets, e.mod);
  }

  override onPointerMove(e: PointerInput): void {
    if (this.state === 'pointing' && this.pastThreshold(this.origin, e.point)) {
      const { ctx } = this;
      ctx.commands.beginGesture(`create ${this.kind}`);
      const box = dragBox(this.origin, this.corner(e), e.shift, e.alt);
      const el = ctx.create(this.kind, box.x, box.y, {
        width: box.width,
        height: box.height,
        z: this.kind === 'frame' ? ctx.bottomZ() : ctx.topZ(),
        ...(this.kind === 'frame' ? { name: 'Frame', fill: 'transparent', strokeWidth: 1 } : {}),
      });
      this.id = el.id;
      ctx.commands.dispatch({ type: 'add', elements: [el] });
      ctx.setSelection([el.id]);
      this.go('dragging');
      return;
    }
    if (this.state === 'dragging' && this.id) {
      const box = dragBox(this.origin, this.corner(e), e.shift, e.alt);
      this.ctx.queueUpdate(this.id, box);
    }
  }

  override onPointerUp(e: PointerInput): void {
    const { ctx } = this;
    if (this.state === 'pointing') {
      const [w, h] = CLICK_SIZE[this.name];
      ctx.commands.beginGesture(`create ${this.kind}`);
      const el = ctx.create(this.kind, e.point.x - w / 2, e.point.y - h / 2, {
        width: w,
        height: h,
        z: this.kind === 'frame' ? ctx.bottomZ() : ctx.topZ(),
        ...(this.kind === 'frame' ? { name: 'Frame', strokeWidth: 1 } : {}),
      });
      ctx.commands.dispatch({ type: 'add', elements: [el] });
      this.adoptIntoFrame(el.id);
      ctx.commands.endGesture();
      this.finish(el.id);
      return;
    }
    if (this.state === 'dragging' && this.id) {
      ctx.flushUpdates();
      this.adoptIntoFrame(this.id);
      ctx.commands.endGesture();
      this.finish(this.id);
    }
  }

  /** A new frame takes in the elements lying wholly inside it. */
  private adoptIntoFrame(id: string): void {
    if (this.kind !== 'frame') return;
    const frame = this.ctx.store.get(id);
    if (!frame) return;
    const fb = elementBounds(frame);
    const inside: string[] = [];
    for (const cand of this.ctx.spatial.query(fb)) {
      const el = this.ctx.store.get(cand);
      if (!el || el.id === id || el.kind === 'frame' || el.frameId) continue;
      if (rectContainsRect(fb, elementBounds(el))) inside.push(el.id);
    }
    if (inside.length) this.ctx.commands.dispatch({ type: 'update', updates: inside.map((i) => ({ id: i, patch: { frameId: id } })) });
  }

  private finish(id: string): void {
    this.id = null;
    this.targets = [];
    this.ctx.interactive.guides = null;
    this.go('idle');
    this.ctx.setSelection([id]);
    this.ctx.setTool('select');
  }

  override cancel(): void {
    if (this.state === 'dragging') {
      this.ctx.discardUpdates();
      this.ctx.commands.cancelGesture();
    }
    this.id = null;
    this.targets = [];
    this.ctx.interactive.guides = null;
    this.ctx.invalidate('interactive');
    this.go('idle');
  }
}

const BOTH = { x: true, y: true };

