/**
 * One timer for the next due action across all templates (DESIGN.md section 4): no polling.
 * Each key (a template id) has at most one due time; the timer is armed for the earliest.
 *
 * Node runs a setTimeout delay above 2^31-1 ms (about 24.8 days) after 1 ms instead, so long
 * delays are clamped and the timer re-arms when it wakes early. A wall-clock jump or a machine
 * that slept is handled the same way: on every wake the due keys are taken by comparing with
 * the clock, so late work runs once, in due order, and nothing runs twice.
 */

/** The longest delay Node's setTimeout honours. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Scheduler {
  private readonly due = new Map<string, number>();
  private timer: unknown = null;
  private armedFor = Infinity;
  private stopped = false;

  /** `run` receives the keys that are due, earliest first; errors are the caller's to log. */
  constructor(
    private readonly run: (keys: string[]) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Sets (or moves) the due time of `key`. */
  schedule(key: string, at: number): void {
    const previous = this.due.get(key);
    this.due.set(key, at);
    if (at < this.armedFor) this.armAt(at);
    else if (previous === this.armedFor && at > previous) this.arm(); // the earliest moved later
  }

  /** Forgets `key`. */
  cancel(key: string): void {
    this.due.delete(key);
  }

  /** When `key` is due, if it is scheduled. */
  dueAt(key: string): number | undefined {
    return this.due.get(key);
  }

  /** The earliest due time, if any: one pass over the keys. */
  next(): { key: string; at: number } | undefined {
    let best: { key: string; at: number } | undefined;
    for (const [key, at] of this.due) if (!best || at < best.at) best = { key, at };
    return best;
  }

  /** Runs whatever is due now; call it after a resume from sleep or a clock change. */
  wake(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const ready = [...this.due].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [key] of ready) this.due.delete(key);
    this.arm();
    if (ready.length > 0) this.run(ready.map(([key]) => key));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Arms for the earliest key; one pass over the keys. */
  private arm(): void {
    this.armAt(this.next()?.at ?? Infinity);
  }

  private armAt(at: number): void {
    if (this.stopped) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = at;
    if (at === Infinity) return;
    const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_DELAY_MS);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.armedFor = Infinity;
      this.wake();
    }, delay);
  }
}
