//! Import and export through the native open/save dialogs (tauri-plugin-dialog). The file work
//! runs in the core (`file_import`, `file_export`), which reports `io-progress`; meanwhile a
//! progress bar shows the stage and the element count, and a failure ends in a clear message.

import type { Invoke, Listen } from '../bridge/tauri';
import { asAppError } from '../bridge/tauri';
import { formatBytes } from './audit';
import { plural } from './history';
import { renderBounds, unionRects } from '../engine/geometry';
import type { Element } from '../model/types';
import { drawPreview } from './preview';
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
  { id: 'png', label: 'PNG image', hint: 'Picture at the scale below, with the board embedded', extensions: ['png'] },
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

/** What the export sheet's options ask for (`file_export`'s `background`, `scale`, `only`). */
export interface ExportChoice {
  background: boolean;
  scale: 1 | 2 | 3;
  selectionOnly: boolean;
}

/** The elements an export holds: the selection's when asked and there is one, else all. */
export function exportedElements(all: readonly Element[], selection: readonly string[], choice: ExportChoice): Element[] {
  if (!choice.selectionOnly || selection.length === 0) return [...all];
  const keep = new Set(selection);
  return all.filter((e) => keep.has(e.id));
}

/** The export's padding around the elements (easel-formats' SVG viewBox), in canvas units. */
const EXPORT_PADDING = 20;

/** About how many pixels a PNG of `elements` at `scale` has a side (the export may differ by a few). */
export function pngSize(elements: readonly Element[], scale: number): { width: number; height: number } | null {
  const b = unionRects(elements.map(renderBounds));
  if (!b) return null;
  return { width: Math.ceil((b.width + 2 * EXPORT_PADDING) * scale), height: Math.ceil((b.height + 2 * EXPORT_PADDING) * scale) };
}

export class ImportExport {
  readonly sheet = new Sheet('export-panel', 'Export');
  private readonly overlay = el('div', { id: 'io-progress', hidden: true });
  private readonly label = el('p');
  private readonly detail = el('p', { className: 'io-detail' });
  private readonly bar = el('progress');
  private busy = false;
  /** The options, kept while the app runs. */
  readonly choice: ExportChoice = { background: true, scale: 2, selectionOnly: false };
  private readonly preview = el('canvas', { className: 'export-preview' });
  private readonly size = el('p', { className: 'export-size' });
  private readonly backgroundBox = el('input', { type: 'checkbox' });
  private readonly selectionBox = el('input', { type: 'checkbox' });
  private readonly selectionLabel = el('span');
  private readonly scaleButtons: HTMLButtonElement[] = [];

  constructor(
    private readonly invoke: Invoke,
    listen: Listen,
    private readonly host: {
      board: string | null;
      title: () => string;
      open: (id: string) => Promise<void>;
      /** The open board's elements in drawing order, and the selection (ids). */
      elements?: () => readonly Element[];
      selection?: () => string[];
    },
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
    this.backgroundBox.checked = this.choice.background;
    this.backgroundBox.addEventListener('change', () => {
      this.choice.background = this.backgroundBox.checked;
      this.refresh();
    });
    this.selectionBox.addEventListener('change', () => {
      this.choice.selectionOnly = this.selectionBox.checked;
      this.refresh();
    });
    const scales = el('div', { className: 'export-scales' });
    scales.setAttribute('role', 'group');
    scales.setAttribute('aria-label', 'PNG scale');
    for (const n of [1, 2, 3] as const) {
      const b = el('button', { type: 'button', textContent: `${n}×`, title: `PNG at ${n}× (device pixels per canvas unit)` });
      b.dataset.scale = String(n);
      b.addEventListener('click', () => {
        this.choice.scale = n;
        this.refresh();
      });
      this.scaleButtons.push(b);
      scales.append(b);
    }
    const options = el(
      'div',
      { className: 'export-options' },
      el('label', {}, this.backgroundBox, el('span', { textContent: 'Background' })),
      el('label', {}, this.selectionBox, this.selectionLabel),
      el('div', { className: 'export-scale' }, el('span', { textContent: 'Scale' }), scales),
    );
    this.sheet.body.append(this.preview, options, this.size, el('p', { className: 'sheet-note', textContent: 'Pick a format, then where to save the file.' }), list);
    const onOpen = this.sheet.onOpen;
    this.sheet.onOpen = () => {
      onOpen?.();
      // Whatever is selected when the sheet opens is offered; with a selection, it is the default.
      this.choice.selectionOnly = (this.host.selection?.() ?? []).length > 0;
      this.refresh();
    };
  }

  /** Redraws the preview and the options from the board, the selection and the choice. */
  refresh(): void {
    const all = this.host.elements?.() ?? [];
    const selection = this.host.selection?.() ?? [];
    if (selection.length === 0) this.choice.selectionOnly = false;
    const shown = exportedElements(all, selection, this.choice);
    this.selectionBox.checked = this.choice.selectionOnly;
    this.selectionBox.disabled = selection.length === 0;
    this.selectionLabel.textContent = selection.length ? `Selection only (${plural(selection.length, 'element')})` : 'Selection only (nothing selected)';
    this.backgroundBox.checked = this.choice.background;
    for (const b of this.scaleButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.scale) === this.choice.scale));
    this.preview.classList.toggle('transparent', !this.choice.background);
    drawPreview(this.preview, shown, 300, 180, { background: this.choice.background });
    const px = pngSize(shown, this.choice.scale);
    this.size.textContent = px ? `${plural(shown.length, 'element')} · PNG about ${px.width.toLocaleString('en')} × ${px.height.toLocaleString('en')} px` : 'Nothing to export yet';
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
      const selection = this.host.selection?.() ?? [];
      const only = this.choice.selectionOnly && selection.length ? selection : null;
      const r = await this.invoke<{ elements: number; bytes: number }>('file_export', { board, path, format: format.id, background: this.choice.background, scale: this.choice.scale, only });
      this.stop();
      toast(`Exported ${plural(r.elements, 'element')} to ${baseName(path)} (${formatBytes(r.bytes)})`);
    } catch (e) {
      this.stop();
      toast(`Could not export to ${baseName(path)}: ${asAppError(e).message}`, { error: true });
    }
  }
}
