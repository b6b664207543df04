import { compareDrawOrder, type Element } from '../model/types';
import { type FrameScheduler, rafScheduler } from './scheduler';

export type Origin = 'local' | 'remote';

/** One batch of changes, as the core reports them: whole elements added or updated, ids removed. */
export interface Diff {
  added?: Element[];
  updated?: Element[];
  removed?: string[];
}

/** What changed since listeners last heard, coalesced over one frame. */
export interface StoreChange {
  added: Set<string>;
  updated: Set<string>;
  removed: Set<string>;
  origins: Set<Origin>;
}

export type ChangeListener = (change: StoreChange) => void;
/** Called synchronously for every applied batch (for indexes that must never lag the model). */
export type SyncListener = (diff: Required<Diff>, origin: Origin) => void;

interface SortedEdits {
  replaced: Map<string, Element>;
  removed: Set<string>;
  appended: Element[];
}

const noSortedEdits = (): SortedEdits => ({ replaced: new Map(), removed: new Set(), appended: [] });

/** The UI's mirror of the board: elements by id with a version counter per element. */
export class Store {
  private readonly elements = new Map<string, Element>();
  private readonly versions = new Map<string, number>();
  private nextVersion = 1;
  private readonly listeners = new Set<ChangeListener>();
  private readonly syncListeners = new Set<SyncListener>();
  private pending: StoreChange = emptyChange();
  private flushScheduled = false;
  private sortedCache: Element[] | null = null;
  /**
   * Changes since `sortedCache` was built that keep its order: elements replaced with their z
   * unchanged, elements removed, elements added above the top. `sorted()` folds them in with one
   * pass instead of sorting again, so a gesture on a big board does not re-sort it.
   */
  private sortedEdits: SortedEdits | null = null;
  private rev = 0;

  constructor(private readonly scheduler: FrameScheduler = rafScheduler) {}

  get(id: string): Element | undefined {
    return this.elements.get(id);
  }
  has(id: string): boolean {
    return this.elements.has(id);
  }
  get size(): number {
    return this.elements.size;
  }
  /** Changes every time any element is added, changed or removed (for whole-board caches). */
  get revision(): number {
    return this.rev;
  }
  /** Version of an element: changes every time the element changes; 0 when absent. */
  version(id: string): number {
    return this.versions.get(id) ?? 0;
  }
  values(): IterableIterator<Element> {
    return this.elements.values();
  }
  /** Every element in drawing order (ascending z, ties by id). Cached until the next change. */
  sorted(): readonly Element[] {
    if (!this.sortedCache) {
      this.sortedCache = [...this.elements.values()].sort(compareDrawOrder);
      this.sortedEdits = null;
    } else if (this.sortedEdits) {
      const { replaced, removed, appended } = this.sortedEdits;
      const out: Element[] = [];
      for (const e of this.sortedCache) if (!removed.has(e.id)) out.push(replaced.get(e.id) ?? e);
      for (const e of appended) out.push(replaced.get(e.id) ?? e);
      this.sortedCache = out;
      this.sortedEdits = null;
    }
    return this.sortedCache;
  }

  /** Keeps `sortedCache` usable across `el` replacing `old` (undefined: added), or drops it. */
  private noteSorted(el: Element, old: Element | undefined): void {
    if (!this.sortedCache) return;
    const edits = (this.sortedEdits ??= noSortedEdits());
    if (old) {
      if (old.z === el.z) edits.replaced.set(el.id, el);
      else this.sortedCache = null;
      return;
    }
    const top = edits.appended.length
      ? edits.appended[edits.appended.length - 1]
      : this.sortedCache[this.sortedCache.length - 1];
    if (!edits.removed.has(el.id) && (!top || compareDrawOrder(top, el) < 0)) edits.appended.push(el);
    else this.sortedCache = null;
  }
  /** Applies one batch. Unknown ids in `updated` are treated as additions, in `removed` ignored. */
  apply(diff: Diff, origin: Origin): void {
    const applied: Required<Diff> = { added: [], updated: [], removed: [] };
    const p = this.pending;
    for (const el of diff.added ?? []) this.put(el, applied, p);
    for (const el of diff.updated ?? []) this.put(el, applied, p);
    for (const id of diff.removed ?? []) {
      if (!this.elements.delete(id)) continue;
      if (this.sortedCache) {
        const edits = (this.sortedEdits ??= noSortedEdits());
        if (edits.appended.some((e) => e.id === id)) this.sortedCache = null;
        else edits.removed.add(id);
      }
      this.versions.delete(id);
      applied.removed.push(id);
      if (p.added.delete(id)) {
        // Listeners never saw it: nothing to report.
        p.updated.delete(id);
      } else {
        p.updated.delete(id);
        p.removed.add(id);
      }
    }
    if (applied.added.length + applied.updated.length + applied.removed.length === 0) return;
    this.rev++;
    p.origins.add(origin);
    for (const l of this.syncListeners) l(applied, origin);
    this.scheduleFlush();
  }

  private put(el: Element, applied: Required<Diff>, p: StoreChange): void {
    const old = this.elements.get(el.id);
    const existed = old !== undefined;
    this.noteSorted(el, old);
    this.elements.set(el.id, el);
    this.versions.set(el.id, this.nextVersion++);
    if (existed) {
      applied.updated.push(el);
      if (!p.added.has(el.id)) p.updated.add(el.id);
    } else {
      applied.added.push(el);
      if (p.removed.delete(el.id)) p.updated.add(el.id);
      else p.added.add(el.id);
    }
  }

  /** Listener called at most once per animation frame with everything that changed. */
  subscribe(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  subscribeSync(l: SyncListener): () => void {
    this.syncListeners.add(l);
    return () => this.syncListeners.delete(l);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.scheduler.request(() => this.flush());
  }

  /** Delivers pending changes now (normally the scheduler calls this once per frame). */
  flush(): void {
    this.flushScheduled = false;
    const c = this.pending;
    if (c.added.size + c.updated.size + c.removed.size === 0) return;
    this.pending = emptyChange();
    for (const l of this.listeners) l(c);
  }
}

function emptyChange(): StoreChange {
  return { added: new Set(), updated: new Set(), removed: new Set(), origins: new Set() };
}
