import { describe, expect, it } from 'vitest';
import { newElement } from '../model/types';
import { box, setup } from '../test/harness';
import { RecordingContext } from '../test/fakeCtx';
import { localBox } from './geometry';
import { Renderer } from './renderer';
import { estimateLine, LABEL_PAD, LINE_HEIGHT, layoutText, wrapText } from './text';
import { Viewport } from './viewport';

/** A monospace measure: 10 units a character. */
const mono = (s: string) => s.length * 10;

/** What a render of `els` wrote with fillText: [text, x, y]. */
function drawn(els: ReturnType<typeof newElement>[], hidden?: Set<string>) {
  const ctx = new RecordingContext();
  const stats = new Renderer().renderStatic(ctx, els, new Viewport(1000, 800), { hidden });
  return { texts: ctx.of('fillText') as [string, number, number][], ctx, stats };
}

const LONG = 'the quick brown fox jumps over the lazy dog and keeps running';

describe('wrapText', () => {
  it('breaks before the word that would overflow, keeps line breaks', () => {
    expect(wrapText('aaa bbb ccc\ndd', 75, mono)).toEqual(['aaa bbb', 'ccc', 'dd']);
  });
  it('breaks a word wider than the line between characters', () => {
    expect(wrapText('abcdefghij xy', 40, mono)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
  });
  it('every line fits (a real sentence, the export estimate)', () => {
    const m = (s: string) => estimateLine(s, 20, 'sans-serif');
    const lines = wrapText(LONG, 184, m);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(m(l)).toBeLessThanOrEqual(184);
    expect(lines.join(' ')).toBe(LONG);
  });
});

describe('labels on the canvas', () => {
  it('a sticky’s text wraps inside the note, each line centred, the block in the middle', () => {
    const note = newElement('s', 'sticky', 0, 0, { width: 200, height: 200, fill: '#fff3a0', text: LONG });
    const { texts } = drawn([note]);
    expect(texts.length).toBeGreaterThan(3);
    const m = (s: string) => estimateLine(s, 20, 'sans-serif');
    for (const [line, x] of texts) {
      expect(x).toBe(100); // centred
      expect(m(line)).toBeLessThanOrEqual(200 - 2 * LABEL_PAD);
    }
    const lh = 20 * LINE_HEIGHT;
    const top = texts[0]![2];
    const bottom = texts.at(-1)![2] + lh;
    expect(top - 0).toBeCloseTo(200 - bottom, 5); // as much room above as below
  });

  it('a rectangle’s label wraps to its width too', () => {
    const r = newElement('r', 'rectangle', 100, 100, { width: 120, height: 80, text: 'one two three four five' });
    const { texts } = drawn([r]);
    expect(texts.map((t) => t[0])).toEqual(wrapText('one two three four five', 120 - 2 * LABEL_PAD, (s) => estimateLine(s, 20, 'sans-serif')));
    expect(texts.length).toBeGreaterThan(1);
    for (const [, x] of texts) expect(x).toBe(160);
  });

  it('a text element is drawn as typed, unwrapped, at its left edge', () => {
    const t = newElement('t', 'text', 10, 10, { width: 50, height: 25, text: LONG });
    expect(drawn([t]).texts).toEqual([[LONG, 10, 10]]);
  });

  it('the canvas draws the lines the edit box lays out (one function)', () => {
    const note = newElement('s', 'sticky', 0, 0, { width: 200, height: 200, text: LONG });
    const t = layoutText(note, localBox(note), estimateLine);
    expect(drawn([note]).texts).toEqual(t.lines.map((l, i) => [l, t.x, t.top + i * t.lineHeight]));
  });

  it('a sticky being edited keeps its fill; only its text is left to the edit box', () => {
    const note = newElement('s', 'sticky', 0, 0, { width: 200, height: 200, fill: '#fff3a0', text: 'hi' });
    const text = newElement('t', 'text', 300, 0, { width: 50, height: 25, text: 'x' });
    const { texts, ctx, stats } = drawn([note, text], new Set(['s', 't']));
    expect(stats.drawn).toEqual(['s']);
    expect(ctx.of('fill').some((a) => a.at(-1) === '#fff3a0')).toBe(true);
    expect(texts).toEqual([]);
  });
});

describe('committing a label', () => {
  it('a sticky grows downwards to hold its wrapped text, in the same undo step', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup([box('s', 'sticky', 0, 0, 200, 100, { text: '' })], { editText: (_el, d) => (done = d) });
    h.editor.doubleClick(h.ptr(100, 50));
    const text = `${LONG} ${LONG}`;
    done!(text);
    const s = h.store.get('s')!;
    const lines = wrapText(text, 200 - 2 * LABEL_PAD, (l) => estimateLine(l, 20, 'sans-serif')).length;
    expect(s.height).toBeCloseTo(lines * 20 * LINE_HEIGHT + 2 * LABEL_PAD);
    expect(s).toMatchObject({ x: 0, y: 0, width: 200 });
    h.commands.undo();
    expect(h.store.get('s')).toMatchObject({ height: 100, text: '' });
  });
  it('a short label leaves the box as it is', () => {
    let done: ((t: string | null) => void) | undefined;
    const h = setup([box('s', 'sticky', 0, 0, 200, 200, { text: '' })], { editText: (_el, d) => (done = d) });
    h.editor.doubleClick(h.ptr(100, 50));
    done!('short');
    expect(h.store.get('s')).toMatchObject({ height: 200, text: 'short' });
  });
});
