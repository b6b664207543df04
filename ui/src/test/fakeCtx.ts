import type { Ctx2D } from '../engine/renderer';

export type Call = { op: string; args: unknown[] };

/** A Ctx2D that records every call and property write. */
export class RecordingContext implements Ctx2D {
  calls: Call[] = [];
  globalAlpha = 1;
  strokeStyle: unknown = '#000';
  fillStyle: unknown = '#000';
  lineWidth = 1;
  lineCap = 'butt';
  lineJoin = 'miter';
  font = '10px sans-serif';
  textAlign = 'start';
  textBaseline = 'alphabetic';

  private rec(op: string, args: unknown[]): void {
    this.calls.push({ op, args });
  }
  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }
  of(op: string): unknown[][] {
    return this.calls.filter((c) => c.op === op).map((c) => c.args);
  }
  save() { this.rec('save', []); }
  restore() { this.rec('restore', []); }
  setTransform(...a: number[]) { this.rec('setTransform', a); }
  translate(...a: number[]) { this.rec('translate', a); }
  rotate(...a: number[]) { this.rec('rotate', a); }
  beginPath() { this.rec('beginPath', []); }
  closePath() { this.rec('closePath', []); }
  moveTo(...a: number[]) { this.rec('moveTo', a); }
  lineTo(...a: number[]) { this.rec('lineTo', a); }
  quadraticCurveTo(...a: number[]) { this.rec('quadraticCurveTo', a); }
  bezierCurveTo(...a: number[]) { this.rec('bezierCurveTo', a); }
  ellipse(...a: number[]) { this.rec('ellipse', a); }
  rect(...a: number[]) { this.rec('rect', a); }
  arc(...a: number[]) { this.rec('arc', a); }
  fill(...a: unknown[]) { this.rec('fill', [...a, this.fillStyle]); }
  stroke(...a: unknown[]) { this.rec('stroke', [...a, this.strokeStyle]); }
  clip(...a: unknown[]) { this.rec('clip', a); }
  fillRect(...a: number[]) { this.rec('fillRect', [...a, this.fillStyle]); }
  strokeRect(...a: number[]) { this.rec('strokeRect', a); }
  clearRect(...a: number[]) { this.rec('clearRect', a); }
  fillText(text: string, x: number, y: number) { this.rec('fillText', [text, x, y]); }
  setLineDash(s: number[]) { this.rec('setLineDash', [s]); }
  drawImage(...a: unknown[]) { this.rec('drawImage', a); }
}
