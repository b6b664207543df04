import { type Alignment, alignOffsets, type Axis, distributeOffsets, stepOrder } from './engine/arrange';
import { prepareInsert } from './clipboard/paste';
import type { Commands } from './engine/commands';
import {
  elementBounds,
  hitTest,
  pickInside,
  inflate,
  absolutePoints,
  polylineFields,
  type Rect,
  unionRects,
  type Vec,
} from './engine/geometry';
import type { InteractiveState } from './engine/renderer';
import { type FrameScheduler, FrameCoalescer, rafScheduler } from './engine/scheduler';
import { rerouteArrow } from './engine/elbow';
import { GRID_SIZE, SNAP_PX, snapPoint as snapToTargets, toGrid } from './engine/snap';
import { SpatialIndex, visibleInOrder } from './engine/spatial';
import type { Store } from './engine/store';
import { DirtyLog, indexBatch } from './engine/tiles';
import { Viewport, wheelZoomFactor } from './engine/viewport';
import { type Element, type ElementKind, type ElementPatch, hasEdges, newElement } from './model/types';
import { isValidOrderKey, keyBetween, nKeysBetween } from './model/zorder';
import { EraserTool } from './tools/eraser';
import { HandTool } from './tools/hand';
import { type Action, resolveKey } from './tools/keymap';
import { LinearTool } from './tools/linear';
import { PenTool } from './tools/pen';
import { SelectTool } from './tools/select';
import { ShapeTool } from './tools/shape';
import { commitText, TextTool } from './tools/text';
import { CommentTool } from './tools/comment';
import { actionAllowed, defaultTool, type Mode, toolAllowed } from './tools/mode';
import type { CommentAnchor, KeyInput, PointerInput, Style, Tool, ToolContext, ToolName } from './tools/tool';
import { LINE_HEIGHT } from './engine/renderer';
import { estimateLine, type LineMeasure } from './engine/text';

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
  /** One line's width as the canvas draws it (labels wrap by it); without it, `estimateLine`. */
  measureLine?: LineMeasure;
  newId?: () => string;
  /** Shortcut sheet toggle. */
  onHelp?: () => void;
  /** Tool or selection changed (for toolbars). */
  onChange?: () => void;
  /** The minimap toggle (M). */
  onToggleMinimap?: () => void;
  /** Insert an image (9): the system's file picker. */
  onInsertImage?: () => void;
  onTransition?: (tool: ToolName, from: string, to: string) => void;
  /** The comment tool placed a thread. */
  onPlaceComment?: (anchor: CommentAnchor) => void;
}

let idCounter = 0;
function defaultId(): string {
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID().slice(0, 8) : Math.random().toString(36).slice(2, 10);
  return `${rnd}${(idCounter++).toString(36)}`;
}

function defaultStyle(): Style {
  const { stroke, fill, fillStyle, strokeWidth, strokeStyle, roughness, rounded, opacity, fontSize, fontFamily } =
    newElement('', 'rectangle', 0, 0);
  return { stroke, fill, fillStyle, strokeWidth, strokeStyle, roughness, rounded, opacity, fontSize, fontFamily };
}

/** Wires the model, the index, the camera and the tools together; no DOM. */
export class Editor implements ToolContext {
  readonly store: Store;
  readonly spatial = new SpatialIndex();
  /** What each recent store revision changed, for the renderer's tiles. */
  readonly dirty = new DirtyLog();
  readonly viewport: Viewport;
  readonly commands: Commands;
  readonly interactive: InteractiveState & { selection: Set<string> } = { selection: new Set() };
  /** The style new elements get; it starts at the model's defaults (see `newElement`). */
  readonly style: Style = defaultStyle();
  readonly tools: Record<ToolName, Tool>;
  private current: ToolName = 'select';
  /** What the local user may do (the board's access level): tools and actions are gated on it. */
  private modeValue: Mode = 'edit';
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
      indexBatch(this.spatial, diff, this.dirty, this.store.revision);
      for (const el of diff.added) this.indexBindings(el);
      for (const el of diff.updated) this.indexBindings(el);
      for (const id of diff.removed) {
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
      comment: new CommentTool(this),
    };
  }

  get mode(): Mode {
    return this.modeValue;
  }

  /** Switches the editing mode; a tool the mode forbids gives way to its default tool. */
  setMode(mode: Mode): void {
    if (mode === this.modeValue) return;
    this.modeValue = mode;
    if (mode !== 'edit') {
      this.tool.cancel();
      if (this.interactive.selection.size) this.setSelection([]);
    }
    if (!toolAllowed(mode, this.current)) this.setTool(defaultTool(mode));
    else if (mode === 'edit' && this.current === 'hand') this.setTool('select');
    this.opts.onChange?.();
  }

  placeComment(anchor: CommentAnchor): void {
    this.opts.onPlaceComment?.(anchor);
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
    if (name === this.current || !toolAllowed(this.modeValue, name)) return;
    this.tool.cancel();
    this.current = name;
    this.spaceReturn = null;
    this.interactive.hovered = null;
    this.invalidate('interactive');
    this.opts.onChange?.();
  }

  setSelection(ids: Iterable<string>): void {
    this.interactive.selection = new Set(ids);
    this.interactive.activePoint = null;
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
    // Round edges carry only to kinds that have edges (not to text, ellipses or pen strokes).
    // Arrowheads are the arrow tool's to set (LinearTool), not every new element's.
    const { startArrowhead: _s, endArrowhead: _e, elbowed: _b, ...style } = this.style;
    return newElement(this.newId(), kind, x, y, { ...style, rounded: this.style.rounded && hasEdges(kind), ...init });
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

  hitElement(p: Vec, filter?: (el: Element) => boolean, inside = false): Element | undefined {
    const tol = HIT_PX / this.viewport.zoom;
    if (inside) {
      const near = this.spatial.query(inflate({ x: p.x, y: p.y, width: 0, height: 0 }, tol));
      const els = [...near].map((id) => this.store.get(id)).filter((el): el is Element => !!el && !el.locked && (!filter || filter(el)));
      return pickInside(els, p, tol);
    }
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
    if (this.modeValue !== 'edit' || !this.store.get(id)) return;
    this.commands.beginGesture('edit text');
    this.editText(id, (text) => {
      if (text !== null) commitText(this, id, text, false);
      this.commands.endGesture();
    });
  }

  addCopies(els: readonly Element[]): Element[] {
    if (!els.length || this.modeValue !== 'edit') return [];
    const copies = prepareInsert(els, { newId: () => this.newId(), top: this.validZs().at(-1) ?? null, offset: 0 });
    this.commands.dispatch({ type: 'add', elements: copies });
    return copies;
  }

  startText(p: Vec): void {
    if (this.modeValue !== 'edit') return;
    this.setTool('text');
    if (this.current !== 'text') return;
    const at = (q: Vec) => ({ point: q, pressure: 0.5, pointerType: 'mouse' as const, button: 0, shift: false, alt: false, mod: false });
    this.tool.onPointerDown(at(p));
    this.tool.onPointerUp(at(p));
  }

  measureLine(line: string, fontSize: number, fontFamily: string): number {
    return (this.opts.measureLine ?? estimateLine)(line, fontSize, fontFamily);
  }

  measureText(text: string, fontSize: number, fontFamily: string): { width: number; height: number } {
    if (this.opts.measureText) return this.opts.measureText(text, fontSize, fontFamily);
    const lines = text.split('\n');
    return {
      width: Math.max(1, ...lines.map((l) => l.length * fontSize * 0.6)),
      height: lines.length * fontSize * LINE_HEIGHT,
    };
  }

  get gridSize(): number | null {
    return this.interactive.grid ?? null;
  }

  /** Shows or hides the grid (Ctrl+'); while it shows, moves, resizes and new shapes snap to it. */
  toggleGrid(): void {
    this.interactive.grid = this.interactive.grid ? null : GRID_SIZE;
    this.invalidate('interactive');
    this.opts.onChange?.();
  }

  snapTargets(moving: ReadonlySet<string>): Rect[] {
    const follow = this.arrowsBoundTo(moving);
    const out: Rect[] = [];
    for (const id of this.spatial.query(this.viewport.visibleWorld())) {
      if (moving.has(id) || follow.has(id)) continue;
      const el = this.store.get(id);
      if (el) out.push(elementBounds(el));
    }
    return out;
  }

  snapPoint(p: Vec, axes: { x: boolean; y: boolean }, targets: readonly Rect[], free: boolean): Vec {
    if (free) {
      this.interactive.guides = null;
      return p;
    }
    const grid = this.gridSize;
    if (grid) {
      this.interactive.guides = null;
      return { x: axes.x ? toGrid(p.x, grid) : p.x, y: axes.y ? toGrid(p.y, grid) : p.y };
    }
    const s = snapToTargets(p, axes, targets, SNAP_PX / this.viewport.zoom);
    this.interactive.guides = s.guides.length ? s.guides : null;
    this.invalidate('interactive');
    return s.point;
  }

  frameChildren(frameId: string): Element[] {
    // A scan, once per gesture on a frame (as `groupOf`); the store keeps no membership index.
    return [...this.store.values()].filter((e) => e.frameId === frameId);
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
      const g = rerouteArrow(el, get);
      if (g) out.push({ id: el.id, patch: g });
    }
    return out;
  }

  // --- Input -----------------------------------------------------------------------------------

  pointerDown(e: PointerInput): void {
    this.lastMove = e.point;
    this.doubleClickSwallowed = false;
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
  /**
   * A wheel event at screen point `s`: with Ctrl (or ⌘, or a trackpad pinch, which browsers send
   * as Ctrl+wheel) it zooms about `s` by `wheelZoomFactor`; otherwise it pans (Shift: sideways).
   */
  wheel(s: Vec, w: { deltaX: number; deltaY: number; deltaMode?: number; zoom: boolean; shift: boolean }): void {
    const vp = this.viewport;
    if (w.zoom) vp.zoomAt(s, vp.zoom * wheelZoomFactor(w.deltaY, w.deltaMode));
    else vp.panBy(-(w.shift ? w.deltaY : w.deltaX), -(w.shift ? 0 : w.deltaY));
  }

  private doubleClickSwallowed = false;

  swallowDoubleClick(): void {
    this.doubleClickSwallowed = true;
  }

  doubleClick(e: PointerInput): void {
    if (this.doubleClickSwallowed) {
      this.doubleClickSwallowed = false;
      return;
    }
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
    if (this.modeValue === 'edit' && this.tool.onKeyDown(e)) return true;
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
    if (!actionAllowed(this.modeValue, action)) return;
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
      case 'toggleMinimap':
        this.opts.onToggleMinimap?.();
        return;
      case 'toggleGrid':
        this.toggleGrid();
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
      case 'insertImage':
        this.opts.onInsertImage?.();
        return;
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
      case 'bringForward':
      case 'sendBackward':
        this.stepSelection(action.type === 'bringForward' ? 1 : -1);
        return;
      case 'align':
        this.alignSelection(action.how);
        return;
      case 'distribute':
        this.distributeSelection(action.axis);
        return;
      case 'toggleLock':
        this.toggleLock();
        return;
    }
  }

  /** The selected elements, in drawing order. */
  selectedElements(): Element[] {
    return this.store.sorted().filter((e) => this.interactive.selection.has(e.id));
  }

  deleteSelection(): void {
    if (this.modeValue !== 'edit') return;
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
    this.insertElements(sel, { offset, label: 'duplicate' });
  }

  /**
   * Adds copies of `elements` (in drawing order) above everything, as one undo step, and selects
   * them: new ids, groups and bindings remapped (see `prepareInsert`), centred on `at` or moved
   * by `offset`.
   */
  insertElements(elements: readonly Element[], where: { at?: Vec; offset?: number; label?: string } = {}): Element[] {
    if (!elements.length || this.modeValue !== 'edit') return [];
    const copies = prepareInsert(elements, { newId: () => this.newId(), top: this.validZs().at(-1) ?? null, at: where.at, offset: where.offset });
    this.commands.beginGesture(where.label ?? 'paste');
    this.commands.dispatch({ type: 'add', elements: copies });
    this.commands.endGesture();
    if (this.current !== 'select') this.setTool('select');
    this.setSelection(copies.map((c) => c.id));
    return copies;
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

  /** One step forward (1) or backward (-1) in drawing order, as one undo step. */
  stepSelection(dir: 1 | -1): void {
    if (!this.interactive.selection.size) return;
    const moves = stepOrder(this.store.sorted(), this.interactive.selection, dir);
    if (!moves.length) return;
    this.commands.beginGesture(dir === 1 ? 'bring forward' : 'send backward');
    this.commands.dispatch({ type: 'reorder', moves });
    this.commands.endGesture();
  }

  /**
   * The selection as the units align and distribute move: each outermost group moves as one,
   * other elements on their own. Locked elements stay where they are.
   */
  private arrangeUnits(): { ids: string[]; bounds: Rect }[] {
    const units = new Map<string, Element[]>();
    for (const el of this.selectedElements()) {
      if (el.locked) continue;
      const key = el.groupIds?.at(-1) ?? `#${el.id}`;
      let list = units.get(key);
      if (!list) units.set(key, (list = []));
      list.push(el);
    }
    return [...units.values()].map((els) => ({ ids: els.map((e) => e.id), bounds: unionRects(els.map(elementBounds))! }));
  }

  private moveUnits(units: { ids: string[] }[], offsets: Vec[], label: string): void {
    const moved = new Map<string, Element>();
    const updates: { id: string; patch: ElementPatch }[] = [];
    units.forEach((u, i) => {
      const d = offsets[i]!;
      if (!d.x && !d.y) return;
      for (const id of u.ids) {
        const el = this.store.get(id)!;
        const patch = { x: el.x + d.x, y: el.y + d.y };
        moved.set(id, { ...el, ...patch });
        updates.push({ id, patch });
      }
    });
    if (!updates.length) return;
    this.commands.beginGesture(label);
    this.commands.dispatch({ type: 'update', updates: [...updates, ...this.followBindings(moved)] });
    this.commands.endGesture();
  }

  /** Aligns 2+ selected elements (or groups) on an edge or centre line of their common bounds. */
  alignSelection(how: Alignment): void {
    const units = this.arrangeUnits();
    if (units.length < 2) return;
    this.moveUnits(units, alignOffsets(units.map((u) => u.bounds), how), 'align');
  }

  /** Spaces 3+ selected elements (or groups) evenly along an axis. */
  distributeSelection(axis: Axis): void {
    const units = this.arrangeUnits();
    if (units.length < 3) return;
    this.moveUnits(units, distributeOffsets(units.map((u) => u.bounds), axis), 'distribute');
  }

  /**
   * Locks the selection, or unlocks it when all of it is locked; with nothing selected, unlocks
   * every locked element (locked elements cannot be clicked, so this is the way back).
   */
  toggleLock(): void {
    const sel = this.selectedElements();
    const targets = sel.length ? sel : [...this.store.values()].filter((e) => e.locked);
    if (!targets.length) return;
    const locked = sel.length ? sel.some((e) => !e.locked) : false;
    const updates = targets.filter((e) => e.locked !== locked).map((e) => ({ id: e.id, patch: { locked } }));
    this.commands.beginGesture(locked ? 'lock' : 'unlock');
    this.commands.dispatch({ type: 'update', updates });
    this.commands.endGesture();
    if (!sel.length) this.setSelection(targets.map((e) => e.id));
    else this.opts.onChange?.();
  }

  /**
   * Sets style fields: the current tool's defaults always, and the selection's elements as one
   * undo step (one patch per element). Text elements are re-measured when their font changes;
   * `rounded` (Edges) goes only to kinds that have edges.
   */
  applyStyle(patch: Partial<Style>): void {
    Object.assign(this.style, patch);
    const updates = this.selectedElements()
      .map((el) => {
        const p: ElementPatch = { ...patch };
        if (!hasEdges(el.kind)) delete p.rounded;
        if (el.kind !== 'arrow') {
          delete p.startArrowhead;
          delete p.endArrowhead;
          delete p.elbowed;
        } else if (p.elbowed !== undefined && p.elbowed !== !!el.elbowed) {
          // Becoming an elbow arrow routes it between its ends; leaving one straightens it.
          const ends = absolutePoints(el);
          const base = { ...el, ...polylineFields([ends[0]!, ends.at(-1)!]), elbowed: p.elbowed, rounded: p.rounded ?? el.rounded };
          if (!p.elbowed) {
            // The sides an elbow route held to: a straight arrow aims at the shapes instead.
            const free = (b: Element['start']) => (b ? { element: b.element, focus: 0, gap: b.gap } : undefined);
            base.start = free(el.start);
            base.end = free(el.end);
            if (el.start) p.start = base.start;
            if (el.end) p.end = base.end;
          }
          Object.assign(p, polylineFields([ends[0]!, ends.at(-1)!]), rerouteArrow(base, (id) => this.store.get(id)) ?? {});
        }
        if (el.kind === 'text' && (patch.fontSize !== undefined || patch.fontFamily !== undefined)) {
          const m = this.measureText(el.text ?? '', patch.fontSize ?? el.fontSize, patch.fontFamily ?? el.fontFamily);
          p.width = m.width;
          p.height = m.height;
        }
        return { id: el.id, patch: p };
      })
      .filter((u) => Object.keys(u.patch).length > 0);
    if (updates.length) {
      this.commands.beginGesture('style');
      this.commands.dispatch({ type: 'update', updates });
      this.commands.endGesture();
    }
    this.opts.onChange?.();
  }

  /** The bounds of everything on the board, or null when it is empty. */
  contentBounds(): Rect | null {
    return unionRects([...this.store.values()].map(elementBounds));
  }

  zoomToFit(): void {
    const b = this.contentBounds();
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
