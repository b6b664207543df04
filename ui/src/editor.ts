import type { Commands } from './engine/commands';
import {
  elementBounds,
  hitTest,
  inflate,
  reboundArrow,
  unionRects,
  type Vec,
} from './engine/geometry';
import type { InteractiveState } from './engine/renderer';
import { type FrameScheduler, FrameCoalescer, rafScheduler } from './engine/scheduler';
import { SpatialIndex, visibleInOrder } from './engine/spatial';
import type { Store } from './engine/store';
import { Viewport } from './engine/viewport';
import { type Element, type ElementKind, type ElementPatch, newElement } from './model/types';
import { isValidOrderKey, keyBetween, nKeysBetween } from './model/zorder';
import { EraserTool } from './tools/eraser';
import { HandTool } from './tools/hand';
import { type Action, resolveKey } from './tools/keymap';
import { LinearTool } from './tools/linear';
import { PenTool } from './tools/pen';
import { SelectTool } from './tools/select';
import { ShapeTool } from './tools/shape';
import { commitText, TextTool } from './tools/text';
import type { KeyInput, PointerInput, Style, Tool, ToolContext, ToolName } from './tools/tool';
import { LINE_HEIGHT } from './engine/renderer';

/** Screen pixels of slack when hit testing. */
export const HIT_PX = 6;

export interface EditorOptions {
  store: Store;
  commands: Commands;
  scheduler?: FrameScheduler;
  viewport?: Viewport;
  /** Called when a layer needs repainting. */
  invalidate?: (layer: 'static' | 'interactive' | 'both') => void;
  /** Opens a text editor; must eventually call `done`. */
  editText?: (el: Element, done: (text: string | null) => void) => void;
  measureText?: (text: string, fontSize: number, fontFamily: string) => { width: number; height: number };
  newId?: () => string;
  /** Shortcut sheet toggle. */
  onHelp?: () => void;
  /** Tool or selection changed (for toolbars). */
  onChange?: () => void;
  onTransition?: (tool: ToolName, from: string, to: string) => void;
}

let idCounter = 0;
function defaultId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID().slice(0, 8) : Math.random().toString(36).slice(2, 10);
  return `${rnd}${(idCounter++).toString(36)}`;
}

function defaultStyle(): Style {
  const { stroke, fill, fillStyle, strokeWidth, strokeStyle, roughness, opacity, fontSize, fontFamily } =
    newElement('', 'rectangle', 0, 0);
  return { stroke, fill, fillStyle, strokeWidth, strokeStyle, roughness, opacity, fontSize, fontFamily };
}

/** Wires the model, the index, the camera and the tools together; no DOM. */
export class Editor implements ToolContext {
  readonly store: Store;
  readonly spatial = new SpatialIndex();
  readonly viewport: Viewport;
  readonly commands: Commands;
  readonly interactive: InteractiveState & { selection: Set<string> } = { selection: new Set() };
  /** The style new elements get; it starts at the model's defaults (see `newElement`). */
  readonly style: Style = defaultStyle();
  readonly tools: Record<ToolName, Tool>;
  private current: ToolName = 'select';
  /** The tool to return to when Space is released. */
  private spaceReturn: ToolName | null = null;
  private pendingUpdates = new Map<string, ElementPatch>();
  private readonly updates: FrameCoalescer;
  onTransition?: (tool: ToolName, from: string, to: string) => void;

  constructor(private readonly opts: EditorOptions) {
    this.store = opts.store;
    this.commands = opts.commands;
    this.viewport = opts.viewport ?? new Viewport();
    this.onTransition = opts.onTransition;
    this.updates = new FrameCoalescer(opts.scheduler ?? rafScheduler, () => this.sendUpdates());
    for (const el of this.store.values()) this.spatial.upsert(el);
    for (const el of this.store.values()) this.indexBindings(el);
    this.store.subscribeSync((diff) => {
      for (const el of diff.added) this.spatial.upsert(el);
      for (const el of diff.updated) this.spatial.upsert(el);
      for (const el of diff.added) this.indexBindings(el);
      for (const el of diff.updated) this.indexBindings(el);
      for (const id of diff.removed) {
        this.spatial.remove(id);
        this.unindexBindings(id);
        if (this.interactive.selection.delete(id)) this.opts.onChange?.();
      }
      this.invalidate('both');
    });
    this.viewport.onChange(() => this.invalidate('both'));
    this.tools = {
      select: new SelectTool(this),
      hand: new HandTool(this),
      rectangle: new ShapeTool(this, 'rectangle'),
      ellipse: new ShapeTool(this, 'ellipse'),
      diamond: new ShapeTool(this, 'diamond'),
      frame: new ShapeTool(this, 'frame'),
      line: new LinearTool(this, 'line'),
      arrow: new LinearTool(this, 'arrow'),
      pen: new PenTool(this),
      text: new TextTool(this, 'text'),
      sticky: new TextTool(this, 'sticky'),
      eraser: new EraserTool(this),
    };
  }

  /** target id → ids of the lines/arrows with an end bound to it. */
  private readonly boundTo = new Map<string, Set<string>>();
  private readonly targetsOf = new Map<string, string[]>();

  private indexBindings(el: Element): void {
    this.unindexBindings(el.id);
    const targets = [el.start?.element, el.end?.element].filter((t): t is string => !!t);
    if (!targets.length) return;
    this.targetsOf.set(el.id, targets);
    for (const t of targets) {
      let set = this.boundTo.get(t);
      if (!set) this.boundTo.set(t, (set = new Set()));
      set.add(el.id);
    }
  }

  private unindexBindings(id: string): void {
    for (const t of this.targetsOf.get(id) ?? []) {
      const set = this.boundTo.get(t);
      set?.delete(id);
      if (set?.size === 0) this.boundTo.delete(t);
    }
    this.targetsOf.delete(id);
  }

  /** Ids of the lines/arrows bound to any of `targets`. */
  arrowsBoundTo(targets: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const t of targets) for (const a of this.boundTo.get(t) ?? []) out.add(a);
    return out;
  }

  // --- ToolContext ---------------------------------------------------------------------------

  get tool(): Tool {
    return this.tools[this.current];
  }
  get toolName(): ToolName {
    return this.current;
  }

  setTool(name: ToolName): void {
    if (name === this.current) return;
    this.tool.cancel();
    this.current = name;
    this.spaceReturn = null;
    this.interactive.hovered = null;
    this.invalidate('interactive');
    this.opts.onChange?.();
  }

  setSelection(ids: Iterable<string>): void {
    this.interactive.selection = new Set(ids);
    this.invalidate('interactive');
    this.opts.onChange?.();
  }

  invalidate(layer: 'static' | 'interactive' | 'both' = 'both'): void {
    this.opts.invalidate?.(layer);
  }

  newId(): string {
    return (this.opts.newId ?? defaultId)();
  }

  private validZs(): string[] {
    return this.store
      .sorted()
      .map((e) => e.z)
      .filter(isValidOrderKey);
  }

  topZ(): string {
    return keyBetween(this.validZs().at(-1) ?? null, null);
  }

  bottomZ(): string {
    return keyBetween(null, this.validZs()[0] ?? null);
  }

  create(kind: ElementKind, x: number, y: number, init: Partial<Element> = {}): Element {
    return newElement(this.newId(), kind, x, y, { ...this.style, ...init });
  }

  queueUpdate(id: string, patch: ElementPatch): void {
    this.pendingUpdates.set(id, { ...this.pendingUpdates.get(id), ...patch });
    this.updates.schedule();
  }

  flushUpdates(): void {
    this.updates.flushNow();
  }

  discardUpdates(): void {
    this.pendingUpdates.clear();
  }

  private sendUpdates(): void {
    if (this.pendingUpdates.size === 0) return;
    const updates = [...this.pendingUpdates].map(([id, patch]) => ({ id, patch }));
    this.pendingUpdates.clear();
    this.commands.dispatch({ type: 'update', updates });
  }

  hitElement(p: Vec, filter?: (el: Element) => boolean): Element | undefined {
    const tol = HIT_PX / this.viewport.zoom;
    let best: Element | undefined;
    for (const id of this.spatial.query(inflate({ x: p.x, y: p.y, width: 0, height: 0 }, tol))) {
      const el = this.store.get(id);
      if (!el || el.locked || (filter && !filter(el))) continue;
      if (!hitTest(el, p, tol)) continue;
      if (!best || el.z > best.z || (el.z === best.z && el.id > best.id)) best = el;
    }
    return best;
  }

  groupOf(el: Element): string[] {
    const g = el.groupIds?.at(-1);
    if (!g) return [el.id];
    return [...this.store.values()].filter((e) => e.groupIds?.includes(g)).map((e) => e.id);
  }

  editText(id: string, done: (text: string | null) => void): void {
    const el = this.store.get(id);
    if (!el) return done(null);
    if (this.opts.editText) this.opts.editText(el, done);
    else done(null);
  }

  editTextOf(id: string): void {
    if (!this.store.get(id)) return;
    this.commands.beginGesture('edit text');
    this.editText(id, (text) => {
      if (text !== null) commitText(this, id, text, false);
      this.commands.endGesture();
    });
  }

  measureText(text: string, fontSize: number, fontFamily: string): { width: number; height: number } {
    if (this.opts.measureText) return this.opts.measureText(text, fontSize, fontFamily);
    const lines = text.split('\n');
    return {
      width: Math.max(1, ...lines.map((l) => l.length * fontSize * 0.6)),
      height: lines.length * fontSize * LINE_HEIGHT,
    };
  }

  followBindings(moved: ReadonlyMap<string, Element>): { id: string; patch: ElementPatch }[] {
    if (moved.size === 0) return [];
    const out: { id: string; patch: ElementPatch }[] = [];
    const get = (id: string) => moved.get(id) ?? this.store.get(id);
    for (const aid of this.arrowsBoundTo(moved.keys())) {
      const el = this.store.get(aid);
      if (!el || moved.has(el.id) || el.angle) continue;
      const s = el.start && moved.has(el.start.element);
      const e = el.end && moved.has(el.end.element);
      if (!s && !e) continue;
      const g = reboundArrow(el, get);
      if (g) out.push({ id: el.id, patch: g });
    }
    return out;
  }

  // --- Input -----------------------------------------------------------------------------------

  pointerDown(e: PointerInput): void {
    this.lastMove = e.point;
    this.tool.onPointerDown(e);
  }
  private lastMove: Vec | null = null;

  pointerMove(e: PointerInput): void {
    this.lastMove = e.point;
    this.tool.onPointerMove(e);
  }
  /** A release away from the last move point is first delivered as a move, then as the release. */
  pointerUp(e: PointerInput): void {
    const m = this.lastMove;
    if (!m || m.x !== e.point.x || m.y !== e.point.y) this.pointerMove(e);
    this.lastMove = null;
    this.tool.onPointerUp(e);
  }
  doubleClick(e: PointerInput): void {
    this.tool.onDoubleClick(e);
  }

  /** Handles a key press; returns whether it was used. */
  keyDown(e: KeyInput): boolean {
    if (e.key === ' ' && !e.mod) {
      if (this.spaceReturn === null && this.current !== 'hand' && this.tool.state === 'idle') {
        const back = this.current;
        this.setTool('hand');
        this.spaceReturn = back;
      }
      return true;
    }
    const action = resolveKey(e);
    if (!action) return false;
    this.run(action);
    return true;
  }

  keyUp(e: KeyInput): void {
    if (e.key === ' ' && this.spaceReturn !== null) {
      const back = this.spaceReturn;
      this.tool.cancel();
      this.spaceReturn = null;
      this.setTool(back);
    }
  }

  run(action: Action): void {
    const busy = this.tool.state !== 'idle';
    switch (action.type) {
      case 'tool':
        this.setTool(action.tool);
        return;
      case 'cancel':
        if (busy) this.tool.cancel();
        else if (this.interactive.selection.size) this.setSelection([]);
        else this.setTool('select');
        return;
      case 'help':
        this.opts.onHelp?.();
        return;
      case 'zoomToFit':
        this.zoomToFit();
        return;
      case 'zoomToSelection':
        this.zoomToSelection();
        return;
      case 'zoomIn':
        this.viewport.zoomBy(1.25);
        return;
      case 'zoomOut':
        this.viewport.zoomBy(0.8);
        return;
      case 'resetZoom':
        this.viewport.zoomAt({ x: this.viewport.width / 2, y: this.viewport.height / 2 }, 1);
        return;
    }
    if (busy) return; // no edits in the middle of a gesture
    switch (action.type) {
      case 'undo':
        this.commands.undo();
        return;
      case 'redo':
        this.commands.redo();
        return;
      case 'selectAll':
        this.setTool('select');
        this.setSelection([...this.store.values()].filter((e) => !e.locked).map((e) => e.id));
        return;
      case 'delete':
        this.deleteSelection();
        return;
      case 'duplicate':
        this.duplicateSelection();
        return;
      case 'group':
        this.groupSelection();
        return;
      case 'ungroup':
        this.ungroupSelection();
        return;
      case 'bringToFront':
      case 'sendToBack':
        this.reorderSelection(action.type === 'bringToFront');
        return;
    }
  }

  private selectedElements(): Element[] {
    return this.store.sorted().filter((e) => this.interactive.selection.has(e.id));
  }

  deleteSelection(): void {
    const sel = this.selectedElements().filter((e) => !e.locked);
    if (!sel.length) return;
    const gone = new Set(sel.map((e) => e.id));
    this.commands.beginGesture('delete');
    const unbind = [...this.arrowsBoundTo(gone)]
      .map((id) => this.store.get(id)!)
      .filter((el) => !gone.has(el.id))
      .map((el) => ({
        id: el.id,
        patch: {
          ...(el.start && gone.has(el.start.element) ? { start: null } : {}),
          ...(el.end && gone.has(el.end.element) ? { end: null } : {}),
        },
      }));
    if (unbind.length) this.commands.dispatch({ type: 'update', updates: unbind });
    this.commands.dispatch({ type: 'delete', ids: [...gone] });
    this.commands.endGesture();
    this.setSelection([]);
  }

  duplicateSelection(offset = 10): void {
    const sel = this.selectedElements();
    if (!sel.length) return;
    const idMap = new Map(sel.map((e) => [e.id, this.newId()]));
    const groupMap = new Map<string, string>();
    const zs = nKeysBetween(this.validZs().at(-1) ?? null, null, sel.length);
    const copies = sel.map((e, i) => {
      const c: Element = { ...e, id: idMap.get(e.id)!, x: e.x + offset, y: e.y + offset, z: zs[i]! };
      if (e.groupIds) c.groupIds = e.groupIds.map((g) => groupMap.get(g) ?? groupMap.set(g, this.newId()).get(g)!);
      if (e.start) {
        if (idMap.has(e.start.element)) c.start = { ...e.start, element: idMap.get(e.start.element)! };
        else delete c.start;
      }
      if (e.end) {
        if (idMap.has(e.end.element)) c.end = { ...e.end, element: idMap.get(e.end.element)! };
        else delete c.end;
      }
      if (e.frameId && idMap.has(e.frameId)) c.frameId = idMap.get(e.frameId)!;
      return c;
    });
    this.commands.beginGesture('duplicate');
    this.commands.dispatch({ type: 'add', elements: copies });
    this.commands.endGesture();
    this.setSelection(copies.map((c) => c.id));
  }

  groupSelection(): void {
    const sel = this.selectedElements();
    if (sel.length < 2) return;
    this.commands.beginGesture('group');
    this.commands.dispatch({ type: 'group', ids: sel.map((e) => e.id), groupId: this.newId() });
    this.commands.endGesture();
  }

  ungroupSelection(): void {
    const sel = this.selectedElements();
    const outer = new Set(sel.map((e) => e.groupIds?.at(-1)).filter((g): g is string => !!g));
    if (!outer.size) return;
    this.commands.beginGesture('ungroup');
    for (const g of outer) {
      this.commands.dispatch({ type: 'ungroup', ids: sel.filter((e) => e.groupIds?.includes(g)).map((e) => e.id), groupId: g });
    }
    this.commands.endGesture();
  }

  reorderSelection(toFront: boolean): void {
    const sel = this.selectedElements();
    if (!sel.length) return;
    const zs = this.store
      .sorted()
      .filter((e) => !this.interactive.selection.has(e.id))
      .map((e) => e.z)
      .filter(isValidOrderKey);
    const keys = toFront ? nKeysBetween(zs.at(-1) ?? null, null, sel.length) : nKeysBetween(null, zs[0] ?? null, sel.length);
    this.commands.beginGesture(toFront ? 'bring to front' : 'send to back');
    this.commands.dispatch({ type: 'reorder', moves: sel.map((e, i) => ({ id: e.id, z: keys[i]! })) });
    this.commands.endGesture();
  }

  zoomToFit(): void {
    const b = unionRects([...this.store.values()].map(elementBounds));
    if (b) this.viewport.fitRect(b, 40, 1);
  }

  zoomToSelection(): void {
    const b = unionRects(this.selectedElements().map(elementBounds));
    if (b) this.viewport.fitRect(b, 40, 10);
  }

  /** Elements to paint this frame: those in view, in drawing order. */
  visibleElements(): Element[] {
    return visibleInOrder(this.spatial, (id) => this.store.get(id), this.viewport.visibleWorld());
  }

}
