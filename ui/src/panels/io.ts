//! Import and export through the native open/save dialogs (tauri-plugin-dialog). The file work
//! runs in the core (`file_import`, `file_export`), which reports `io-progress`; meanwhile a
//! progress bar shows the stage and the element count, and a failure ends in a clear message.

import type { Invoke, Listen } from '../bridge/tauri';
import { asAppError } from '../bridge/tauri';
import { formatBytes } from './audit';
import { plural } from './history';
import { el, Sheet, toast } from './sheet';

export interface ExportFormat {
  id: 'json' | 'excalidraw' | 'canvas' | 'svg' | 'png';
  label: string;
  hint: string;
  extensions: string[];
}

export const EXPORT_FORMATS: ExportFormat[] = [
  { id: 'json', label: 'Easel JSON', hint: 'Everything, to open in Easel again', extensions: ['json'] },
  { id: 'excalidraw', label: 'Excalidraw', hint: 'Opens on excalidraw.com', extensions: ['excalidraw'] },
  { id: 'canvas', label: 'JSON Canvas', hint: 'Obsidian canvas and friends', extensions: ['canvas'] },
  { id: 'svg', label: 'SVG image', hint: 'Vector picture', extensions: ['svg'] },
  { id: 'png', label: 'PNG image', hint: 'Picture at 2×, with the board embedded', extensions: ['png'] },
];

/** The open dialog's filters: everything Easel reads first, then each kind. */
export const IMPORT_FILTERS = [
  { name: 'Boards and drawings', extensions: ['json', 'easel', 'excalidraw', 'excalidrawlib', 'canvas', 'svg', 'png'] },
  { name: 'Easel JSON', extensions: ['json', 'easel'] },
  { name: 'Excalidraw', extensions: ['excalidraw', 'excalidrawlib'] },
  { name: 'JSON Canvas', extensions: ['canvas'] },
  { name: 'SVG', extensions: ['svg'] },
  { name: 'PNG', extensions: ['png'] },
];

/** A file name for `title` in `format`: no path separators or characters Windows refuses. */
export function exportFileName(title: string, format: ExportFormat): string {
  const base = title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, ' ').replace(/\s+/g, ' ').trim().replace(/^\.+/, '') || 'Untitled';
  return `${base.slice(0, 120)}.${format.extensions[0]}`;
}

/** The path with the format's extension (a name typed without one gets it). */
export function withExtension(path: string, format: ExportFormat): string {
  const ext = path.match(/\.([^./\\]+)$/)?.[1]?.toLowerCase();
  return ext && format.extensions.includes(ext) ? path : `${path}.${format.extensions[0]}`;
}

export interface IoProgress {
  op: 'import' | 'export';
  stage: string;
  done: number;
  total: number;
}

const STAGES: Record<string, string> = {
  parse: 'Reading',
  convert: 'Converting',
  validate: 'Checking',
  render: 'Drawing',
  rasterize: 'Rasterizing',
  encode: 'Writing',
};

/** The progress line: "Converting 1,200 of 5,000 elements" (or the stage alone). */
export function progressText(p: IoProgress): string {
  const stage = STAGES[p.stage] ?? p.stage;
  if (p.total > 0) return `${stage} ${p.done.toLocaleString('en')} of ${plural(p.total, 'element')}`;
  return `${stage}…`;
}

const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;

export class ImportExport {
  readonly sheet = new Sheet('export-panel', 'Export');
  private readonly overlay = el('div', { id: 'io-progress', hidden: true });
  private readonly label = el('p');
  private readonly detail = el('p', { className: 'io-detail' });
  private readonly bar = el('progress');
  private busy = false;

  constructor(
    private readonly invoke: Invoke,
    listen: Listen,
    private readonly host: { board: string | null; title: () => string; open: (id: string) => Promise<void> },
  ) {
    this.overlay.setAttribute('role', 'status');
    this.overlay.append(this.label, this.bar, this.detail);
    document.body.appendChild(this.overlay);
    void listen<IoProgress>('io-progress', (e) => {
      if (!this.busy) return;
      const p = e.payload;
      this.detail.textContent = progressText(p);
      if (p.total > 0) {
        this.bar.max = p.total;
        this.bar.value = p.done;
      } else this.bar.removeAttribute('value');
    });
    const list = el('div', { className: 'export-formats' });
    for (const f of EXPORT_FORMATS) {
      const b = el('button', { type: 'button', className: 'export-format' }, el('strong', { textContent: f.label }), el('span', { textContent: `.${f.extensions[0]} — ${f.hint}` }));
      b.dataset.format = f.id;
      b.addEventListener('click', () => void this.export(f));
      list.append(b);
    }
    this.sheet.body.append(el('p', { className: 'sheet-note', textContent: 'Pick a format, then where to save the file.' }), list);
  }

  private start(text: string): void {
    this.busy = true;
    this.label.textContent = text;
    this.detail.textContent = 'Starting…';
    this.bar.removeAttribute('value');
    this.overlay.hidden = false;
  }

  private stop(): void {
    this.busy = false;
    this.overlay.hidden = true;
  }

  async importFile(): Promise<void> {
    if (this.busy) return;
    const { open } = await import('@tauri-apps/plugin-dialog');
    let path: string | null;
    try {
      path = await open({ title: 'Import a board', multiple: false, directory: false, filters: IMPORT_FILTERS });
    } catch (e) {
      toast(`Could not show the file dialog: ${asAppError(e).message}`, { error: true });
      return;
    }
    if (!path) return;
    this.start(`Importing ${baseName(path)}`);
    try {
      const r = await this.invoke<{ board: { id: string; title: string }; elements: number }>('file_import', { path });
      this.stop();
      toast(`Imported ${plural(r.elements, 'element')} into “${r.board.title}”`);
      await this.host.open(r.board.id);
    } catch (e) {
      this.stop();
      toast(`Could not import ${baseName(path)}: ${asAppError(e).message}`, { error: true });
    }
  }

  async export(format: ExportFormat): Promise<void> {
    const board = this.host.board;
    if (this.busy || !board) return;
    const { save } = await import('@tauri-apps/plugin-dialog');
    let chosen: string | null;
    try {
      chosen = await save({ title: `Export as ${format.label}`, defaultPath: exportFileName(this.host.title(), format), filters: [{ name: format.label, extensions: format.extensions }] });
    } catch (e) {
      toast(`Could not show the file dialog: ${asAppError(e).message}`, { error: true });
      return;
    }
    if (!chosen) return;
    const path = withExtension(chosen, format);
    this.sheet.close();
    this.start(`Exporting ${baseName(path)}`);
    try {
      const r = await this.invoke<{ elements: number; bytes: number }>('file_export', { board, path, format: format.id });
      this.stop();
      toast(`Exported ${plural(r.elements, 'element')} to ${baseName(path)} (${formatBytes(r.bytes)})`);
    } catch (e) {
      this.stop();
      toast(`Could not export to ${baseName(path)}: ${asAppError(e).message}`, { error: true });
    }
  }
}
