import type { Commands } from '../engine/commands';
import type { Rect, Vec } from '../engine/geometry';
import type { InteractiveState } from '../engine/renderer';
import type { SpatialIndex } from '../engine/spatial';
import type { Store } from '../engine/store';
import type { Viewport } from '../engine/viewport';
import type { Element, ElementKind, ElementPatch } from '../model/types';

export type ToolName =
  | 'select'
  | 'hand'
  | 'rectangle'
  | 'ellipse'
  | 'diamond'
  | 'line'
  | 'arrow'
  | 'pen'
  | 'text'
  | 'sticky'
  | 'eraser'
  | 'frame'
  | 'comment';

/** A pointer event in world coordinates. */
export interface PointerInput {
  point: Vec;
  /** 0..1; 0.5 for devices without pressure. */
  pressure: number;
  pointerType: 'mouse' | 'pen' | 'touch';
  button: number;
  shift: boolean;
  alt: boolean;
  /** Ctrl, or Cmd on macOS. */
  mod: boolean;
}

export interface KeyInput {
  key: string;
  /** KeyboardEvent.code where known (layout-independent digits for Shift+1 / Shift+2). */
  code?: string;
  shift: boolean;
  alt: boolean;
  mod: boolean;
}

/** Style applied to new elements. */
export type Style = Pick<
  Element,
  'stroke' | 'fill' | 'fillStyle' | 'strokeWidth' | 'strokeStyle' | 'roughness' | 'rounded' | 'opacity' | 'fontSize' | 'fontFamily' | 'startArrowhead' | 'endArrowhead' | 'elbowed'
>;

/** What a tool may use. The Editor implements it. */
export interface ToolContext {
  readonly store: Store;
  readonly spatial: SpatialIndex;
  readonly viewport: Viewport;
  readonly commands: Commands;
  readonly interactive: InteractiveState & { selection: Set<string> };
  readonly style: Style;
  setSelection(ids: Iterable<string>): void;
  invalidate(layer?: 'static' | 'interactive' | 'both'): void;
  setTool(name: ToolName): void;
  newId(): string;
  /** A z key above every element (or below, for frames). */
  topZ(): string;
  bottomZ(): string;
  /** A new element of `kind` with the current style. */
  create(kind: ElementKind, x: number, y: number, init?: Partial<Element>): Element;
  /** Queues a patch; queued patches go out as one `update` command at most once per frame. */
  queueUpdate(id: string, patch: ElementPatch): void;
  /** Sends queued patches now (before ending a gesture). */
  flushUpdates(): void;
  /** Drops queued patches (before cancelling a gesture). */
  discardUpdates(): void;
  /** Edits an existing element's text as one gesture (double-click with the select tool). */
  editTextOf(id: string): void;
  /**
   * Adds copies of `els` in place, above everything, inside the current gesture (new ids; groups
   * and bindings among them remapped), and returns them.
   */
  addCopies(els: readonly Element[]): Element[];
  /**
   * The next double-click (before the next press) is not delivered: the click that ended a gesture
   * was its first half (a line finished by a double-click).
   */
  swallowDoubleClick(): void;
  /** Starts a new text at `p` as the text tool's click does (double-click on empty canvas). */
  startText(p: Vec): void;
  /**
   * Topmost unlocked element under `p` (screen-pixel tolerance scaled by the zoom). With `inside`,
   * also a closed shape `p` is inside though unfilled (`pickInside`: binding, label editing).
   */
  hitElement(p: Vec, filter?: (el: Element) => boolean, inside?: boolean): Element | undefined;
  /** The ids selected together with `el` (its outermost group, or itself). */
  groupOf(el: Element): string[];
  /** Opens a text editor on an element; `done(text)` with the new text, or null when cancelled. */
  editText(id: string, done: (text: string | null) => void): void;
  /** One line's width in world units, as the canvas draws it. */
  measureLine(line: string, fontSize: number, fontFamily: string): number;
  /** Measures text in world units. */
  measureText(text: string, fontSize: number, fontFamily: string): { width: number; height: number };
  /** The grid's step while the grid is on (Ctrl+'), else null: positions snap to it. */
  readonly gridSize: number | null;
  /**
   * What a gesture on `moving` snaps to: the bounds of the elements in view, except `moving` and
   * the lines and arrows bound to them (they follow the moved elements).
   */
  snapTargets(moving: ReadonlySet<string>): Rect[];
  /**
   * Snaps a point being dragged (a resize handle, a new shape's corner) on the axes it moves: to
   * the grid while it is on, else to `targets`' edges and centres (guides shown). `free`: Ctrl
   * held, nothing snaps.
   */
  snapPoint(p: Vec, axes: { x: boolean; y: boolean }, targets: readonly Rect[], free: boolean): Vec;
  /** The members of frame `frameId`. */
  frameChildren(frameId: string): Element[];
  /** Arrow updates needed so arrows bound to any of `moved` follow them. */
  followBindings(moved: ReadonlyMap<string, Element>): { id: string; patch: ElementPatch }[];
  onTransition?: (tool: ToolName, from: string, to: string) => void;
  /** The comment tool placed a thread at `anchor` (the app asks for its first message). */
  placeComment?(anchor: CommentAnchor): void;
}

/** Where a comment thread sits: a board point, and the element under it if any. */
export interface CommentAnchor {
  element?: string;
  x: number;
  y: number;
}

/** Screen pixels a pointer must travel before a press becomes a drag. */
export const DRAG_THRESHOLD_PX = 3;

/** A tool: a small state machine driven by pointer and key input. */
export abstract class Tool {
  abstract readonly name: ToolName;
  /** The current state, e.g. `idle`, `pointing`, `dragging`. */
  state = 'idle';

  constructor(protected readonly ctx: ToolContext) {}

  protected go(to: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.ctx.onTransition?.(this.name, from, to);
  }

  protected pastThreshold(a: Vec, b: Vec): boolean {
    return Math.hypot(a.x - b.x, a.y - b.y) * this.ctx.viewport.zoom >= DRAG_THRESHOLD_PX;
  }

  onPointerDown(_e: PointerInput): void {}
  onPointerMove(_e: PointerInput): void {}
  onPointerUp(_e: PointerInput): void {}
  onDoubleClick(_e: PointerInput): void {}
  /** A key the tool handles itself before the shortcuts (Enter ending a line); returns whether it used it. */
  onKeyDown(_e: KeyInput): boolean {
    return false;
  }
  /** Escape, or the tool being switched away from mid-gesture. */
  cancel(): void {
    this.go('idle');
  }
}
