import type { Alignment, Axis } from '../engine/arrange';
import type { KeyInput, ToolName } from './tool';

export type Action =
  | { type: 'tool'; tool: ToolName }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'duplicate' }
  | { type: 'delete' }
  | { type: 'selectAll' }
  | { type: 'group' }
  | { type: 'ungroup' }
  | { type: 'bringToFront' }
  | { type: 'sendToBack' }
  | { type: 'bringForward' }
  | { type: 'sendBackward' }
  | { type: 'align'; how: Alignment }
  | { type: 'distribute'; axis: Axis }
  | { type: 'toggleLock' }
  | { type: 'toggleMinimap' }
  | { type: 'toggleGrid' }
  | { type: 'zoomToFit' }
  | { type: 'zoomToSelection' }
  | { type: 'zoomIn' }
  | { type: 'zoomOut' }
  | { type: 'resetZoom' }
  | { type: 'help' }
  | { type: 'insertImage' }
  | { type: 'cancel' };

/** Excalidraw's single-key tool shortcuts (letter and digit). */
export const TOOL_KEYS: Record<string, ToolName> = {
  v: 'select',
  '1': 'select',
  h: 'hand',
  r: 'rectangle',
  '2': 'rectangle',
  d: 'diamond',
  '3': 'diamond',
  o: 'ellipse',
  '4': 'ellipse',
  a: 'arrow',
  '5': 'arrow',
  l: 'line',
  '6': 'line',
  p: 'pen',
  '7': 'pen',
  t: 'text',
  '8': 'text',
  e: 'eraser',
  '0': 'eraser',
  f: 'frame',
  s: 'sticky',
  c: 'comment',
};

/** The shortcut sheet: [keys, what they do]. */
export const SHORTCUTS: [string, string][] = [
  ['V / 1', 'Select'],
  ['H / Space-drag', 'Hand (pan)'],
  ['R / 2', 'Rectangle'],
  ['D / 3', 'Diamond'],
  ['O / 4', 'Ellipse'],
  ['A / 5', 'Arrow'],
  ['L / 6', 'Line'],
  ['Click, click… Enter / Esc / double-click', 'Line or arrow point by point (drag: two points)'],
  ['Drag a point / a midpoint', 'Move / add a point of the selected line (Delete removes a clicked point)'],
  ['P / 7', 'Pen'],
  ['T / 8', 'Text'],
  ['E / 0', 'Eraser'],
  ['F', 'Frame'],
  ['S', 'Sticky note'],
  ['C', 'Comment (place a thread)'],
  ['9', 'Insert an image (or drop / paste one)'],
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'Redo'],
  ['Ctrl+D', 'Duplicate'],
  ['Alt+drag', 'Drag a copy (the original stays where it was)'],
  ['Delete / Backspace', 'Delete'],
  ['Ctrl+A', 'Select all'],
  ['Ctrl+G / Ctrl+Shift+G', 'Group / ungroup'],
  ['Ctrl+C / Ctrl+X / Ctrl+V', 'Copy / cut / paste (Excalidraw clipboard too)'],
  ['Ctrl+] / Ctrl+[', 'Bring forward / send backward'],
  ['Ctrl+Shift+] / Ctrl+Shift+[', 'Bring to front / send to back'],
  ['Ctrl+Shift+← / → / ↑ / ↓', 'Align left / right / top / bottom'],
  ['Alt+H / Alt+V', 'Distribute horizontally / vertically'],
  ['Ctrl+Shift+L', 'Lock / unlock (unlock all when nothing is selected)'],
  ['M', 'Show / hide the minimap'],
  ["Ctrl+'", 'Show / hide the grid (moves and resizes snap to it)'],
  ['Ctrl+drag', 'Move or resize without snapping'],
  ['Shift+1', 'Zoom to fit'],
  ['Shift+2', 'Zoom to selection'],
  ['Ctrl+= / Ctrl+- / Ctrl+0', 'Zoom in / out / reset'],
  ['?', 'This sheet'],
  ['Esc', 'Cancel'],
];

/** Ctrl+Shift+arrow aligns the selection, as in Excalidraw. */
const ALIGN_KEYS: Record<string, Alignment> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'top',
  ArrowDown: 'bottom',
};

/** Maps a key press to an action, Excalidraw-style. */
export function resolveKey(e: KeyInput): Action | null {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.mod) {
    if (key === 'z') return e.shift ? { type: 'redo' } : { type: 'undo' };
    if (key === 'y' && !e.shift) return { type: 'redo' };
    if (key === 'd') return { type: 'duplicate' };
    if (key === 'a') return { type: 'selectAll' };
    if (key === 'g') return e.shift ? { type: 'ungroup' } : { type: 'group' };
    if (e.shift && (key === ']' || key === '}')) return { type: 'bringToFront' };
    if (e.shift && (key === '[' || key === '{')) return { type: 'sendToBack' };
    if (!e.shift && key === ']') return { type: 'bringForward' };
    if (!e.shift && key === '[') return { type: 'sendBackward' };
    if (e.shift && key === 'l') return { type: 'toggleLock' };
    if (e.shift && ALIGN_KEYS[key]) return { type: 'align', how: ALIGN_KEYS[key] };
    if (key === '=' || key === '+') return { type: 'zoomIn' };
    if (key === '-' || key === '_') return { type: 'zoomOut' };
    if (key === '0') return { type: 'resetZoom' };
    if (key === "'" || e.code === 'Quote') return { type: 'toggleGrid' };
    return null;
  }
  if (key === 'Escape') return { type: 'cancel' };
  if (key === 'Delete' || key === 'Backspace') return { type: 'delete' };
  if (key === '?') return { type: 'help' };
  if (e.shift) {
    if (e.code === 'Digit1' || key === '!') return { type: 'zoomToFit' };
    if (e.code === 'Digit2' || key === '@') return { type: 'zoomToSelection' };
    return null;
  }
  if (e.alt) {
    if (e.code === 'KeyH' || key === 'h') return { type: 'distribute', axis: 'x' };
    if (e.code === 'KeyV' || key === 'v') return { type: 'distribute', axis: 'y' };
    return null;
  }
  if (key === 'm') return { type: 'toggleMinimap' };
  if (key === '9') return { type: 'insertImage' };
  const tool = TOOL_KEYS[key];
  return tool ? { type: 'tool', tool } : null;
}
