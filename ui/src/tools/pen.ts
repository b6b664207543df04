import { polylineFields, type Vec } from '../engine/geometry';
import { type PointerInput, Tool, type ToolContext } from './tool';

/**
 * Pen: `idle → drawing → idle`. Points (and pressures, from pens) are drawn live on the
 * interactive layer as a perfect-freehand outline; the release adds one `freedraw` element as one
 * gesture. The tool stays active for the next stroke.
 */
export class PenTool extends Tool {
  readonly name = 'pen' as const;
  private points: Vec[] = [];
  private pressures: number[] = [];
  private hasPressure = false;

  constructor(ctx: ToolContext) {
    super(ctx);
  }

  override onPointerDown(e: PointerInput): void {
    if (this.state !== 'idle') return;
    this.hasPressure = e.pointerType === 'pen';
    this.points = [e.point];
    this.pressures = [e.pressure];
    this.go('drawing');
    this.updateDraft();
  }

  override onPointerMove(e: PointerInput): void {
    if (this.state !== 'drawing') return;
    const last = this.points.at(-1)!;
    // Ignore sub-pixel jitter.
    if (Math.hypot(e.point.x - last.x, e.point.y - last.y) * this.ctx.viewport.zoom < 0.5) return;
    this.points.push(e.point);
    this.pressures.push(e.pressure);
    this.updateDraft();
  }

  private updateDraft(): void {
    const { style } = this.ctx;
    this.ctx.interactive.draft = {
      points: this.points,
      pressures: this.hasPressure ? this.pressures : [],
      color: style.stroke,
      strokeWidth: style.strokeWidth,
      opacity: style.opacity,
    };
    this.ctx.invalidate('interactive');
  }

  override onPointerUp(_e: PointerInput): void {
    if (this.state !== 'drawing') return;
    const { ctx } = this;
    const f = polylineFields(this.points);
    const el = ctx.create('freedraw', f.x, f.y, {
      ...f,
      z: ctx.topZ(),
      ...(this.hasPressure ? { pressures: this.pressures.map((p) => Math.max(0, Math.min(1, p))) } : {}),
    });
    ctx.commands.beginGesture('draw');
    ctx.commands.dispatch({ type: 'add', elements: [el] });
    ctx.commands.endGesture();
    this.clear();
  }

  private clear(): void {
    this.points = [];
    this.pressures = [];
    this.ctx.interactive.draft = null;
    this.ctx.invalidate('interactive');
    this.go('idle');
  }

  override cancel(): void {
    this.clear();
  }
}
