import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, exportFileName, progressText, withExtension } from './io';
import { panelKey } from './shell';

const fmt = (id: string) => EXPORT_FORMATS.find((f) => f.id === id)!;

describe('export file names', () => {
  it('uses the title, safe for any file system, with the extension', () => {
    expect(exportFileName('Roadmap 2027', fmt('excalidraw'))).toBe('Roadmap 2027.excalidraw');
    expect(exportFileName('a/b:c*?', fmt('svg'))).toBe('a b c.svg');
    expect(exportFileName('  ', fmt('png'))).toBe('Untitled.png');
    expect(exportFileName('..hidden', fmt('json'))).toBe('hidden.json');
  });

  it('adds the extension when the name has none or another', () => {
    expect(withExtension('/tmp/board', fmt('canvas'))).toBe('/tmp/board.canvas');
    expect(withExtension('/tmp/board.CANVAS', fmt('canvas'))).toBe('/tmp/board.CANVAS');
    expect(withExtension('/tmp/v1.2/board.txt', fmt('svg'))).toBe('/tmp/v1.2/board.txt.svg');
  });
});

describe('progress', () => {
  it('names the stage and counts elements', () => {
    expect(progressText({ op: 'import', stage: 'convert', done: 1200, total: 5000 })).toBe('Converting 1,200 of 5,000 elements');
    expect(progressText({ op: 'export', stage: 'encode', done: 0, total: 0 })).toBe('Writing…');
    expect(progressText({ op: 'export', stage: 'shade', done: 0, total: 1 })).toBe('shade 0 of 1 element');
  });
});

describe('panel shortcuts', () => {
  const k = (key: string, mods: { shift?: boolean; alt?: boolean; mod?: boolean } = {}) => panelKey({ key, shift: false, alt: false, mod: true, ...mods });
  it('maps the listed keys and nothing else', () => {
    expect(k('B', { shift: true })).toBe('boards');
    expect(k('H', { shift: true })).toBe('history');
    expect(k('U', { shift: true })).toBe('audit');
    expect(k('E', { shift: true })).toBe('export');
    expect(k('o')).toBe('import');
    expect(k('k')).toBe('search');
    expect(k('b')).toBeNull(); // no shift
    expect(k('o', { mod: false })).toBeNull();
    expect(k('z')).toBeNull();
  });
});
