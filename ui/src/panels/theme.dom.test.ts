// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { THEME_KEY, ThemeToggle } from './theme';

/** A stand-in for matchMedia('(prefers-color-scheme: dark)') whose answer the test changes. */
function fakeMedia(matches: boolean) {
  const listeners: (() => void)[] = [];
  return {
    matches,
    addEventListener: (_: string, f: () => void) => listeners.push(f),
    flip(to: boolean) {
      this.matches = to;
      for (const f of listeners) f();
    },
  };
}

describe('theme toggle', () => {
  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset.theme;
  });

  it('follows the system until a theme is chosen, then keeps the choice across starts', () => {
    const media = fakeMedia(true);
    let changes = 0;
    const t = new ThemeToggle(media as never, () => changes++);
    document.body.append(t.button);
    expect(t.choice).toBe('system');
    expect(document.documentElement.dataset.theme).toBe('dark');
    media.flip(false);
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(changes).toBe(1);

    // Click: system → light → dark.
    t.button.click();
    expect(t.choice).toBe('light');
    t.button.click();
    expect(t.choice).toBe('dark');
    expect(t.dark).toBe(true);
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(t.button.getAttribute('aria-label')).toContain('Theme: dark');
    // A chosen theme ignores the system's changes.
    media.flip(false);
    expect(document.documentElement.dataset.theme).toBe('dark');

    // The next start (a new toggle) reads the choice back.
    delete document.documentElement.dataset.theme;
    const again = new ThemeToggle(fakeMedia(false) as never);
    expect(again.choice).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    again.button.click();
    expect(again.choice).toBe('system');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('works without storage or a system preference', () => {
    const t = new ThemeToggle(null, () => {}, null);
    expect(t.dark).toBe(false);
    t.set('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
