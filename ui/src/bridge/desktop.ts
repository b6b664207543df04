import { type Command, type Commands, MemoryCommands } from '../engine/commands';
import type { Store } from '../engine/store';
import type { Editor } from '../editor';
import { Collab } from '../panels/collab';
import type { FileBackend, FileStore, StoredFile } from '../files';
import { asAppError, type AppError, type BoardChanged, type BoardSummary, type Invoke, type Listen, type OpenedBoard, TauriCommands } from './tauri';

/** A `Commands` that forwards to whichever implementation is current (in-memory until a board opens). */
export class SwitchCommands implements Commands {
  /** Undo/redo availability may have changed without a store change (the core answered). */
  onUndoState?: () => void;
  constructor(public target: Commands) {}
  dispatch(cmd: Command): void {
    this.target.dispatch(cmd);
  }
  beginGesture(label?: string): void {
    this.target.beginGesture(label);
  }
  endGesture(): void {
    this.target.endGesture();
  }
  cancelGesture(): void {
    this.target.cancelGesture();
  }
  undo(): void {
    this.target.undo();
  }
  redo(): void {
    this.target.redo();
  }
  canUndo(): boolean {
    return this.target.canUndo();
  }
  canRedo(): boolean {
    return this.target.canRedo();
  }
}

export interface DesktopUi {
  panel: HTMLElement;
  welcome: HTMLElement;
  status: HTMLElement;
}

/**
 * The desktop shell's board handling: the board list panel, the first-run welcome, opening a
 * board (its elements into the store, edits through `TauriCommands`) and the core's events.
 */
export class Desktop {
  private current: TauriCommands | null = null;
  private boards: BoardSummary[] = [];
  /** Draws the board list instead of the plain one below (the sidebar in `panels/boards.ts`). */
  onList?: (boards: BoardSummary[], current: string | null) => void;

  constructor(
    private readonly store: Store,
    private readonly commands: SwitchCommands,
    private readonly ui: DesktopUi,
    private readonly invoke: Invoke,
    private readonly listen: Listen,
    private readonly onOpened: (opened: OpenedBoard) => void,
    private readonly files?: FileStore,
  ) {}

  /** The open board's files in the core: `file_add` stores pasted images, `board_file` reads them. */
  private fileBackend(board: string): FileBackend {
    return {
      put: async (id: string, f: StoredFile) => {
        const comma = f.dataURL.indexOf(',');
        await this.invoke('file_add', { board, file: { id, mime: f.mime, data: f.dataURL.slice(comma + 1) } });
      },
      get: async (id: string) => {
        const f = await this.invoke<{ mime: string; data: string } | null>('board_file', { board, id });
        return f ? { mime: f.mime, dataURL: `data:${f.mime};base64,${f.data}` } : null;
      },
    };
  }

  async start(): Promise<void> {
    await this.listen<BoardChanged>('board-changed', (e) => this.current?.receive(e.payload));
    // An image of the open board arrived from its server: draw it in place of its placeholder.
    await this.listen<{ board: string; id: string }>('board-file', (e) => {
      if (e.payload.board === this.current?.board) this.files?.arrived(e.payload.id);
    });
    await this.listen<null>('boards-changed', () => void this.refreshList());
    await this.refreshList();
    const recent = this.boards[0];
    if (recent) await this.open(recent.id);
    else this.render();
  }

  get board(): string | null {
    return this.current?.board ?? null;
  }

  async create(): Promise<void> {
    try {
      const record = await this.invoke<{ id: string }>('board_create', { title: nextBoardTitle(this.boards.map((b) => b.title)) });
      await this.refreshList();
      await this.open(record.id);
    } catch (e) {
      this.error(asAppError(e));
    }
  }

  async open(id: string): Promise<void> {
    try {
      const previous = this.current?.board;
      const opened = await this.invoke<OpenedBoard>('board_open', { board: id });
      if (previous && previous !== id) await this.invoke('board_close', { board: previous });
      const stale = [...this.store.values()].map((e) => e.id);
      this.store.apply({ removed: stale }, 'remote');
      this.store.apply({ added: opened.elements }, 'remote');
      this.current = new TauriCommands(this.store, id, this.invoke, (err) => this.error(err), opened);
      this.current.onUndoState = () => this.commands.onUndoState?.();
      this.commands.target = this.current;
      if (this.files) {
        this.files.clear();
        this.files.backend = this.fileBackend(id);
      }
      this.commands.onUndoState?.();
      this.ui.status.textContent = '';
      this.ui.status.hidden = true;
      this.render();
      this.onOpened(opened);
    } catch (e) {
      this.error(asAppError(e));
    }
  }

  /** A restore (history panel) changed what undo can do. */
  setUndoState(u: { canUndo: boolean; canRedo: boolean }): void {
    this.current?.setUndoState(u);
  }

  /** The board `id` was deleted: open the most recent other board, or show the welcome. */
  async leave(id: string): Promise<void> {
    if (this.current?.board !== id) return;
    await this.refreshList();
    const next = this.boards.find((b) => b.id !== id);
    if (next) {
      await this.open(next.id);
      return;
    }
    void this.invoke('board_close', { board: id }).catch(() => undefined);
    this.store.apply({ removed: [...this.store.values()].map((e) => e.id) }, 'remote');
    this.current = null;
    this.commands.target = new MemoryCommands(this.store, 'me');
    this.commands.onUndoState?.();
    this.render();
  }

  async refreshList(): Promise<void> {
    try {
      this.boards = await this.invoke<BoardSummary[]>('boards_list');
    } catch (e) {
      this.error(asAppError(e));
    }
    this.render();
  }

  error(e: AppError): void {
    this.ui.status.textContent = e.message;
    this.ui.status.hidden = false;
  }

  private render(): void {
    const { panel, welcome } = this.ui;
    welcome.hidden = this.current !== null;
    panel.hidden = false;
    if (this.onList) {
      this.onList(this.boards, this.current?.board ?? null);
      return;
    }
    const list = panel.querySelector('ul')!;
    list.replaceChildren(
      ...this.boards.map((b) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = b.title || 'Untitled';
        button.title = `Open “${b.title}”`;
        if (b.id === this.current?.board) button.setAttribute('aria-current', 'true');
        button.addEventListener('click', () => void this.open(b.id));
        li.appendChild(button);
        return li;
      }),
    );
  }
}

export async function startDesktop(
  store: Store,
  commands: SwitchCommands,
  ui: DesktopUi,
  api: { invoke: Invoke; listen: Listen },
  files: FileStore,
  onOpened: (opened: OpenedBoard) => void,
  editor: Editor,
): Promise<{ desktop: Desktop; collab: Collab }> {
  let collab: Collab | null = null;
  const desktop = new Desktop(
    store,
    commands,
    ui,
    api.invoke,
    api.listen,
    (opened) => {
      collab?.boardOpened(opened);
      onOpened(opened);
    },
    files,
  );
  collab = new Collab(editor, desktop, api.invoke, api.listen, (e) => desktop.error(e));
  await collab.start();
  for (const b of [...ui.panel.querySelectorAll<HTMLButtonElement>('[data-action=new-board]'), ...ui.welcome.querySelectorAll<HTMLButtonElement>('[data-action=new-board]')]) {
    b.addEventListener('click', () => void desktop.create());
  }
  await desktop.start();
  return { desktop, collab };
}

/**
 * The title of a new board: "My first board" for the first one, then "Board N" with the lowest
 * N from 2 that no board's title uses (the first board counts as 1), so two boards give "Board 3"
 * whatever was deleted or renamed before, and a deleted "Board 2" is reused.
 */
export function nextBoardTitle(titles: readonly string[]): string {
  if (titles.length === 0) return 'My first board';
  const taken = new Set(titles.map((t) => t.trim()));
  let n = 2;
  while (taken.has(`Board ${n}`)) n++;
  return `Board ${n}`;
}
