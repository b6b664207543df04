import { localBox, type Vec } from '../engine/geometry';
import { isLabel, labelHeight } from '../engine/text';
import { LINE_HEIGHT } from '../engine/renderer';
import { type PointerInput, Tool, type ToolContext } from './tool';

export const STICKY_SIZE = 200;

/**
 * Commits an edited text: `setText` plus the measured size for text elements; an emptied new
 * text element is deleted. Runs inside the caller's gesture.
 */
export function commitText(ctx: ToolContext, id: string, text: string, isNew: boolean): void {
  const el = ctx.store.get(id);
  if (!el) return;
  if (el.kind === 'text' && text.trim() === '') {
    ctx.commands.dispatch({ type: 'delete', ids: [id] });
    return;
  }
  if (text !== (el.text ?? '') || isNew) ctx.commands.dispatch({ type: 'setText', id, text });
  if (el.kind === 'text') {
    const m = ctx.measureText(text, el.fontSize, el.fontFamily);
    ctx.commands.dispatch({ type: 'update', updates: [{ id, patch: { width: m.width, height: m.height } }] });
  } else if (isLabel(el) && !el.angle) {
    // As Excalidraw grows a container to fit its text: a label that wraps to more lines than the
    // box holds makes the box taller, downwards (never shorter).
    const need = labelHeight(el, localBox(el), (l, size, family) => ctx.measureLine(l, size, family), text);
    if (need > el.height) {
      const grown = { ...el, height: need };
      ctx.commands.dispatch({ type: 'update', updates: [{ id, patch: { height: need } }, ...ctx.followBindings(new Map([[id, grown]]))] });
    }
  }
}

/**
 * Text and sticky: `idle → pointing → editing → idle`. A click creates the element and opens the
 * editor (a text click on an existing text edits it instead); creation and the typed text are one
 * gesture. An empty new text is removed when the editor closes.
 */
export class TextTool extends Tool {
  private origin: Vec = { x: 0, y: 0 };

  constructor(
    ctx: ToolContext,
    readonly name: 'text' | 'sticky',
  ) {
    super(ctx);
  }

  override onPointerDown(e: PointerInput): void {
    if (this.state !== 'idle') return;
    this.origin = e.point;
    this.go('pointing');
  }

  override onPointerUp(_e: PointerInput): void {
    if (this.state !== 'pointing') return;
    const { ctx } = this;
    const p = this.origin;
    const existing = this.name === 'text' ? ctx.hitElement(p, (el) => el.kind === 'text') : undefined;
    ctx.commands.beginGesture(`${this.name}`);
    let id: string;
    let isNew = false;
    if (existing) {
      id = existing.id;
    } else {
      const el =
        this.name === 'sticky'
          ? ctx.create('sticky', p.x - STICKY_SIZE / 2, p.y - STICKY_SIZE / 2, {
              width: STICKY_SIZE,
              height: STICKY_SIZE,
              z: ctx.topZ(),
              fill: '#fff3a0',
              stroke: '#1e1e1e',
            })
          : ctx.create('text', p.x, p.y - (ctx.style.fontSize * LINE_HEIGHT) / 2, {
              width: 1,
              height: ctx.style.fontSize * LINE_HEIGHT,
              z: ctx.topZ(),
            });
      ctx.commands.dispatch({ type: 'add', elements: [el] });
      id = el.id;
      isNew = true;
    }
    ctx.setSelection([id]);
    this.go('editing');
    ctx.editText(id, (text) => {
      if (this.state !== 'editing') return;
      if (text === null) {
        if (isNew && this.name === 'text') ctx.commands.cancelGesture();
        else ctx.commands.endGesture();
      } else {
        commitText(ctx, id, text, isNew);
        ctx.commands.endGesture();
      }
      this.go('idle');
      ctx.setSelection(ctx.store.has(id) ? [id] : []);
      ctx.setTool('select');
    });
  }

  override cancel(): void {
    if (this.state === 'editing') this.ctx.commands.endGesture();
    this.go('idle');
  }
}
