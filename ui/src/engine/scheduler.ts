/** Runs callbacks on the next animation frame. Injectable so tests can step frames by hand. */
export interface FrameScheduler {
  request(cb: () => void): void;
}

/** `requestAnimationFrame` where there is one, a 16 ms timer elsewhere. */
export const rafScheduler: FrameScheduler = {
  request(cb) {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => cb());
    else setTimeout(cb, 16);
  },
};

/** A scheduler whose frames run only when `tick()` is called. */
export class ManualScheduler implements FrameScheduler {
  private queue: (() => void)[] = [];
  frames = 0;
  request(cb: () => void): void {
    this.queue.push(cb);
  }
  get pending(): number {
    return this.queue.length;
  }
  /** Runs every callback requested before this frame began. */
  tick(): void {
    const q = this.queue;
    this.queue = [];
    this.frames++;
    for (const cb of q) cb();
  }
}

/**
 * Coalesces work to at most one run per frame: `schedule()` any number of times, `run` is called
 * once on the next frame. `flushNow()` runs it at once if anything is pending.
 */
export class FrameCoalescer {
  private scheduled = false;
  private dirty = false;
  constructor(
    private readonly scheduler: FrameScheduler,
    private readonly run: () => void,
  ) {}
  schedule(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.request(() => {
      this.scheduled = false;
      this.flushNow();
    });
  }
  flushNow(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.run();
  }
  get isDirty(): boolean {
    return this.dirty;
  }
}
