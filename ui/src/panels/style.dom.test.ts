// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { box, setup } from '../test/harness';
import { fontStack } from '../engine/text';
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

  it('offers the bundled font families, each shown in itself, and applies the one clicked', () => {
    const h = setup([box('t', 'text', 0, 0, 200, 40, { text: 'hello' })]);
    h.editor.setSelection(['t']);
    const p = new StylePanel(h.editor);
    render(p);
    const section = [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === 'Font family')!;
    const buttons = [...section.querySelectorAll('button')];
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual(['Hand-drawn', 'Normal', 'Code', 'System']);
    expect(buttons.map((b) => b.dataset.family)).toEqual(['Excalifont', 'Nunito', 'Cascadia Code', 'sans-serif']);
    expect(buttons[0]!.style.fontFamily).toContain('Excalifont');
    // The element's family is the pressed one.
    expect(buttons[3]!.getAttribute('aria-pressed')).toBe('true');
    buttons[2]!.click();
    h.sched.tick();
    expect(h.store.get('t')!.fontFamily).toBe('Cascadia Code');
    render(p);
    const pressed = [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === 'Font family')!.querySelector('[aria-pressed="true"]');
    expect(pressed?.getAttribute('aria-label')).toBe('Code');
  });

  it('maps families to the stacks the export uses (easel-formats fonts::stack)', () => {
    expect(fontStack('hand-drawn')).toBe("Excalifont, Virgil, 'Comic Shanns', 'DejaVu Sans', sans-serif");
    expect(fontStack('monospace')).toBe("'Cascadia Code', Cascadia, 'DejaVu Sans Mono', monospace");
    expect(fontStack('Cascadia Code')).toBe(fontStack('monospace'));
    expect(fontStack('Nunito')).toBe("Nunito, 'DejaVu Sans', sans-serif");
    expect(fontStack('Bad"; x')).toBe("'Bad x', 'DejaVu Sans', sans-serif");
  });

  it('offers the hand-drawn sloppiness and the zigzag fill for shapes', () => {
    const h = setup([box('r', 'rectangle', 0, 0, 100, 100, { fill: '#a5d8ff' })]);
    h.editor.setSelection(['r']);
    const p = new StylePanel(h.editor);
    render(p);
    const section = (title: string) => [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === title)!;
    const sloppy = [...section('Sloppiness').querySelectorAll('button')];
    expect(sloppy.map((b) => b.getAttribute('aria-label'))).toEqual(['Architect', 'Artist', 'Cartoonist']);
    expect(sloppy[0]!.getAttribute('aria-pressed')).toBe('true');
    sloppy[2]!.click();
    h.sched.tick();
    expect(h.store.get('r')!.roughness).toBe(2);
    render(p);
    [...section('Fill').querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Zigzag')!.click();
    h.sched.tick();
    expect(h.store.get('r')!.fillStyle).toBe('zigzag');
    render(p);
    expect(section('Sloppiness').querySelector('[aria-pressed="true"]')!.getAttribute('aria-label')).toBe('Cartoonist');
  });

  it("offers arrowheads per end for arrows only, showing an arrow's unset ends as none and arrow", () => {
    const h = setup([
      box('a', 'arrow', 0, 0, 100, 0, { points: [[0, 0], [100, 0]] }),
      box('r', 'rectangle', 0, 100, 100, 100),
    ]);
    h.editor.setSelection(['r']);
    const p = new StylePanel(h.editor);
    render(p);
    expect(headings(p)).not.toContain('Arrowheads');
    h.editor.setSelection(['a', 'r']);
    render(p);
    const section = (title: string) => [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === title)!;
    const list = (title: string) => section('Arrowheads').querySelector<HTMLSelectElement>(`select[aria-label="${title}"]`)!;
    const choose = (title: string, value: string) => {
      list(title).value = value;
      list(title).dispatchEvent(new Event('change'));
    };
    expect([...list('Start arrowhead').options].map((o) => o.textContent)).toEqual(['— None', '← Arrow', '◀ Triangle', '⊢ Bar', '● Dot']);
    expect([...list('End arrowhead').options].map((o) => o.value)).toEqual(['none', 'arrow', 'triangle', 'bar', 'dot']);
    expect(list('Start arrowhead').value).toBe('none');
    expect(list('End arrowhead').value).toBe('arrow');
    choose('End arrowhead', 'triangle');
    choose('Start arrowhead', 'bar');
    h.sched.tick();
    expect(h.store.get('a')).toMatchObject({ startArrowhead: 'bar', endArrowhead: 'triangle' });
    // The rectangle in the same selection takes no arrowheads.
    expect(h.store.get('r')!.endArrowhead).toBeUndefined();
    expect(h.store.get('r')!.startArrowhead).toBeUndefined();
    render(p);
    expect(list('End arrowhead').value).toBe('triangle');
    expect(list('Start arrowhead').value).toBe('bar');
  });

  it('offers the arrow type (sharp, curved, elbow) for arrows instead of Edges, and routes an arrow made elbow', () => {
    const h = setup([box('a', 'arrow', 0, 0, 300, 200, { points: [[0, 0], [300, 200]] })]);
    h.editor.setSelection(['a']);
    const p = new StylePanel(h.editor);
    render(p);
    expect(headings(p)).toContain('Arrow type');
    expect(headings(p)).not.toContain('Edges');
    const section = [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === 'Arrow type')!;
    expect(section.querySelector('[aria-pressed="true"]')!.getAttribute('aria-label')).toBe('Sharp arrow');
    [...section.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === 'Elbow arrow')!.click();
    h.sched.tick();
    const a = h.store.get('a')!;
    expect(a.elbowed).toBe(true);
    // Unbound ends: out to the right, down, and in from the left.
    expect(a.points).toEqual([[0, 0], [150, 0], [150, 200], [300, 200]]);
  });

  it('pairs Opacity with a half section left alone, and only then', () => {
    const h = setup([box('r', 'rectangle', 0, 0, 100, 100), box('a', 'arrow', 0, 0, 100, 0, { points: [[0, 0], [100, 0]] })]);
    const p = new StylePanel(h.editor);
    const opacityHalf = () => [...p.root.querySelectorAll('section')].find((s) => s.querySelector('h3')!.textContent === 'Opacity')!.classList.contains('half');
    const halvesBefore = () => {
      const secs = [...p.root.querySelectorAll('section')];
      const i = secs.findIndex((s) => s.querySelector('h3')!.textContent === 'Opacity');
      return secs.slice(0, i).filter((s) => s.classList.contains('half')).length;
    };
    for (const sel of [['r'], ['a'], ['r', 'a']]) {
      h.editor.setSelection(sel);
      render(p);
      expect(opacityHalf()).toBe(halvesBefore() % 2 === 1);
    }
  });
});
