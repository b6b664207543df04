//! Wires the desktop panels into the window: the panel buttons in the top bar (top right), the
//! keyboard shortcuts that open them (listed in the `?` sheet), Escape to close, and the events
//! that keep them current.

import type { Desktop } from '../bridge/desktop';
import type { BoardChanged, Invoke, Listen } from '../bridge/tauri';
import type { Element } from '../model/types';
import { AuditPanel } from './audit';
import { BoardsPanel } from './boards';
import { HistoryPanel } from './history';
import { ImportExport } from './io';
import { closeOpenSheet, el } from './sheet';

/** The panels' shortcuts, `[keys, what]`, as the `?` sheet lists them. */
export const PANEL_SHORTCUTS: [string, string][] = [
  ['Ctrl+Shift+B', 'Show / hide the boards sidebar'],
  ['Ctrl+K', 'Search boards'],
  ['Ctrl+Shift+H', 'History (versions, restore)'],
  ['Ctrl+Shift+U', 'Audit log (owner)'],
  ['Ctrl+O', 'Import a file as a new board'],
  ['Ctrl+Shift+E', 'Export the board'],
  ['Esc', 'Close the open panel'],
];

export type PanelAction = 'boards' | 'search' | 'history' | 'audit' | 'import' | 'export';

/** The panel a key press opens, or null. */
export function panelKey(e: { key: string; shift: boolean; alt: boolean; mod: boolean }): PanelAction | null {
  if (!e.mod || e.alt) return null;
  const k = e.key.toLowerCase();
  if (e.shift) return ({ b: 'boards', h: 'history', u: 'audit', e: 'export' } as const)[k as 'b'] ?? null;
  return ({ k: 'search', o: 'import' } as const)[k as 'k'] ?? null;
}

export interface Panels {
  boards: BoardsPanel;
  history: HistoryPanel;
  audit: AuditPanel;
  io: ImportExport;
}

export function installPanels(
  desktop: Desktop,
  api: { invoke: Invoke; listen: Listen },
  focusBoard: () => void,
  /** The open board's elements (drawing order) and selection, for the export sheet's preview. */
  board: { elements: () => readonly Element[]; selection: () => string[] } = { elements: () => [], selection: () => [] },
): Panels {
  const { invoke, listen } = api;
  const boards = new BoardsPanel(document.querySelector<HTMLElement>('#boards')!, desktop, invoke);
  const access = () => boards.currentAccess();
  const history = new HistoryPanel(invoke, {
    get board() {
      return desktop.board;
    },
    access,
    onRestored: (undo) => desktop.setUndoState(undo),
  });
  const audit = new AuditPanel(invoke, {
    get board() {
      return desktop.board;
    },
  });
  const io = new ImportExport(invoke, listen, {
    get board() {
      return desktop.board;
    },
    title: () => boards.currentTitle(),
    open: (id) => desktop.open(id),
    elements: board.elements,
    selection: board.selection,
  });
  for (const s of [history.sheet, audit.sheet, io.sheet]) {
    document.body.appendChild(s.root);
    const onClose = s.onClose;
    s.onClose = () => {
      onClose?.();
      sync();
      focusBoard();
    };
    const onOpen = s.onOpen;
    s.onOpen = () => {
      onOpen?.();
      sync();
    };
  }

  const bar = el('nav', { id: 'panel-bar' });
  bar.setAttribute('aria-label', 'Panels');
  const button = (action: PanelAction, label: string, icon: string, keys: string) => {
    const b = el('button', { type: 'button', title: `${label} — ${keys}` });
    b.dataset.panel = action;
    b.setAttribute('aria-label', label);
    // Static markup from this file.
    b.innerHTML = `<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${icon}</svg>`;
    b.addEventListener('click', () => run(action));
    bar.appendChild(b);
    return b;
  };
  const buttons = {
    boards: button('boards', 'Boards', '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M9 4v16"/>', 'Ctrl+Shift+B'),
    history: button('history', 'History', '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5"/><path d="M12 7v5l3 2"/>', 'Ctrl+Shift+H'),
    audit: button('audit', 'Audit log', '<path d="M8 6h13M8 12h13M8 18h13"/><path d="M3 6h.01M3 12h.01M3 18h.01"/>', 'Ctrl+Shift+U'),
    import: button('import', 'Import…', '<path d="M12 3v12"/><path d="M7 10l5 5 5-5"/><path d="M4 21h16"/>', 'Ctrl+O'),
    export: button('export', 'Export…', '<path d="M12 15V3"/><path d="M7 8l5-5 5 5"/><path d="M4 21h16"/>', 'Ctrl+Shift+E'),
  };
  (document.getElementById('top-right') ?? document.body).prepend(bar);

  /** Buttons follow the open board and the open sheet. */
  function sync(): void {
    const open = desktop.board !== null;
    buttons.history.disabled = !open;
    buttons.export.disabled = !open;
    // The audit log is the owner's.
    buttons.audit.hidden = access() !== 'OWNER';
    buttons.boards.setAttribute('aria-pressed', String(boards.visible));
    buttons.history.setAttribute('aria-pressed', String(history.sheet.isOpen));
    buttons.audit.setAttribute('aria-pressed', String(audit.sheet.isOpen));
    buttons.export.setAttribute('aria-pressed', String(io.sheet.isOpen));
  }

  function run(action: PanelAction): void {
    switch (action) {
      case 'boards':
        boards.toggle();
        if (!boards.visible) focusBoard();
        break;
      case 'search':
        boards.focusSearch();
        break;
      case 'history':
        if (desktop.board) history.sheet.toggle();
        break;
      case 'audit':
        if (desktop.board && access() === 'OWNER') audit.sheet.toggle();
        break;
      case 'import':
        void io.importFile();
        break;
      case 'export':
        if (desktop.board) io.sheet.toggle();
        break;
    }
    sync();
  }

  let shown: string | null = null;
  desktop.onList = (list, current) => {
    boards.update(list, current);
    // History also gains automatic snapshots as the board is edited; the audit log keeps the
    // pages loaded until another board opens.
    if (history.sheet.isOpen) history.sheet.onOpen?.();
    if (current !== shown && audit.sheet.isOpen) {
      if (access() === 'OWNER') audit.sheet.onOpen?.();
      else audit.sheet.close();
    }
    shown = current;
    sync();
  };

  // The open board's edits move its `updated_at` (and so its thumbnail) without a
  // `boards-changed`: list again once the edits pause.
  let timer: ReturnType<typeof setTimeout> | undefined;
  void listen<BoardChanged>('board-changed', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void desktop.refreshList(), 1500);
  });

  window.addEventListener(
    'keydown',
    (e) => {
      const t = e.target;
      if (e.key === 'Escape') {
        if (t instanceof HTMLTextAreaElement || document.querySelector('dialog[open]')) return;
        // The sidebar's own Escape: clear the search, cancel a rename, close its menu.
        if (t instanceof Element && t.closest('#boards')) return;
        if (closeOpenSheet()) {
          e.preventDefault();
          e.stopPropagation();
          sync();
        }
        return;
      }
      const action = panelKey({ key: e.key, shift: e.shiftKey, alt: e.altKey, mod: e.ctrlKey || e.metaKey });
      if (!action || t instanceof HTMLTextAreaElement) return;
      e.preventDefault();
      e.stopPropagation();
      run(action);
    },
    { capture: true },
  );
  sync();
  return { boards, history, audit, io };
}
