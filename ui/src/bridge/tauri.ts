import { MemoryCommands, type Command, type Commands } from '../engine/commands';
import type { Diff, Store } from '../engine/store';
import type { Element } from '../model/types';
import type { BoardRemote, SyncStatus, Thread } from '../collab/types';

/** How the core reports a failure (`src-tauri/src/error.rs`). */
export interface AppError {
  kind: string;
  message: string;
}

export type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;
export type Listen = <T>(event: string, handler: (e: { payload: T }) => void) => Promise<() => void>;

export interface BoardSummary {
  id: string;
  title: string;
  updated_at: string;
  access: string;
}

interface UndoState {
  canUndo: boolean;
  canRedo: boolean;
}

export interface OpenedBoard extends UndoState {
  board: { id: string; title: string };
  /** `OWNER`, `EDIT`, `COMMENT` or `VIEW`: what the local user may do (see tools/mode.ts). */
  access: string;
  elements: Element[];
  /** The local user's id (comment authors are user ids). */
  me?: string;
  remotes?: BoardRemote[];
  threads?: Thread[];
  sync?: { url: string; status: SyncStatus } | null;
}

/**
 * The `board-changed` event's payload: only the elements a change touched. With `reset` (the
 * core rebuilt the board after a failure) `updated` holds every element and anything else the
 * store holds is gone.
 */
export interface BoardChanged extends Required<Diff> {
  board: string;
  origin: 'local' | 'remote';
  reset?: boolean;
}

/** True inside the desktop shell. */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** `invoke` and `listen` from @tauri-apps/api, loaded only inside the shell. */
export async function tauriApi(): Promise<{ invoke: Invoke; listen: Listen }> {
  const [core, event] = await Promise.all([import('@tauri-apps/api/core'), import('@tauri-apps/api/event')]);
  return { invoke: core.invoke as Invoke, listen: event.listen as Listen };
}

/**
 * The UI's `Commands` over the desktop core. Edits show at once (previews applied to the store
 * by an in-memory `MemoryCommands`); a gesture's commands are buffered and sent as one
 * `elements_apply` batch at `endGesture`, which the core makes one undo step. The store is then
 * fed by `board-changed` events: the core's version of our edits, undo/redo, and everyone
 * else's changes.
 */
export class TauriCommands implements Commands {
  private readonly preview: MemoryCommands;
  private buffer: Command[] = [];
  private depth = 0;
  private undoable: UndoState = { canUndo: false, canRedo: false };
  /** Sends in flight, in order (so a gesture never overtakes the one before). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Called when the core's answer changes whether undo/redo is possible. */
  onUndoState?: () => void;

  constructor(
    private readonly store: Store,
    readonly board: string,
    private readonly invoke: Invoke,
    private readonly onError: (e: AppError) => void = (e) => console.error(e),
    initial?: UndoState,
  ) {
    this.preview = new MemoryCommands(store, 'me');
    if (initial) this.undoable = { canUndo: initial.canUndo, canRedo: initial.canRedo };
  }

  /** Applies a `board-changed` payload for this board to the store. */
  receive(change: BoardChanged): void {
    if (change.board !== this.board) return;
    let removed = change.removed;
    if (change.reset) {
      const keep = new Set([...change.added, ...change.updated].map((e) => e.id));
      removed = [...removed, ...[...this.store.values()].map((e) => e.id).filter((id) => !keep.has(id))];
    }
    this.store.apply({ added: change.added, updated: change.updated, removed }, change.origin);
  }

  dispatch(cmd: Command): void {
    this.preview.dispatch(cmd);
    if (this.depth > 0) this.buffer.push(cmd);
    else this.send([cmd]);
  }

  beginGesture(label?: string): void {
    this.depth++;
    this.preview.beginGesture();
    void label;
  }

  endGesture(): void {
    if (this.depth === 0) return;
    this.preview.endGesture();
    if (--this.depth > 0) return;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length) this.send(batch);
  }

  cancelGesture(): void {
    if (this.depth === 0) return;
    this.preview.cancelGesture();
    this.depth = 0;
    this.buffer = [];
  }

  undo(): void {
    if (this.depth > 0) return;
    this.call('undo', { board: this.board });
  }

  redo(): void {
    if (this.depth > 0) return;
    this.call('redo', { board: this.board });
  }

  canUndo(): boolean {
    return this.undoable.canUndo;
  }

  canRedo(): boolean {
    return this.undoable.canRedo;
  }

  /** The core's answer to a change made outside this class (a restore). */
  setUndoState(u: UndoState): void {
    this.undoable = { canUndo: u.canUndo, canRedo: u.canRedo };
    this.onUndoState?.();
  }

  /** Resolves once every command sent so far has been answered. */
  settled(): Promise<unknown> {
    return this.queue;
  }

  private send(commands: Command[]): void {
    this.undoable = { canUndo: true, canRedo: false };
    this.onUndoState?.();
    this.call('elements_apply', { board: this.board, commands });
  }

  private call(cmd: string, args: Record<string, unknown>): void {
    this.queue = this.queue
      .then(() => this.invoke<UndoState>(cmd, args))
      .then(
        (u) => {
          this.undoable = { canUndo: u.canUndo, canRedo: u.canRedo };
          this.onUndoState?.();
        },
        (e: unknown) => {
          this.onError(asAppError(e));
          return this.resync();
        },
      );
  }

  /** After a failed edit, makes the store equal to the core's board again. */
  private async resync(): Promise<void> {
    try {
      const opened = await this.invoke<OpenedBoard>('board_open', { board: this.board });
      const ids = new Set(opened.elements.map((e) => e.id));
      const removed = [...this.store.values()].map((e) => e.id).filter((id) => !ids.has(id));
      this.store.apply({ updated: opened.elements, removed }, 'remote');
      this.undoable = { canUndo: opened.canUndo, canRedo: opened.canRedo };
      this.onUndoState?.();
    } catch (e) {
      this.onError(asAppError(e));
    }
  }
}

export function asAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'kind' in e && 'message' in e) return e as AppError;
  return { kind: 'unknown', message: String(e) };
}
