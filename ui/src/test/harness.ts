import { type Command, type Commands, MemoryCommands } from '../engine/commands';
import { ManualScheduler } from '../engine/scheduler';
import { Store } from '../engine/store';
import { Viewport } from '../engine/viewport';
import { Editor, type EditorOptions } from '../editor';
import { type Element, newElement } from '../model/types';
import type { PointerInput, ToolName } from '../tools/tool';

/** Commands that record each dispatch with the frame it happened in, then forward. */
export class SpyCommands implements Commands {
  events: { frame: number; kind: 'dispatch' | 'begin' | 'end' | 'cancel'; cmd?: Command }[] = [];
  constructor(
    readonly inner: MemoryCommands,
    private readonly sched: ManualScheduler,
  ) {}
  dispatch(cmd: Command) {
    this.events.push({ frame: this.sched.frames, kind: 'dispatch', cmd });
    this.inner.dispatch(cmd);
  }
  beginGesture() {
    this.events.push({ frame: this.sched.frames, kind: 'begin' });
    this.inner.beginGesture();
  }
  endGesture() {
    this.events.push({ frame: this.sched.frames, kind: 'end' });
    this.inner.endGesture();
  }
  cancelGesture() {
    this.events.push({ frame: this.sched.frames, kind: 'cancel' });
    this.inner.cancelGesture();
  }
  undo() { this.inner.undo(); }
  redo() { this.inner.redo(); }
  canUndo() { return this.inner.canUndo(); }
  canRedo() { return this.inner.canRedo(); }
  cmds(type?: Command['type']): Command[] {
    return this.events.filter((e) => e.kind === 'dispatch' && (!type || e.cmd!.type === type)).map((e) => e.cmd!);
  }
  count(kind: 'begin' | 'end' | 'cancel'): number {
    return this.events.filter((e) => e.kind === kind).length;
  }
  /** Largest number of `update` dispatches that happened within one frame. */
  maxUpdatesPerFrame(): number {
    const per = new Map<number, number>();
    for (const e of this.events) if (e.cmd?.type === 'update') per.set(e.frame, (per.get(e.frame) ?? 0) + 1);
    return Math.max(0, ...per.values());
  }
}

export function setup(elements: Element[] = [], opts: Partial<EditorOptions> = {}) {
  const sched = new ManualScheduler();
  const store = new Store(sched);
  store.apply({ added: elements }, 'remote');
  const mem = new MemoryCommands(store, 'me', () => 1000);
  const commands = new SpyCommands(mem, sched);
  let n = 0;
  const transitions: Record<string, string[]> = {};
  const editor = new Editor({
    store,
    commands,
    scheduler: sched,
    viewport: new Viewport(1000, 800),
    newId: () => `n${++n}`,
    onTransition: (tool, from, to) => {
      const path = (transitions[tool] ??= [from]);
      path.push(to);
    },
    ...opts,
  });
  const ptr = (x: number, y: number, mods: Partial<PointerInput> = {}): PointerInput => ({
    point: { x, y },
    pressure: 0.5,
    pointerType: 'mouse',
    button: 0,
    shift: false,
    alt: false,
    mod: false,
    ...mods,
  });
  /** A drag from a to b in `steps` moves, `perFrame` moves between frames. */
  const drag = (a: [number, number], b: [number, number], steps = 10, perFrame = 5, mods: Partial<PointerInput> = {}) => {
    editor.pointerDown(ptr(a[0], a[1], mods));
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      editor.pointerMove(ptr(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, mods));
      if (i % perFrame === 0) sched.tick();
    }
    editor.pointerUp(ptr(b[0], b[1], mods));
    sched.tick();
  };
  const use = (t: ToolName) => editor.setTool(t);
  return { sched, store, mem, commands, editor, ptr, drag, use, transitions };
}

export const box = (id: string, kind: Element['kind'], x: number, y: number, w: number, h: number, init: Partial<Element> = {}) =>
  newElement(id, kind, x, y, { width: w, height: h, z: 'a' + id.length, ...init });
