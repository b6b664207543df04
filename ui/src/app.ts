// The families the style panel offers (engine/text.ts fontStack), with their licences in the
// packages; easel-formats exports with the same files (crates/easel-formats/fonts).
import 'excalifont/style.css';
import '@fontsource/nunito/400.css';
import '@fontsource/cascadia-code/400.css';
import './style.css';
import { inTauri, tauriApi } from './bridge/tauri';
import { startDesktop, SwitchCommands } from './bridge/desktop';
import { seedCollabDemo, seedDemo, seedEdgesDemo } from './demo';
import { Editor } from './editor';
import { MemoryCommands } from './engine/commands';
import { placeCamera, ViewMemory } from './engine/camera';
import { localBox } from './engine/geometry';
import { asCtx2D, type BoardSource, DARK_THEME, LIGHT_THEME, LINE_HEIGHT, RenderLoop, Renderer } from './engine/renderer';
import { cssFont, isLabel, layoutText, type LineMeasure } from './engine/text';
import { visibleInOrder } from './engine/spatial';
import { Store } from './engine/store';
import { MAX_ZOOM, MIN_ZOOM } from './engine/viewport';
import type { Element } from './model/types';
import { FileStore } from './files';
import { installClipboard } from './panels/clipboard';
import { installImageInput } from './panels/images';
import { Minimap } from './panels/minimap';
import { installPanels, PANEL_SHORTCUTS } from './panels/shell';
import { StylePanel } from './panels/style';
import { SHORTCUTS, TOOL_KEYS } from './tools/keymap';
import type { KeyInput, PointerInput, ToolName } from './tools/tool';
import { blockedReason, toolAllowed } from './tools/mode';
import { pinAt } from './collab/pins';
import type { Collab } from './panels/collab';
import { ThemeToggle } from './panels/theme';

function $<T extends HTMLElement>(sel: string): T {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el;
}

const board = $<HTMLDivElement>('#board');
const staticCanvas = $<HTMLCanvasElement>('#static-layer');
const interactiveCanvas = $<HTMLCanvasElement>('#interactive-layer');
const hint = $<HTMLParagraphElement>('#empty-hint');
const toolbar = $<HTMLElement>('#toolbar');
const zoomControls = $<HTMLDivElement>('#zoom-controls');
const help = $<HTMLDialogElement>('#help');

const staticCtx = asCtx2D(staticCanvas.getContext('2d')!);
const interactiveCtx = asCtx2D(interactiveCanvas.getContext('2d')!);
const measureCtx = document.createElement('canvas').getContext('2d')!;
/** Text widths as the canvas draws them: for wrapping labels, sizing texts and the edit box. */
const measureLine: LineMeasure = (line, fontSize, fontFamily) => {
  measureCtx.font = cssFont(fontSize, fontFamily);
  return measureCtx.measureText(line).width;
};

// Light, dark or the system's, chosen in the zoom bar and remembered (panels/theme.ts).
const theme = new ThemeToggle(window.matchMedia('(prefers-color-scheme: dark)'), () => {
  loop?.invalidate('both');
  minimap.invalidate(true);
});
let dpr = window.devicePixelRatio || 1;

const store = new Store();
// In-memory until the desktop shell opens a board (then the Tauri bridge, see bridge/).
const commands = new SwitchCommands(new MemoryCommands(store, 'me'));
const renderer = new Renderer();
/** The element whose text is open in the DOM editor (not painted on the canvas meanwhile). */
const hidden = new Set<string>();
let loop: RenderLoop | null = null;
/** Image bytes of the open board, decoded for the renderer on first use. */
const files = new FileStore(() => {
  // A decoded image changes what the board looks like without changing an element: repaint in
  // full, tiles included.
  renderer.invalidateBoard();
  loop?.invalidate('static');
});

const editor: Editor = new Editor({
  store,
  commands,
  invalidate: (layer) => loop?.invalidate(layer),
  editText: openTextEditor,
  measureText(text, fontSize, fontFamily) {
    const lines = text.split('\n');
    return {
      width: Math.max(1, ...lines.map((l) => measureLine(l, fontSize, fontFamily))),
      height: lines.length * fontSize * LINE_HEIGHT,
    };
  },
  measureLine,
  onHelp: toggleHelp,
  onChange: () => {
    updateToolbar();
    stylePanel.refresh();
    // The selection may have changed: collaborators see it.
    collab?.publish();
  },
  onToggleMinimap: () => toggleMinimap(),
  onInsertImage: () => pickImage(),
  onPlaceComment: (anchor) => collab?.placeComment(anchor),
});
/** Sharing, sync, comments and cursors (desktop only). */
let collab: Collab | null = null;
const stylePanel = new StylePanel(editor);
const minimap = new Minimap(editor, () => theme.dark);
document.body.append(stylePanel.root, minimap.root);
// After a click on a panel button, keys go back to the board (Delete, Space, shortcuts); inputs
// keep focus while they are in use (the colour picker, the slider's arrow keys).
stylePanel.root.addEventListener('click', (e) => {
  if (!(e.target instanceof HTMLInputElement)) interactiveCanvas.focus();
});

/** The whole board, for the zoomed-out tiles and for repainting only what a pan uncovers. */
const boardSource: BoardSource = {
  get revision() {
    return store.revision;
  },
  elements: () => store.sorted(),
  query: (r) => visibleInOrder(editor.spatial, (id) => store.get(id), r),
  changedSince: (revision) => editor.dirty.since(revision, store.revision),
};

loop = new RenderLoop(
  // A zoomed-out frame that showed stand-ins for tiles not yet rendered asks for another.
  () =>
    !!renderer.renderStatic(staticCtx, () => editor.visibleElements(), editor.viewport, {
      dpr,
      theme: LIGHT_THEME, // dark mode inverts the board layer in CSS
      versionOf: (id) => store.version(id),
      hidden,
      faded: editor.interactive.erasing,
      image: (id) => files.image(id),
      get: (id) => store.get(id),
      board: boardSource,
    }).tiles?.pending,
  () =>
    renderer.renderInteractive(interactiveCtx, editor.interactive, (id) => store.get(id), editor.viewport, {
      dpr,
      theme: theme.dark ? DARK_THEME : LIGHT_THEME,
    }),
);

// Labels are measured and drawn with a fallback until a web font arrives: then again with it.
if (document.fonts) {
  for (const f of ['Excalifont', 'Nunito', "'Cascadia Code'"]) void document.fonts.load(`20px ${f}`).catch(() => {});
  document.fonts.addEventListener('loadingdone', () => {
    renderer.invalidateText();
    loop?.invalidate('both');
  });
}

store.subscribe((change) => {
  for (const id of change.removed) renderer.forget(id);
  hint.hidden = store.size > 0;
  // For end-to-end tests (e2e/): how many elements the open board shows.
  board.dataset.elements = String(store.size);
  if ([...change.updated, ...change.removed].some((id) => editor.interactive.selection.has(id))) stylePanel.refresh();
  updateUndo();
});

// --- Sizing ---------------------------------------------------------------------------------------

function resize(): void {
  dpr = window.devicePixelRatio || 1;
  const { width, height } = board.getBoundingClientRect();
  for (const c of [staticCanvas, interactiveCanvas]) {
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
  }
  // Setting a canvas's size clears it: the next frame must not reuse the last one.
  renderer.invalidateFrame();
  editor.viewport.resize(width, height);
  loop?.invalidate('both');
}

// --- Pointer and wheel ---------------------------------------------------------------------------

function toInput(e: PointerEvent | MouseEvent): PointerInput {
  const r = interactiveCanvas.getBoundingClientRect();
  const pe = e as PointerEvent;
  return {
    point: editor.viewport.toWorld({ x: e.clientX - r.left, y: e.clientY - r.top }),
    pressure: pe.pointerType === 'pen' ? pe.pressure : 0.5,
    pointerType: pe.pointerType === 'pen' || pe.pointerType === 'touch' ? pe.pointerType : 'mouse',
    button: e.button,
    shift: e.shiftKey,
    alt: e.altKey,
    mod: e.ctrlKey || e.metaKey,
  };
}

/** The pointer over the board, in screen coordinates (paste lands there). */
let pointerScreen: { x: number; y: number } | null = null;
interactiveCanvas.addEventListener('pointerleave', () => {
  pointerScreen = null;
  collab?.pointer(null);
});

let panningWithMiddle = false;
interactiveCanvas.addEventListener('pointerdown', (e) => {
  interactiveCanvas.focus();
  interactiveCanvas.setPointerCapture(e.pointerId);
  if (e.button === 1) {
    panningWithMiddle = true;
    return;
  }
  if (e.button !== 0) return;
  // A comment pin takes the click before any tool.
  const r = interactiveCanvas.getBoundingClientRect();
  const pin = pinAt(editor.interactive.pins ?? [], { x: e.clientX - r.left, y: e.clientY - r.top }, (p) => editor.viewport.toScreen(p));
  if (pin && collab && editor.tool.state === 'idle') {
    collab.comments.focus(pin.thread);
    return;
  }
  editor.pointerDown(toInput(e));
});
interactiveCanvas.addEventListener('pointermove', (e) => {
  const r = interactiveCanvas.getBoundingClientRect();
  pointerScreen = { x: e.clientX - r.left, y: e.clientY - r.top };
  collab?.pointer(editor.viewport.toWorld(pointerScreen));
  if (panningWithMiddle) {
    editor.viewport.panBy(e.movementX, e.movementY);
    return;
  }
  const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
  for (const ce of events.length ? events : [e]) editor.pointerMove(toInput(ce));
});
const release = (e: PointerEvent) => {
  if (panningWithMiddle) {
    panningWithMiddle = false;
    return;
  }
  if (e.button !== 0 && e.type === 'pointerup') return;
  editor.pointerUp(toInput(e));
};
interactiveCanvas.addEventListener('pointerup', release);
interactiveCanvas.addEventListener('pointercancel', () => editor.tool.cancel());
interactiveCanvas.addEventListener('dblclick', (e) => editor.doubleClick(toInput(e)));
interactiveCanvas.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const r = interactiveCanvas.getBoundingClientRect();
    const s = { x: e.clientX - r.left, y: e.clientY - r.top };
    editor.wheel(s, { deltaX: e.deltaX, deltaY: e.deltaY, deltaMode: e.deltaMode, zoom: e.ctrlKey || e.metaKey, shift: e.shiftKey });
  },
  { passive: false },
);

// --- Keyboard -------------------------------------------------------------------------------------

const keyInput = (e: KeyboardEvent): KeyInput => ({
  key: e.key,
  code: e.code,
  shift: e.shiftKey,
  alt: e.altKey,
  mod: e.ctrlKey || e.metaKey,
});
const typingIn = (t: EventTarget | null) => t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement;
window.addEventListener('keydown', (e) => {
  if (typingIn(e.target) || help.open) return;
  if (e.repeat && e.key === ' ') {
    e.preventDefault();
    return;
  }
  if (editor.keyDown(keyInput(e))) e.preventDefault();
});
window.addEventListener('keyup', (e) => {
  if (!typingIn(e.target)) editor.keyUp(keyInput(e));
});

// --- Text editing ---------------------------------------------------------------------------------

function openTextEditor(el: Element, done: (text: string | null) => void): void {
  const vp = editor.viewport;
  const b = localBox(el);
  const ta = document.createElement('textarea');
  ta.className = 'text-editor';
  ta.value = el.text ?? '';
  ta.spellcheck = true;
  const label = isLabel(el);
  ta.style.font = cssFont(el.fontSize, el.fontFamily);
  ta.style.transform = `scale(${vp.zoom}) rotate(${el.angle}rad)`;
  // A label wraps as the canvas wraps it (the same column, centred); plain text does not wrap.
  if (label) ta.classList.add('label');
  // The box covers exactly the lines the canvas will draw, laid out by the canvas's own function,
  // and grows with them as they are typed: no line scrolls out of view.
  const place = () => {
    const t = layoutText(el, b, measureLine, ta.value);
    const width = label ? t.width : Math.max(t.width + el.fontSize, 20);
    const left = label ? t.left : t.align === 'left' ? t.x : t.align === 'right' ? t.x - width : t.x - width / 2;
    const tl = vp.toScreen({ x: left, y: t.top });
    ta.style.left = `${tl.x}px`;
    ta.style.top = `${tl.y}px`;
    ta.style.width = `${width}px`;
    ta.style.textAlign = t.align;
    ta.style.height = `${t.height}px`;
    // Should the browser wrap a line differently from the layout, grow rather than scroll.
    if (ta.scrollHeight > ta.clientHeight) ta.style.height = `${ta.scrollHeight}px`;
  };
  place();
  ta.addEventListener('input', place);
  hidden.add(el.id);
  loop?.invalidate('static');
  board.appendChild(ta);
  let closed = false;
  const close = (text: string | null) => {
    if (closed) return;
    closed = true;
    hidden.delete(el.id);
    ta.remove();
    done(text);
    loop?.invalidate('both');
    interactiveCanvas.focus();
  };
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      close(ta.value);
    }
    e.stopPropagation();
  });
  ta.addEventListener('blur', () => close(ta.value));
  requestAnimationFrame(() => ta.focus());
}

// --- Toolbar, zoom controls, help ------------------------------------------------------------------

const TOOLS: [ToolName, string][] = [
  ['hand', 'svg:<path d="M12 2v20M2 12h20M12 2l-3 3M12 2l3 3M12 22l-3-3M12 22l3-3M2 12l3-3M2 12l3 3M22 12l-3-3M22 12l-3 3"/>'],
  ['select', '➚'],
  ['rectangle', '▭'],
  ['diamond', '◇'],
  ['ellipse', '◯'],
  ['arrow', '→'],
  ['line', '—'],
  ['pen', '✎'],
  ['text', 'A'],
  ['sticky', 'svg:<path d="M4 4h16v11l-5 5H4z"/><path d="M15 20v-5h5"/>'],
  ['eraser', '⌫'],
  ['frame', '#'],
  ['comment', 'svg:<path d="M4 5h16v11H9l-5 4z"/>'],
];
const toolKey = (t: ToolName) => {
  const keys = Object.entries(TOOL_KEYS).filter(([, v]) => v === t).map(([k]) => k.toUpperCase());
  return keys.find((k) => /\d/.test(k)) ?? keys[0] ?? '';
};
const buttons = new Map<ToolName, HTMLButtonElement>();
for (const [name, icon] of TOOLS) {
  const b = document.createElement('button');
  b.type = 'button';
  b.title = `${name[0]!.toUpperCase()}${name.slice(1)} — ${Object.entries(TOOL_KEYS).filter(([, v]) => v === name).map(([k]) => k.toUpperCase()).join(' or ') || 'Space-drag'}`;
  b.setAttribute('aria-label', name);
  b.innerHTML = `<span aria-hidden="true"></span><span class="key"></span>`;
  if (icon.startsWith('svg:')) {
    // Static markup from this file, not user input.
    b.firstElementChild!.innerHTML = `<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${icon.slice(4)}</svg>`;
  } else {
    b.firstElementChild!.textContent = icon;
  }
  b.lastElementChild!.textContent = toolKey(name);
  b.addEventListener('click', () => {
    editor.setTool(name);
    interactiveCanvas.focus();
  });
  buttons.set(name, b);
  toolbar.appendChild(b);
}
// Insert image (9): not a tool but an action, as in Excalidraw; the picker is installed below.
let pickImage: () => void = () => {};
const imageButton = document.createElement('button');
imageButton.type = 'button';
imageButton.setAttribute('aria-label', 'Insert image');
imageButton.innerHTML =
  '<span aria-hidden="true"><svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><rect x="3" y="4" width="18" height="16" rx="2"/><circle cx="9" cy="10" r="2"/><path d="M21 16l-5-5-9 9"/></svg></span><span class="key">9</span>';
imageButton.addEventListener('click', () => {
  editor.run({ type: 'insertImage' });
  interactiveCanvas.focus();
});
toolbar.appendChild(imageButton);
const sep = document.createElement('span');
sep.className = 'sep';
toolbar.appendChild(sep);
const historyButtons: HTMLButtonElement[] = [];
for (const [label, title, fn] of [
  ['↶', 'Undo — Ctrl+Z', () => editor.run({ type: 'undo' })],
  ['↷', 'Redo — Ctrl+Shift+Z', () => editor.run({ type: 'redo' })],
  ['?', 'Shortcuts — ?', toggleHelp],
] as const) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title.split(' — ')[0]!);
  b.addEventListener('click', () => {
    fn();
    updateUndo();
  });
  toolbar.appendChild(b);
  historyButtons.push(b);
}
const [undoButton, redoButton] = historyButtons as [HTMLButtonElement, HTMLButtonElement];
/** Greys out undo/redo when there is nothing to undo/redo (the core's answer in the desktop app). */
function updateUndo(): void {
  const editing = editor.mode === 'edit';
  undoButton.disabled = !editing || !commands.canUndo();
  redoButton.disabled = !editing || !commands.canRedo();
}
commands.onUndoState = updateUndo;

const zoomOut = document.createElement('button');
zoomOut.textContent = '−';
zoomOut.title = 'Zoom out — Ctrl+-';
zoomOut.addEventListener('click', () => editor.run({ type: 'zoomOut' }));
const zoomLabel = document.createElement('output');
const zoomIn = document.createElement('button');
zoomIn.textContent = '+';
zoomIn.title = 'Zoom in — Ctrl+=';
zoomIn.addEventListener('click', () => editor.run({ type: 'zoomIn' }));
zoomLabel.title = 'Reset zoom — Ctrl+0';
zoomLabel.addEventListener('click', () => editor.run({ type: 'resetZoom' }));
const fit = document.createElement('button');
fit.textContent = '⤢';
fit.title = 'Zoom to fit — Shift+1';
fit.setAttribute('aria-label', 'Zoom to fit');
fit.addEventListener('click', () => editor.run({ type: 'zoomToFit' }));
zoomControls.append(zoomOut, zoomLabel, zoomIn, fit, theme.button);

const mapToggle = document.createElement('button');
mapToggle.id = 'minimap-toggle';
mapToggle.type = 'button';
mapToggle.title = 'Minimap — M';
mapToggle.setAttribute('aria-label', 'Minimap');
mapToggle.innerHTML = '<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"><rect x="3" y="5" width="18" height="14" rx="2"/><rect x="11" y="10" width="7" height="6" rx="1"/></svg>';
mapToggle.addEventListener('click', () => toggleMinimap());
document.body.appendChild(mapToggle);

function toggleMinimap(show = !minimap.visible): void {
  minimap.toggle(show);
  mapToggle.setAttribute('aria-pressed', String(show));
  try {
    localStorage.setItem('easel.minimap', show ? '1' : '0');
  } catch {
    // Storage may be unavailable; the toggle still works for this session.
  }
}

function updateZoomLabel(): void {
  zoomLabel.textContent = `${Math.round(editor.viewport.zoom * 100)}%`;
  zoomOut.disabled = editor.viewport.zoom <= MIN_ZOOM;
  zoomIn.disabled = editor.viewport.zoom >= MAX_ZOOM;
}

const CURSORS: Partial<Record<ToolName, string>> = { select: 'default', hand: 'grab', eraser: 'cell', text: 'text', comment: 'crosshair' };
const toolTitles = new Map([...buttons].map(([n, b]) => [n, b.title]));
function updateToolbar(): void {
  // Tools the access level forbids stay visible, greyed, saying why.
  const reason = blockedReason(editor.mode);
  for (const [name, b] of buttons) {
    b.setAttribute('aria-pressed', String(name === editor.toolName));
    const allowed = toolAllowed(editor.mode, name);
    b.disabled = !allowed;
    b.title = allowed ? toolTitles.get(name)! : `${toolTitles.get(name)} — ${reason}`;
  }
  const imageAllowed = editor.mode === 'edit';
  imageButton.disabled = !imageAllowed;
  imageButton.title = imageAllowed ? 'Insert image — 9, or drop or paste one' : `Insert image — ${reason}`;
  updateUndo();
  interactiveCanvas.style.cursor = CURSORS[editor.toolName] ?? 'crosshair';
}

function toggleHelp(): void {
  if (help.open) {
    help.close();
    return;
  }
  if (!help.firstChild) {
    // Close sits in the heading row: the dialog focuses its first control, which must not be at
    // the bottom of a list taller than the window (it opened scrolled to its end).
    const head = document.createElement('header');
    const h = document.createElement('h2');
    h.textContent = 'Keyboard shortcuts';
    const table = document.createElement('table');
    for (const [keys, what] of inTauri() ? [...SHORTCUTS, ...PANEL_SHORTCUTS] : SHORTCUTS) {
      const tr = table.insertRow();
      const k = document.createElement('kbd');
      k.textContent = keys;
      tr.insertCell().appendChild(k);
      tr.insertCell().textContent = what;
    }
    const close = document.createElement('button');
    close.textContent = 'Close';
    close.addEventListener('click', () => help.close());
    head.append(h, close);
    help.append(head, table);
  }
  help.showModal();
  help.scrollTop = 0;
}

const showError = (message: string) => {
  const status = document.querySelector<HTMLElement>('#status');
  if (status && inTauri()) {
    status.textContent = message;
    status.hidden = false;
  } else console.error(message);
};
installClipboard(editor, files, {
  pointer: () => (pointerScreen ? editor.viewport.toWorld(pointerScreen) : null),
  ignore: typingIn,
  onError: showError,
});
pickImage = installImageInput(editor, files, board, interactiveCanvas, showError);

// Each board's camera is remembered on this computer; a board opens where it was left, or with
// its content centred beside the sidebar and under the toolbar.
let storage: Storage | null = null;
try {
  storage = window.localStorage;
} catch {
  storage = null;
}
const views = new ViewMemory(storage);
let viewBoard: string | null = null;
let viewSave: ReturnType<typeof setTimeout> | null = null;
const overlayInsets = () => {
  const boards = document.querySelector<HTMLElement>('#boards');
  const side = boards && !boards.hidden && !boards.classList.contains('collapsed') ? boards.getBoundingClientRect().right : 0;
  return { left: side > 0 ? side + 12 : 0, top: toolbar.getBoundingClientRect().bottom + 8, right: 0, bottom: 0 };
};
const placeOpenedBoard = (id: string) => {
  if (viewSave && viewBoard) {
    clearTimeout(viewSave);
    viewSave = null;
    views.save(viewBoard, editor.viewport);
  }
  viewBoard = null;
  const saved = views.load(id);
  placeCamera(editor.viewport, editor.contentBounds(), saved, overlayInsets());
  viewBoard = id;
  // An empty board seen for the first time (just joined, or connected before its first sync):
  // its first content from elsewhere is brought into view once, unless the camera moved first.
  awaitingContent = store.size === 0 && !saved ? { x: editor.viewport.x, y: editor.viewport.y, zoom: editor.viewport.zoom } : null;
};
let awaitingContent: { x: number; y: number; zoom: number } | null = null;
store.subscribe((change) => {
  if (!awaitingContent || !change.added.size) return;
  const vp = editor.viewport;
  const untouched = vp.x === awaitingContent.x && vp.y === awaitingContent.y && vp.zoom === awaitingContent.zoom;
  if (untouched && !change.origins.has('local')) placeCamera(vp, editor.contentBounds(), null, overlayInsets());
  awaitingContent = null;
});
editor.viewport.onChange(() => {
  if (!viewBoard || viewSave) return;
  viewSave = setTimeout(() => {
    viewSave = null;
    if (viewBoard) views.save(viewBoard, editor.viewport);
  }, 300);
});

// Start-up, once every piece above exists.
editor.viewport.onChange(updateZoomLabel);
new ResizeObserver(resize).observe(board);
resize();
if (inTauri()) {
  void tauriApi().then(async (api) => {
    const started = await startDesktop(
      store,
      commands,
      { panel: $('#boards'), welcome: $('#welcome'), status: $('#status') },
      api,
      files,
      (opened) => {
        placeOpenedBoard(opened.board.id);
        hint.hidden = store.size > 0;
        loop?.invalidate('both');
        interactiveCanvas.focus();
        // The first opened board is on screen once this frame has drawn it: e2e/ reads the
        // time (ms since the epoch) to measure start-up.
        if (!board.dataset.paintedAt) {
          requestAnimationFrame(() =>
            setTimeout(() => {
              performance.mark('easel:board-painted');
              board.dataset.paintedAt = String(Math.round(performance.timeOrigin + performance.now()));
            }),
          );
        }
      },
      editor,
    );
    const desktop = started.desktop;
    collab = started.collab;
    installPanels(desktop, api, () => interactiveCanvas.focus(), { elements: () => store.sorted(), selection: () => [...editor.interactive.selection] });
    await desktop.refreshList();
  });
} else if (location.hash === '#demo') seedDemo(editor);
else if (location.hash === '#demo-collab') seedCollabDemo(editor);
else if (location.hash === '#demo-edges') seedEdgesDemo(editor);
updateToolbar();
updateZoomLabel();
updateUndo();
stylePanel.refresh();
let minimapPref: string | null = null;
try {
  minimapPref = localStorage.getItem('easel.minimap');
} catch {
  // No storage: the minimap starts shown.
}
toggleMinimap(minimapPref !== '0');
hint.hidden = store.size > 0;
