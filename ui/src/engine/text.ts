//! Where an element's text goes: the one wrapping and layout that the canvas (`renderer.ts`), the
//! DOM edit box (`app.ts`) and the committed size (`tools/text.ts`) share, so what is typed is
//! what is drawn. It follows easel-formats' SVG/PNG export (`svg.rs`: `wrap`, `text_block`): a
//! sticky's or a shape's label is wrapped greedily at word boundaries to the element's width less
//! `LABEL_PAD` on each side, centred, and set in the middle of the box (Excalidraw's container
//! text); a text element is drawn as typed, one line per line break, aligned as it says.

import type { Element, TextAlign } from '../model/types';

/** Line height as a multiple of the font size. */
export const LINE_HEIGHT = 1.25;
/** Inset of a label from its sticky's or shape's box on every side (the export's `label_box`). */
export const LABEL_PAD = 8;

/**
 * The CSS font list an element's `fontFamily` is drawn with, best first: the bundled families
 * (Excalifont for the hand-drawn style, Nunito, Cascadia Code; loaded by app.ts) and fallbacks.
 * easel-formats' `fonts::stack` gives the same, so exports set text in the same font.
 */
export function fontStack(family: string): string {
  switch (family.toLowerCase()) {
    case 'hand-drawn':
    case 'handdrawn':
    case 'virgil':
    case 'excalifont':
      return "Excalifont, Virgil, 'Comic Shanns', 'DejaVu Sans', sans-serif";
    case 'nunito':
      return "Nunito, 'DejaVu Sans', sans-serif";
    case 'monospace':
    case 'cascadia':
    case 'cascadia code':
    case 'code':
    case 'mono':
      return "'Cascadia Code', Cascadia, 'DejaVu Sans Mono', monospace";
    case 'serif':
      return "'DejaVu Serif', serif";
    case 'sans-serif':
    case 'helvetica':
    case 'sans':
      return "Helvetica, 'DejaVu Sans', sans-serif";
    default:
      return `'${family.replace(/['"\\;<>&]/g, '')}', 'DejaVu Sans', sans-serif`;
  }
}

/** A canvas/CSS `font` for `fontSize` px of `family`. */
export const cssFont = (fontSize: number, family: string): string => `${fontSize}px ${fontStack(family)}`;

/** The width of one line of text in `fontSize`px `fontFamily` (a canvas's measureText). */
export type LineMeasure = (line: string, fontSize: number, fontFamily: string) => number;

/** Without a canvas (tests, workers): the export's estimate of 0.55 em per character. */
export const estimateLine: LineMeasure = (line, fontSize) => line.length * fontSize * 0.55;

/** Whether `el`'s text is a label wrapped inside its box (stickies and closed shapes). */
export function isLabel(el: Element): boolean {
  return el.kind === 'sticky' || el.kind === 'rectangle' || el.kind === 'ellipse' || el.kind === 'diamond';
}

/**
 * Greedy word wrap of `text` to `maxWidth`: explicit line breaks are kept, a line breaks before
 * the word that would overflow it, and a word wider than `maxWidth` on its own is broken between
 * characters (as Excalidraw does, so a URL cannot run out of a note).
 */
export function wrapText(text: string, maxWidth: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const joined = line === '' ? word : `${line} ${word}`;
      if (line === '' || measure(joined) <= maxWidth) {
        line = joined;
      } else {
        out.push(line);
        line = word;
      }
      // A single word too wide for the line: break it between characters.
      while (measure(line) > maxWidth && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && measure(line.slice(0, cut)) > maxWidth) cut--;
        out.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    out.push(line);
  }
  return out;
}

export interface TextLayout {
  lines: string[];
  /** How each line is anchored at `x` (canvas `textAlign`). */
  align: TextAlign;
  /** The anchor's x: the left edge, the centre or the right edge of the text column. */
  x: number;
  /** Top of the first line. */
  top: number;
  /** Left edge and width of the column the lines are wrapped to (the edit box's). */
  left: number;
  width: number;
  lineHeight: number;
  /** Height of all the lines. */
  height: number;
}

/** The part of a box `layoutText` needs (geometry's `localBox(el)`, the unrotated box). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Lays out `text` (default: the element's own) in `b`, `el`'s unrotated box. */
export function layoutText(el: Element, b: Box, measure: LineMeasure, text: string = el.text ?? ''): TextLayout {
  const lineHeight = el.fontSize * LINE_HEIGHT;
  const m = (s: string) => measure(s, el.fontSize, el.fontFamily);
  if (!isLabel(el)) {
    const lines = text.split('\n');
    const height = lines.length * lineHeight;
    // A line's or an arrow's label sits unwrapped in the middle of its points' box.
    const plain = el.kind === 'text';
    const align = plain ? el.textAlign : 'center';
    const valign = plain ? el.verticalAlign : 'middle';
    const x = align === 'left' ? b.x : align === 'right' ? b.x + b.width : b.x + b.width / 2;
    let top = b.y;
    if (valign === 'middle') top = b.y + (b.height - height) / 2;
    else if (valign === 'bottom') top = b.y + b.height - height;
    const width = Math.max(1, ...lines.map(m));
    return { lines, align, x, top, left: b.x, width, lineHeight, height };
  }
  const left = b.x + LABEL_PAD;
  const width = Math.max(1, b.width - 2 * LABEL_PAD);
  const lines = wrapText(text, width, m);
  const height = lines.length * lineHeight;
  // Centred in the box; a label taller than its box starts at the top inset rather than above it.
  const top = Math.max(b.y + LABEL_PAD, b.y + (b.height - height) / 2);
  return { lines, align: 'center', x: left + width / 2, top, left, width, lineHeight, height };
}

/** The height a sticky or shape needs to show its wrapped label (Excalidraw grows a container to fit its text). */
export function labelHeight(el: Element, b: Box, measure: LineMeasure, text: string = el.text ?? ''): number {
  return layoutText(el, b, measure, text).height + 2 * LABEL_PAD;
}
