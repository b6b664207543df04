/**
 * The theme toggle: light, dark, or the system's (the default). The choice is remembered in the
 * webview's local storage (a person's setting, not a board's) and shown on the document as
 * `data-theme="light" | "dark"`, which style.css keys every dark rule on; with "system" the
 * attribute follows the OS preference as it changes.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'easel.theme';

const ORDER: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const LABELS: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const ICONS: Record<ThemeChoice, string> = {
  system:
    '<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"><circle cx="12" cy="12" r="8"/><path d="M12 4a8 8 0 0 1 0 16z" fill="currentColor"/></svg>',
  light:
    '<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"><circle cx="12" cy="12" r="4"/><path d="M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/></svg>',
  dark: '<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"><path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z"/></svg>',
};

function readChoice(storage: Storage | null): ThemeChoice {
  try {
    const v = storage?.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

export class ThemeToggle {
  /** A button cycling system → light → dark. */
  readonly button: HTMLButtonElement;
  private current: ThemeChoice;

  constructor(
    /** The OS preference (`matchMedia('(prefers-color-scheme: dark)')`), or null where there is none. */
    private readonly media: Pick<MediaQueryList, 'matches' | 'addEventListener'> | null,
    /** Told whenever the effective theme may have changed. */
    private readonly onChange: () => void = () => {},
    private readonly storage: Storage | null = typeof localStorage === 'undefined' ? null : localStorage,
    private readonly root: HTMLElement = document.documentElement,
  ) {
    this.current = readChoice(storage);
    this.button = root.ownerDocument.createElement('button');
    this.button.type = 'button';
    this.button.id = 'theme-toggle';
    this.button.addEventListener('click', () => this.set(ORDER[(ORDER.indexOf(this.current) + 1) % ORDER.length]!));
    media?.addEventListener('change', () => {
      if (this.current !== 'system') return;
      this.apply();
      this.onChange();
    });
    this.apply();
  }

  /** The choice: light, dark or system. */
  get choice(): ThemeChoice {
    return this.current;
  }

  /** Whether the app is dark now (the choice, or the system's preference under "system"). */
  get dark(): boolean {
    return this.current === 'dark' || (this.current === 'system' && !!this.media?.matches);
  }

  set(choice: ThemeChoice): void {
    this.current = choice;
    try {
      this.storage?.setItem(THEME_KEY, choice);
    } catch {
      // Storage may be unavailable: the choice holds for this session.
    }
    this.apply();
    this.onChange();
  }

  private apply(): void {
    this.root.dataset.theme = this.dark ? 'dark' : 'light';
    const label = `${LABELS[this.current]} (click for ${ORDER[(ORDER.indexOf(this.current) + 1) % ORDER.length]})`;
    this.button.title = label;
    this.button.setAttribute('aria-label', label);
    this.button.dataset.choice = this.current;
    this.button.innerHTML = ICONS[this.current];
  }
}
