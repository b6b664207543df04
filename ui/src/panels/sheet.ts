//! The frame every side panel shares: a titled sheet on the right with a close button, closed by
//! Escape. Only one sheet is open at a time (opening one closes the others).

const open = new Set<Sheet>();

export class Sheet {
  readonly root: HTMLElement;
  readonly body: HTMLDivElement;
  /** Called after the sheet opens (load its content) and closes. */
  onOpen?: () => void;
  onClose?: () => void;

  constructor(id: string, title: string) {
    this.root = document.createElement('aside');
    this.root.id = id;
    this.root.className = 'sheet';
    this.root.hidden = true;
    this.root.setAttribute('aria-label', title);
    this.root.tabIndex = -1;
    const head = document.createElement('header');
    const h = document.createElement('h2');
    h.textContent = title;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'sheet-close';
    close.textContent = '×';
    close.title = 'Close — Esc';
    close.setAttribute('aria-label', `Close ${title.toLowerCase()}`);
    close.addEventListener('click', () => this.close());
    head.append(h, close);
    this.body = document.createElement('div');
    this.body.className = 'sheet-body';
    this.root.append(head, this.body);
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  show(): void {
    for (const s of [...open]) if (s !== this) s.close();
    open.add(this);
    this.root.hidden = false;
    this.root.focus();
    this.onOpen?.();
  }

  close(): void {
    if (this.root.hidden) return;
    this.root.hidden = true;
    open.delete(this);
    this.onClose?.();
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.show();
  }
}

/** Closes the open sheet, if any; true when one was open. */
export function closeOpenSheet(): boolean {
  const s = [...open].pop();
  if (!s) return false;
  s.close();
  return true;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * A short message at the bottom of the window, with an optional action button ("Undo"); a new
 * toast replaces the last. Errors stay until dismissed.
 */
export function toast(message: string, opts: { action?: [string, () => void]; error?: boolean; ms?: number } = {}): void {
  let box = document.querySelector<HTMLDivElement>('#toast');
  if (!box) {
    box = el('div', { id: 'toast' });
    box.setAttribute('role', 'status');
    document.body.appendChild(box);
  }
  clearTimeout(toastTimer);
  const text = el('span', {}, message);
  const parts: Node[] = [text];
  const hide = () => {
    box.hidden = true;
  };
  if (opts.action) {
    const [label, fn] = opts.action;
    const b = el('button', { type: 'button', textContent: label });
    b.addEventListener('click', () => {
      hide();
      fn();
    });
    parts.push(b);
  }
  const x = el('button', { type: 'button', textContent: '×', title: 'Dismiss', className: 'toast-close' });
  x.addEventListener('click', hide);
  parts.push(x);
  box.replaceChildren(...parts);
  box.classList.toggle('error', !!opts.error);
  box.hidden = false;
  if (!opts.error) toastTimer = setTimeout(hide, opts.ms ?? 6000);
}
