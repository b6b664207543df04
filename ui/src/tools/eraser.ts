import { hitTest, inflate, rectFromPoints, type Vec } from '../engine/geometry';
import { type PointerInput, Tool, type ToolContext } from './tool';

/** Eraser radius in screen pixels. */
export const ERASER_PX = 6;

/**
 * Eraser: `idle → erasing → idle`. Elements the pointer passes over are marked (drawn faded on the
 * board layer, as Excalidraw previews an erase) and deleted together on release, as one gesture.
 * Escape keeps them.
 */
export class EraserTool extends Tool {
  readonly name = 'eraser' as const;
  private last: Vec | null = null;
  private marked = new Set<string>();

  constructor(ctx: ToolContext) {
    super(ctx);
  }

  override onPointerDown(e: PointerInput): void {
    this.marked = new Set();
    this.last = e.point;
    this.go('erasing');
    this.sweep(e.point, e.point);
  }

  override onPointerMove(e: PointerInput): void {
    if (this.state !== 'erasing' || !this.last) return;
    this.sweep(this.last, e.point);
    this.last = e.point;
  }

  /** Marks every element touched along the segment a→b. */
  private sweep(a: Vec, b: Vec): void {
    const { ctx } = this;
    const tol = ERASER_PX / ctx.viewport.zoom;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const steps = Math.max(1, Math.ceil(len / tol));
    const before = this.marked.size;
    for (const id of ctx.spatial.query(inflate(rectFromPoints(a, b), tol))) {
      if (this.marked.has(id)) continue;
      const el = ctx.store.get(id);
      if (!el || el.locked) continue;
      for (let i = 0; i <= steps; i++) {
        const t = i / steps;
        if (hitTest(el, { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, tol)) {
          for (const gid of ctx.groupOf(el)) this.marked.add(gid);
          break;
        }
      }
    }
    const grew = this.marked.size !== before;
    ctx.interactive.erasing = this.marked;
    // The board layer draws what will go faded (Excalidraw's preview): repaint it when that grew.
    ctx.invalidate(grew ? 'both' : 'interactive');
  }

  override onPointerUp(): void {
    if (this.state !== 'erasing') return;
    const { ctx } = this;
    if (this.marked.size > 0) {
      const ids = [...this.marked];
      ctx.commands.beginGesture('erase');
      const gone = new Set(ids);
      const unbind = [...ctx.store.values()]
        .filter((el) => !gone.has(el.id) && ((el.start && gone.has(el.start.element)) || (el.end && gone.has(el.end.element))))
        .map((el) => ({
          id: el.id,
          patch: {
            ...(el.start && gone.has(el.start.element) ? { start: null } : {}),
            ...(el.end && gone.has(el.end.element) ? { end: null } : {}),
          },
        }));
      if (unbind.length) ctx.commands.dispatch({ type: 'update', updates: unbind });
      ctx.commands.dispatch({ type: 'delete', ids });
      ctx.commands.endGesture();
      ctx.setSelection([...ctx.interactive.selection].filter((id) => !gone.has(id)));
    }
    this.reset();
  }

  private reset(): void {
    this.marked = new Set();
    this.last = null;
    this.ctx.interactive.erasing = undefined;
    this.ctx.invalidate('both');
    this.go('idle');
  }

  override cancel(): void {
    this.reset();
  }
}
