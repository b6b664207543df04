import { Tool, type PointerInput } from './tool';

/**
 * Places a comment thread: a click (not a drag) on an element pins the thread to it, elsewhere
 * to the board point. The thread itself is made by the app once its first message is written.
 */
export class CommentTool extends Tool {
  readonly name = 'comment' as const;
  private down: PointerInput | null = null;

  override onPointerDown(e: PointerInput): void {
    this.down = e;
    this.go('pointing');
  }

  override onPointerMove(e: PointerInput): void {
    if (this.down && this.pastThreshold(this.down.point, e.point)) {
      this.down = null;
      this.go('idle');
    }
  }

  override onPointerUp(e: PointerInput): void {
    if (!this.down) return;
    this.down = null;
    this.go('idle');
    const el = this.ctx.hitElement(e.point);
    const x = Math.round(e.point.x * 100) / 100;
    const y = Math.round(e.point.y * 100) / 100;
    this.ctx.placeComment?.(el ? { element: el.id, x, y } : { x, y });
  }

  override cancel(): void {
    this.down = null;
    super.cancel();
  }
}
