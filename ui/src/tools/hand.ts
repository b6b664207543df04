import type { Vec } from '../engine/geometry';
import { type PointerInput, Tool, type ToolContext } from './tool';

/**
 * Hand: `idle → panning → idle`. Keeps the world point under the press under the pointer. Moves
 * the camera only; no commands.
 */
export class HandTool extends Tool {
  readonly name = 'hand' as const;
  private anchor: Vec | null = null;

  constructor(ctx: ToolContext) {
    super(ctx);
  }

  override onPointerDown(e: PointerInput): void {
    this.anchor = e.point;
    this.go('panning');
  }

  override onPointerMove(e: PointerInput): void {
    if (this.state !== 'panning' || !this.anchor) return;
    const vp = this.ctx.viewport;
    // e.point was computed with the current camera; shift the camera so the anchor is under it.
    vp.set(vp.x - (e.point.x - this.anchor.x), vp.y - (e.point.y - this.anchor.y), vp.zoom);
    this.ctx.invalidate('both');
  }

  override onPointerUp(): void {
    this.anchor = null;
    this.go('idle');
  }
}
