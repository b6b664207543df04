// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { box, setup } from '../test/harness';
import { StylePanel } from './style';

const render = (p: StylePanel) => (p as unknown as { render(): void }).render();
const headings = (p: StylePanel) => [...p.root.querySelectorAll('h3')].map((h) => h.textContent);

describe('style panel', () => {
  it('choosing a background inserts no row: the Fill row is there, disabled, before', () => {
    const h = setup([box('a', 'rectangle', 0, 0, 100, 100), box('b', 'ellipse', 200, 0, 100, 100)]);
    h.editor.setSelection(['a', 'b']);
    const p = new StylePanel(h.editor);
    render(p);
    const before = headings(p);
    expect(before).toContain('Fill');
    const fillButtons = () => [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === 'Fill')!.querySelectorAll('button');
    expect([...fillButtons()].every((b) => b.disabled)).toBe(true);
    h.editor.applyStyle({ fill: '#a5d8ff' });
    render(p);
    expect(headings(p)).toEqual(before);
    expect([...fillButtons()].some((b) => b.disabled)).toBe(false);
  });
});
