import { applyPatch, type Element, type ElementPatch } from '../model/types';
import type { Store } from './store';
import type { Edit } from '../model/generated/Edit';

/**
 * An edit the UI asks the core to make: the core's `Edit` (crates/easel-core/src/edit.rs), its
 * type generated from the Rust one, so the two cannot drift. The desktop bridge sends a gesture's
 * commands to the core as they are; the core applies them in one transaction.
 */
export type Command = Edit;

/**
 * What tools talk to. Everything dispatched between `beginGesture()` and `endGesture()` is one
 * undo step; a command dispatched outside a gesture is a step of its own.
 */
export interface Commands {
  dispatch(cmd: Command): void;
  beginGesture(label?: string): void;
  endGesture(): void;
  /** Reverts everything dispatched since `beginGesture()` and closes the gesture without a step. */
  cancelGesture(): void;
  undo(): void;
  redo(): void;
  canUndo(): boolean;
  canRedo(): boolean;
}

interface Change {
  before: Element | undefined;
  after: Element | undefined;
}
type Step = Map<string, Change>;

/**
 * An in-memory Commands that edits a Store directly (origin `local`), with undo/redo. Used by the
 * browser build without the desktop shell and by tests.
 */
export class MemoryCommands implements Commands {
  private undoStack: Step[] = [];
  private redoStack: Step[] = [];
  private open: Step | null = null;
  private depth = 0;
  /** Every command dispatched, in order (for inspection and tests). */
  readonly log: Command[] = [];
  gestures = { begun: 0, ended: 0, cancelled: 0 };

  constructor(
    private readonly store: Store,
    private readonly author = 'local',
    private readonly now: () => number = () => Date.now(),
  ) {}

  beginGesture(): void {
    this.gestures.begun++;
    if (this.depth++ === 0) this.open = new Map();
  }

  endGesture(): void {
    if (this.depth === 0) return;
    this.gestures.ended++;
    if (--this.depth > 0) return;
    const step = this.open!;
    this.open = null;
    this.commit(step);
  }

  cancelGesture(): void {
    if (this.depth === 0) return;
    this.gestures.cancelled++;
    const step = this.open!;
    this.depth = 0;
    this.open = null;
    this.revert(step);
  }

  private commit(step: Step): void {
    for (const [id, c] of step) if (c.before === c.after) step.delete(id);
    if (step.size === 0) return;
    this.undoStack.push(step);
    this.redoStack = [];
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }
  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): void {
    if (this.depth > 0) return;
    const step = this.undoStack.pop();
    if (!step) return;
    this.revert(step);
    this.redoStack.push(step);
  }

  redo(): void {
    if (this.depth > 0) return;
    const step = this.redoStack.pop();
    if (!step) return;
    this.put([...step].map(([id, c]) => [id, c.after]));
    this.undoStack.push(step);
  }

  private revert(step: Step): void {
    this.put([...step].map(([id, c]) => [id, c.before]));
  }

  private put(entries: [string, Element | undefined][]): void {
    const added: Element[] = [];
    const updated: Element[] = [];
    const removed: string[] = [];
    for (const [id, el] of entries) {
      if (!el) removed.push(id);
      else if (this.store.has(id)) updated.push(el);
      else added.push(el);
    }
    this.store.apply({ added, updated, removed }, 'local');
  }

  dispatch(cmd: Command): void {
    this.log.push(cmd);
    const stamp = (el: Element): Element => ({ ...el, author: this.author, updatedAt: this.now() });
    const next = new Map<string, Element | undefined>();
    const cur = (id: string) => (next.has(id) ? next.get(id) : this.store.get(id));
    switch (cmd.type) {
      case 'add':
        for (const el of cmd.elements) next.set(el.id, stamp(el));
        break;
      case 'update':
        for (const { id, patch } of cmd.updates) {
          const el = cur(id);
          if (el) next.set(id, stamp(applyPatch(el, patch)));
        }
        break;
      case 'delete':
        for (const id of cmd.ids) if (this.store.has(id)) next.set(id, undefined);
        break;
      case 'reorder':
        for (const { id, z } of cmd.moves) {
          const el = cur(id);
          if (el) next.set(id, stamp({ ...el, z }));
        }
        break;
      case 'group':
        for (const id of cmd.ids) {
          const el = cur(id);
          if (el) next.set(id, stamp({ ...el, groupIds: [...(el.groupIds ?? []), cmd.groupId] }));
        }
        break;
      case 'ungroup':
        for (const id of cmd.ids) {
          const el = cur(id);
          if (!el?.groupIds?.includes(cmd.groupId)) continue;
          const groupIds = el.groupIds.filter((g) => g !== cmd.groupId);
          const copy: Element = { ...el, groupIds };
          if (groupIds.length === 0) delete copy.groupIds;
          next.set(id, stamp(copy));
        }
        break;
      case 'setText': {
        const el = cur(cmd.id);
        if (el) next.set(cmd.id, stamp({ ...el, text: cmd.text }));
        break;
      }
    }
    if (next.size === 0) return;
    const step: Step = this.open ?? new Map();
    for (const [id, after] of next) {
      const prev = step.get(id);
      step.set(id, { before: prev ? prev.before : this.store.get(id), after });
    }
    this.put([...next]);
    if (!this.open) this.commit(step);
  }
}
