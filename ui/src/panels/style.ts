//! The style panel (right of the board): the current tool's style, or the selection's, with
//! Excalidraw's choices: stroke and background colours, fill style, stroke width and style,
//! edges (sharp or round: corners of rectangles and diamonds, the curve of lines and arrows),
//! sloppiness (the hand-drawn style's roughness), arrowheads per end, font family and size,
//! opacity; and, for a selection, layers, align, distribute, lock, duplicate, delete.
//! Every change is one `Editor.applyStyle` (one undo step); the panel itself holds no state.

import type { Alignment } from '../engine/arrange';
import { fontStack } from '../engine/text';
import type { Editor } from '../editor';
import { type Element, type ElementKind, type FillStyle, hasEdges, type StrokeStyle } from '../model/types';
import type { Action } from '../tools/keymap';
import type { Style, ToolName } from '../tools/tool';

const STROKES = ['#1e1e1e', '#e03131', '#2f9e44', '#1971c2', '#f08c00'];
const FILLS = ['transparent', '#ffc9c9', '#b2f2bb', '#a5d8ff', '#ffec99'];
const WIDTHS: [number, string][] = [
  [1, 'Thin'],
  [2, 'Bold'],
  [4, 'Extra bold'],
];
const STROKE_STYLES: [StrokeStyle, string][] = [
  ['solid', 'Solid'],
  ['dashed', 'Dashed'],
  ['dotted', 'Dotted'],
];
const FILL_STYLES: [FillStyle, string][] = [
  ['solid', 'Solid'],
  ['hachure', 'Hatched'],
  ['cross-hatch', 'Cross-hatched'],
  ['zigzag', 'Zigzag'],
];
/** Excalidraw's sloppiness: the hand-drawn style's roughness (engine/rough.ts). */
const SLOPPINESS: [number, string][] = [
  [0, 'Architect'],
  [1, 'Artist'],
  [2, 'Cartoonist'],
];
/**
 * Arrowheads per end, as Excalidraw offers them, each with a glyph that leads its name (the closed
 * list, half a column wide, shows the glyph): [value, name, glyph at the start, glyph at the end].
 */
const ARROWHEADS: [string, string, string, string][] = [
  ['none', 'None', '—', '—'],
  ['arrow', 'Arrow', '←', '→'],
  ['triangle', 'Triangle', '◀', '▶'],
  ['bar', 'Bar', '⊢', '⊣'],
  ['dot', 'Dot', '●', '●'],
];
/** Excalidraw's arrow types: straight segments, a curve through the points, or an elbow route. */
const ARROW_TYPES: [string, string][] = [
  ['sharp', 'Sharp arrow'],
  ['round', 'Curved arrow'],
  ['elbow', 'Elbow arrow'],
];
const EDGES: [string, string][] = [
  ['sharp', 'Sharp'],
  ['round', 'Round'],
];
const FONT_SIZES: [number, string][] = [
  [16, 'S'],
  [20, 'M'],
  [28, 'L'],
  [36, 'XL'],
];

/** The families the style panel offers: value stored, name, sample shown in the family itself. */
const FONT_FAMILIES: [string, string][] = [
  ['Excalifont', 'Hand-drawn'],
  ['Nunito', 'Normal'],
  ['Cascadia Code', 'Code'],
  ['sans-serif', 'System'],
];

const TOOL_KIND: Partial<Record<ToolName, ElementKind>> = {
  rectangle: 'rectangle',
  ellipse: 'ellipse',
  diamond: 'diamond',
  line: 'line',
  arrow: 'arrow',
  pen: 'freedraw',
  text: 'text',
  sticky: 'sticky',
  frame: 'frame',
};

/** Sections short enough to share a row of the panel's two columns. */
const HALF = new Set(['Fill', 'Stroke width', 'Stroke style', 'Arrow type', 'Edges', 'Sloppiness', 'Arrowheads', 'Font family', 'Font size', 'Layers', 'Actions']);

const SHAPES = new Set<ElementKind>(['rectangle', 'ellipse', 'diamond']);
const has = {
  stroke: (k: ElementKind) => k !== 'image' && k !== 'frame',
  fill: (k: ElementKind) => SHAPES.has(k) || k === 'sticky',
  strokeWidth: (k: ElementKind) => SHAPES.has(k) || k === 'line' || k === 'arrow' || k === 'freedraw',
  strokeStyle: (k: ElementKind) => SHAPES.has(k) || k === 'line' || k === 'arrow',
  edges: hasEdges,
  roughness: (k: ElementKind) => SHAPES.has(k) || k === 'line' || k === 'arrow',
  arrowheads: (k: ElementKind) => k === 'arrow',
  font: (k: ElementKind, el?: Element) => k === 'text' || k === 'sticky' || !!el?.text,
};

const svg = (body: string) =>
  `<svg width="20" height="20" viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

/** Icons: static markup from this file, never user input. */
const ICONS: Record<string, string> = {
  w1: svg('<path d="M3 10h14" stroke-width="1.25"/>'),
  w2: svg('<path d="M3 10h14" stroke-width="2.5"/>'),
  w4: svg('<path d="M3 10h14" stroke-width="4.5"/>'),
  solid: svg('<path d="M3 10h14" stroke-width="2"/>'),
  dashed: svg('<path d="M3 10h14" stroke-width="2" stroke-dasharray="4 3"/>'),
  dotted: svg('<path d="M3 10h14" stroke-width="2" stroke-dasharray="0.5 3.5"/>'),
  sharp: svg('<path d="M4 16V4h12" stroke-width="2"/>'),
  arrowsharp: svg('<path d="M3 16L17 4M11 4h6v6" stroke-width="1.8"/>'),
  arrowround: svg('<path d="M3 16C5 6 11 12 17 4M12 4h5v5" stroke-width="1.8"/>'),
  arrowelbow: svg('<path d="M3 16h7V4h7M14 1l3 3-3 3" stroke-width="1.8"/>'),
  round: svg('<path d="M4 16V10a6 6 0 0 1 6-6h6" stroke-width="2"/>'),
  fillsolid: svg('<rect x="4" y="4" width="12" height="12" rx="2" fill="currentColor" stroke-width="1.5"/>'),
  fillhachure: svg('<rect x="4" y="4" width="12" height="12" rx="2" stroke-width="1.5"/><path d="M4 12l8-8M8 16l8-8" stroke-width="1.2"/>'),
  fillzigzag: svg('<rect x="4" y="4" width="12" height="12" rx="2" stroke-width="1.5"/><path d="M5 9l3-3 0 5 4-5 0 5 3-3" stroke-width="1.1"/>'),
  rough0: svg('<path d="M3 13c4-3 10-3 14-6" stroke-width="1.6"/>'),
  rough1: svg('<path d="M3 13c3-3 5-1 8-4s4-2 6-3" stroke-width="1.6"/><path d="M3 14c4-3 9-4 14-7" stroke-width="1"/>'),
  rough2: svg('<path d="M3 14c2-4 4 0 6-4s3 1 5-3 2 0 3-1" stroke-width="1.6"/><path d="M2 12c4-1 5-4 9-3s4-4 7-3" stroke-width="1"/>'),
  'fillcross-hatch': svg('<rect x="4" y="4" width="12" height="12" rx="2" stroke-width="1.5"/><path d="M4 12l8-8M8 16l8-8M8 4l8 8M4 8l8 8" stroke-width="1"/>'),
  left: svg('<path d="M3 2v16" stroke-width="1.5"/><rect x="5" y="5" width="10" height="3" fill="currentColor" stroke="none"/><rect x="5" y="12" width="6" height="3" fill="currentColor" stroke="none"/>'),
  centerX: svg('<path d="M10 2v16" stroke-width="1.5"/><rect x="4" y="5" width="12" height="3" fill="currentColor" stroke="none"/><rect x="6" y="12" width="8" height="3" fill="currentColor" stroke="none"/>'),
  right: svg('<path d="M17 2v16" stroke-width="1.5"/><rect x="5" y="5" width="10" height="3" fill="currentColor" stroke="none"/><rect x="9" y="12" width="6" height="3" fill="currentColor" stroke="none"/>'),
  top: svg('<path d="M2 3h16" stroke-width="1.5"/><rect x="5" y="5" width="3" height="10" fill="currentColor" stroke="none"/><rect x="12" y="5" width="3" height="6" fill="currentColor" stroke="none"/>'),
  centerY: svg('<path d="M2 10h16" stroke-width="1.5"/><rect x="5" y="4" width="3" height="12" fill="currentColor" stroke="none"/><rect x="12" y="6" width="3" height="8" fill="currentColor" stroke="none"/>'),
  bottom: svg('<path d="M2 17h16" stroke-width="1.5"/><rect x="5" y="5" width="3" height="10" fill="currentColor" stroke="none"/><rect x="12" y="9" width="3" height="6" fill="currentColor" stroke="none"/>'),
  distX: svg('<path d="M2 3v14M18 3v14" stroke-width="1.5"/><rect x="8" y="6" width="4" height="8" fill="currentColor" stroke="none"/>'),
  distY: svg('<path d="M3 2h14M3 18h14" stroke-width="1.5"/><rect x="6" y="8" width="8" height="4" fill="currentColor" stroke="none"/>'),
  toBack: svg('<rect x="7" y="7" width="10" height="10" rx="1.5" fill="currentColor" stroke="none"/><rect x="3" y="3" width="10" height="10" rx="1.5" stroke-width="1.5" fill="var(--panel)"/>'),
  backward: svg('<rect x="7" y="7" width="10" height="10" rx="1.5" fill="currentColor" stroke="none" opacity="0.5"/><rect x="3" y="3" width="10" height="10" rx="1.5" stroke-width="1.5"/>'),
  forward: svg('<rect x="3" y="3" width="10" height="10" rx="1.5" stroke-width="1.5"/><rect x="7" y="7" width="10" height="10" rx="1.5" fill="currentColor" stroke="none" opacity="0.5"/>'),
  toFront: svg('<rect x="3" y="3" width="10" height="10" rx="1.5" stroke-width="1.5"/><rect x="7" y="7" width="10" height="10" rx="1.5" fill="currentColor" stroke="none"/>'),
  lock: svg('<rect x="4" y="9" width="12" height="8" rx="1.5" stroke-width="1.5"/><path d="M7 9V6.5a3 3 0 0 1 6 0V9" stroke-width="1.5"/>'),
  unlock: svg('<rect x="4" y="9" width="12" height="8" rx="1.5" stroke-width="1.5"/><path d="M7 9V6.5a3 3 0 0 1 5.8-1" stroke-width="1.5"/>'),
  duplicate: svg('<rect x="7" y="7" width="10" height="10" rx="1.5" stroke-width="1.5"/><path d="M13 4.5V4a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v8a1 1 0 0 0 1 1h.5" stroke-width="1.5"/>'),
  delete: svg('<path d="M4 6h12M8 6V4h4v2M6 6l1 11h6l1-11" stroke-width="1.5"/>'),
};

export class StylePanel {
  readonly root: HTMLElement;
  private scheduled = false;

  constructor(private readonly editor: Editor) {
    this.root = document.createElement('aside');
    this.root.id = 'style-panel';
    this.root.setAttribute('aria-label', 'Style');
    this.root.hidden = true;
  }

  /** Rebuilds the panel at the next frame (tool, selection or the selected elements changed). */
  refresh(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private render(): void {
    const ed = this.editor;
    const sel = ed.selectedElements();
    const toolKind = TOOL_KIND[ed.toolName];
    const kinds: ElementKind[] = sel.length ? [...new Set(sel.map((e) => e.kind))] : toolKind ? [toolKind] : [];
    if (!kinds.length) {
      this.root.hidden = true;
      this.root.replaceChildren();
      return;
    }
    // The values shown: the first selected element's, or the tool's defaults.
    const cur: Style = sel[0] ?? ed.style;
    const any = (f: (k: ElementKind, el?: Element) => boolean) => (sel.length ? sel.some((e) => f(e.kind, e)) : kinds.some((k) => f(k)));
    const parts: HTMLElement[] = [];
    if (any(has.stroke)) parts.push(this.colours('Stroke', 'stroke', STROKES, cur.stroke));
    if (any(has.fill)) parts.push(this.colours('Background', 'fill', FILLS, cur.fill));
    if (any(has.fill)) {
      // Always there, disabled without a background: choosing one must not insert a row that
      // moves every control below it under the pointer.
      const fill = this.choice('Fill', FILL_STYLES.map(([v, t]) => [v, t, ICONS[`fill${v}`]!]), cur.fillStyle, (v) => ({ fillStyle: v as FillStyle }));
      if (cur.fill === 'transparent') {
        fill.classList.add('disabled');
        for (const b of fill.querySelectorAll('button')) {
          b.disabled = true;
          b.title = `${b.title} (pick a background first)`;
        }
      }
      parts.push(fill);
    }
    if (any(has.strokeWidth)) parts.push(this.choice('Stroke width', WIDTHS.map(([v, t]) => [String(v), t, ICONS[`w${v}`]!]), String(cur.strokeWidth), (v) => ({ strokeWidth: Number(v) })));
    if (any(has.strokeStyle)) parts.push(this.choice('Stroke style', STROKE_STYLES.map(([v, t]) => [v, t, ICONS[v]!]), cur.strokeStyle, (v) => ({ strokeStyle: v as StrokeStyle })));
    const onlyArrows = sel.length ? sel.every((e) => e.kind === 'arrow') : toolKind === 'arrow';
    if (any(has.arrowheads)) {
      const arrow = sel.find((e) => e.kind === 'arrow');
      const elbowed = arrow ? !!arrow.elbowed : !!ed.style.elbowed;
      const rounded = arrow ? arrow.rounded : ed.style.rounded;
      const type = elbowed ? 'elbow' : rounded ? 'round' : 'sharp';
      parts.push(this.choice('Arrow type', ARROW_TYPES.map(([v, t]) => [v, t, ICONS[`arrow${v}`]!]), type, (v) => ({ elbowed: v === 'elbow', rounded: v === 'round' })));
    }
    // An arrow's edges are its Arrow type.
    if (any(has.edges) && !onlyArrows) {
      // Shown for the first selected element with edges (a text in the selection has none).
      const rounded = (sel.length ? sel.find((e) => hasEdges(e.kind))!.rounded : ed.style.rounded) ? 'round' : 'sharp';
      parts.push(this.choice('Edges', EDGES.map(([v, t]) => [v, t, ICONS[v]!]), rounded, (v) => ({ rounded: v === 'round' })));
    }
    if (any(has.roughness)) {
      const r = sel.length ? (sel.find((e) => has.roughness(e.kind))?.roughness ?? 0) : ed.style.roughness;
      const level = r >= 2 ? 2 : r >= 1 ? 1 : 0;
      parts.push(this.choice('Sloppiness', SLOPPINESS.map(([v, t]) => [String(v), t, ICONS[`rough${v}`]!]), String(level), (v) => ({ roughness: Number(v) })));
    }
    if (any(has.font)) parts.push(this.fontFamily(cur.fontFamily));
    if (any(has.font)) parts.push(this.choice('Font size', FONT_SIZES.map(([v, t]) => [String(v), `${t} (${v})`, t]), String(cur.fontSize), (v) => ({ fontSize: Number(v) }), true));
    if (any(has.arrowheads)) {
      // An arrow's unset end draws an arrowhead, its unset start none (paths.ts headsOf). A list
      // per end, both in half a row (after Font size, which leaves one): five buttons per end
      // would take two rows, and the panel must fit 1000×700 with a mixed selection.
      const arrow = sel.find((e) => e.kind === 'arrow');
      const start = (arrow ? arrow.startArrowhead : ed.style.startArrowhead) ?? 'none';
      const end = (arrow ? arrow.endArrowhead : ed.style.endArrowhead) ?? 'arrow';
      const heads = this.section('Arrowheads');
      const r = this.row();
      r.append(
        this.list('Start arrowhead', ARROWHEADS.map(([v, name, g]) => [v, `${g} ${name}`]), start, (v) => ({ startArrowhead: v })),
        this.list('End arrowhead', ARROWHEADS.map(([v, name, , g]) => [v, `${g} ${name}`]), end, (v) => ({ endArrowhead: v })),
      );
      heads.appendChild(r);
      parts.push(heads);
    }
    parts.push(this.opacity(cur.opacity));
    if (sel.length) parts.push(...this.arrange(sel));
    let halves = 0;
    for (const part of parts) {
      const title = part.querySelector('h3')?.textContent ?? '';
      // Opacity takes the half row left by an odd number of half sections before it (they come
      // one after the other), so that a mixed selection with an arrow still fits 1000×700.
      if (title === 'Opacity' && halves % 2 === 1) part.classList.add('half');
      if (!HALF.has(title)) continue;
      halves++;
      part.classList.add('half');
      // Four choices in half the panel: narrower buttons.
      if (part.querySelectorAll('.row > button').length > 3) part.classList.add('compact');
    }
    this.root.replaceChildren(...parts);
    this.root.hidden = false;
  }

  private section(title: string): HTMLElement {
    const s = document.createElement('section');
    const h = document.createElement('h3');
    h.textContent = title;
    s.appendChild(h);
    return s;
  }

  private row(): HTMLDivElement {
    const r = document.createElement('div');
    r.className = 'row';
    return r;
  }

  private button(label: string, icon: string | null, pressed: boolean | null, onClick: () => void, text = false): HTMLButtonElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.title = label;
    b.setAttribute('aria-label', label);
    if (pressed !== null) b.setAttribute('aria-pressed', String(pressed));
    if (icon && !text) b.innerHTML = icon;
    else b.textContent = icon ?? label;
    b.addEventListener('click', onClick);
    return b;
  }

  private colours(title: string, field: 'stroke' | 'fill', swatches: string[], value: string): HTMLElement {
    const s = this.section(title);
    const r = this.row();
    for (const c of swatches) {
      const b = this.button(c === 'transparent' ? 'None' : c, null, c.toLowerCase() === value.toLowerCase(), () => this.editor.applyStyle({ [field]: c }));
      b.className = 'swatch';
      b.textContent = '';
      if (c === 'transparent') b.classList.add('none');
      else b.style.background = c;
      r.appendChild(b);
    }
    // The current colour, which opens the system colour picker (Excalidraw's last swatch).
    const current = document.createElement('label');
    current.className = 'swatch current';
    current.title = `Custom ${title.toLowerCase()} colour (now ${value === 'transparent' ? 'none' : value})`;
    if (value === 'transparent' || value === '') current.classList.add('none');
    else current.style.background = value;
    const input = document.createElement('input');
    input.type = 'color';
    input.setAttribute('aria-label', current.title);
    input.value = /^#[0-9a-f]{6}$/i.test(value) ? value : '#ffffff';
    input.addEventListener('change', () => this.editor.applyStyle({ [field]: input.value }));
    current.appendChild(input);
    r.appendChild(current);
    s.appendChild(r);
    return s;
  }

  private choice(title: string, options: [string, string, string][], value: string, patch: (v: string) => Partial<Style>, text = false): HTMLElement {
    const s = this.section(title);
    const r = this.row();
    for (const [v, label, icon] of options) r.appendChild(this.button(label, icon, v === value, () => this.editor.applyStyle(patch(v)), text));
    s.appendChild(r);
    return s;
  }

  /** A drop-down list of choices, labelled `title`: one undo step per choice made. */
  private list(title: string, options: [string, string][], value: string, patch: (v: string) => Partial<Style>): HTMLSelectElement {
    const select = document.createElement('select');
    select.title = title;
    select.setAttribute('aria-label', title);
    for (const [v, label] of options) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = label;
      select.appendChild(o);
    }
    select.value = value;
    select.addEventListener('change', () => this.editor.applyStyle(patch(select.value)));
    return select;
  }

  /** The font family: a sample of each family, drawn in it. */
  private fontFamily(value: string): HTMLElement {
    const s = this.section('Font family');
    const r = this.row();
    const current = value.toLowerCase();
    for (const [v, label] of FONT_FAMILIES) {
      const b = this.button(label, 'Aa', v.toLowerCase() === current, () => this.editor.applyStyle({ fontFamily: v }), true);
      b.style.fontFamily = fontStack(v);
      b.dataset.family = v;
      r.appendChild(b);
    }
    s.appendChild(r);
    return s;
  }

  private opacity(value: number): HTMLElement {
    const s = this.section('Opacity');
    const input = document.createElement('input');
    input.type = 'range';
    input.min = '0';
    input.max = '100';
    input.step = '10';
    input.value = String(Math.round(value * 100));
    input.setAttribute('aria-label', 'Opacity');
    const out = document.createElement('output');
    out.textContent = input.value;
    input.addEventListener('input', () => (out.textContent = input.value));
    // One undo step on release, not one per tick of the slider.
    input.addEventListener('change', () => this.editor.applyStyle({ opacity: Number(input.value) / 100 }));
    const r = this.row();
    r.append(input, out);
    s.appendChild(r);
    return s;
  }

  private arrange(sel: Element[]): HTMLElement[] {
    const run = (a: Action) => () => this.editor.run(a);
    const out: HTMLElement[] = [];
    const layers = this.section('Layers');
    const lr = this.row();
    lr.append(
      this.button('Send to back — Ctrl+Shift+[', ICONS.toBack!, null, run({ type: 'sendToBack' })),
      this.button('Send backward — Ctrl+[', ICONS.backward!, null, run({ type: 'sendBackward' })),
      this.button('Bring forward — Ctrl+]', ICONS.forward!, null, run({ type: 'bringForward' })),
      this.button('Bring to front — Ctrl+Shift+]', ICONS.toFront!, null, run({ type: 'bringToFront' })),
    );
    layers.appendChild(lr);
    out.push(layers);
    const units = new Set(sel.filter((e) => !e.locked).map((e) => e.groupIds?.at(-1) ?? `#${e.id}`)).size;
    // Layers and Actions share a row (half each); Align, when there is something to align, follows.
    let alignSection: HTMLElement | null = null;
    if (units >= 2) {
      const align = this.section('Align');
      const ar = this.row();
      const names: [Alignment, string, string][] = [
        ['left', 'Align left', 'Ctrl+Shift+←'],
        ['centerX', 'Centre horizontally', ''],
        ['right', 'Align right', 'Ctrl+Shift+→'],
        ['top', 'Align top', 'Ctrl+Shift+↑'],
        ['centerY', 'Centre vertically', ''],
        ['bottom', 'Align bottom', 'Ctrl+Shift+↓'],
      ];
      for (const [how, label, keys] of names) ar.appendChild(this.button(keys ? `${label} — ${keys}` : label, ICONS[how]!, null, run({ type: 'align', how })));
      if (units >= 3) {
        ar.append(
          this.button('Distribute horizontally — Alt+H', ICONS.distX!, null, run({ type: 'distribute', axis: 'x' })),
          this.button('Distribute vertically — Alt+V', ICONS.distY!, null, run({ type: 'distribute', axis: 'y' })),
        );
      }
      align.appendChild(ar);
      alignSection = align;
    }
    const actions = this.section('Actions');
    const locked = sel.every((e) => e.locked);
    const xr = this.row();
    xr.append(
      this.button('Duplicate — Ctrl+D', ICONS.duplicate!, null, run({ type: 'duplicate' })),
      this.button(locked ? 'Unlock — Ctrl+Shift+L' : 'Lock — Ctrl+Shift+L', locked ? ICONS.lock! : ICONS.unlock!, locked, run({ type: 'toggleLock' })),
      this.button('Delete — Delete', ICONS.delete!, null, run({ type: 'delete' })),
    );
    actions.appendChild(xr);
    out.push(actions);
    if (alignSection) out.push(alignSection);
    return out;
  }
}
