// One poller per server: jittered intervals, capped exponential backoff while the server is
// down, and never two polls of one server at once (the next run is only planned after the last).
import { Backoff } from "../util/backoff.ts";

export interface PollerOptions {
  intervalMs: number;
  /** ± this fraction of the interval, so servers added together do not poll in lockstep. */
  jitter?: number;
  maxBackoffMs?: number;
  /** The first poll comes after a random part of this (spreads many servers at start). */
  firstWithinMs?: number;
}

export class Poller {
  running = false;
  runs = 0;
  /** The wait before the poll now due (or under way). */
  plannedMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly backoff: Backoff;

  /** `task` resolves true when the server answered; it must not throw, but if it does, that is a failure. */
  constructor(private readonly task: () => Promise<boolean>, private readonly opts: PollerOptions, private readonly random = Math.random) {
    const { intervalMs, maxBackoffMs = 60_000 } = opts;
    this.backoff = new Backoff({ firstMs: 2 * intervalMs, maxMs: Math.max(maxBackoffMs, intervalMs) });
  }

  /** Failed polls in a row. */
  get failures(): number {
    return this.backoff.failures;
  }

  start(): void {
    this.stopped = false;
    this.plan(this.random() * Math.min(this.opts.firstWithinMs ?? 1000, this.opts.intervalMs));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The delay before the next poll after a poll that answered (`ok`) or failed. */
  nextDelay(ok: boolean): number {
    if (ok) this.backoff.reset();
    const base = ok ? this.opts.intervalMs : this.backoff.next();
    return base * (1 + (this.opts.jitter ?? 0.1) * (this.random() * 2 - 1));
  }

  private plan(ms: number): void {
    if (this.stopped) return;
    this.plannedMs = ms;
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let ok = false;
    try {
      ok = await this.task();
    } catch {
      ok = false;
    }
    this.running = false;
    this.runs++;
    this.plan(this.nextDelay(ok));
  }
}
