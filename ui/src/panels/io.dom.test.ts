// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { newElement } from '../model/types';
import { exportedElements, ImportExport, pngSize } from './io';

vi.mock('@tauri-apps/plugin-dialog', () => ({ save: async () => '/tmp/out.png', open: async () => null }));

const els = [newElement('a', 'rectangle', 0, 0, { width: 100, height: 50 }), newElement('b', 'ellipse', 400, 300, { width: 80, height: 80 })];

describe('export sheet', () => {
  it('previews what is exported and passes background, scale and the selection to file_export', async () => {
    const calls: [string, Record<string, unknown>][] = [];
    const invoke = (async (cmd: string, args: Record<string, unknown>) => {
      calls.push([cmd, args]);
      return { elements: 1, bytes: 10 };
    }) as never;
    const listen = (async () => () => {}) as never;
    let selection = ['a'];
    const io = new ImportExport(invoke, listen, { board: 'B', title: () => 'Board', open: async () => {}, elements: () => els, selection: () => selection });
    document.body.append(io.sheet.root);
    io.sheet.show();
    const root = io.sheet.root;
    expect(root.querySelector('canvas.export-preview')).not.toBeNull();
    const [background, selectionOnly] = [...root.querySelectorAll<HTMLInputElement>('.export-options input[type=checkbox]')];
    // A selection when the sheet opens is what is offered, by default.
    expect(selectionOnly!.checked).toBe(true);
    expect(root.querySelector('.export-options')!.textContent).toContain('Selection only (1 element)');
    expect(root.querySelector('.export-size')!.textContent).toMatch(/^1 element · PNG about \d+ × \d+ px$/);
    // Options: no background (the preview shows transparency), 3x.
    background!.checked = false;
    background!.dispatchEvent(new Event('change'));
    expect(root.querySelector('canvas.export-preview')!.classList.contains('transparent')).toBe(true);
    root.querySelector<HTMLButtonElement>('.export-scales button[data-scale="3"]')!.click();
    expect(root.querySelector('.export-scales [aria-pressed="true"]')!.textContent).toBe('3×');
    await io.export({ id: 'png', label: 'PNG image', hint: '', extensions: ['png'] });
    expect(calls).toEqual([['file_export', { board: 'B', path: '/tmp/out.png', format: 'png', background: false, scale: 3, only: ['a'] }]]);
    // Without a selection the box is disabled and everything goes.
    selection = [];
    io.sheet.close();
    io.sheet.show();
    expect(selectionOnly!.disabled).toBe(true);
    await io.export({ id: 'svg', label: 'SVG image', hint: '', extensions: ['svg'] });
    expect(calls[1]![1]).toMatchObject({ format: 'svg', only: null, background: false, scale: 3 });
  });

  it('counts the exported elements and estimates the PNG size', () => {
    expect(exportedElements(els, ['b'], { background: true, scale: 2, selectionOnly: true }).map((e) => e.id)).toEqual(['b']);
    expect(exportedElements(els, [], { background: true, scale: 2, selectionOnly: true })).toHaveLength(2);
    const one = pngSize(els, 1)!;
    const three = pngSize(els, 3)!;
    expect(three.width).toBeGreaterThanOrEqual(one.width * 3 - 3);
    expect(pngSize([], 2)).toBeNull();
  });
});
