// One import loop per source: the interval jittered (sources added together do not fetch in
// lockstep), a failed import retried sooner with capped exponential backoff, and never two
// imports of one source at once (the next run is planned only after the last). Unlike the game
// servers' poller, which polls a server that is down less often, a schedule that failed is
// retried before its next turn: 15 s, 30 s, … up to the interval.
import { Backoff } from "../util/backoff.ts";

export interface LoopOptions {
  intervalMs: number;
  /** ± this fraction of the interval. */
  jitter?: number;
  /** The first run comes after a random part of this. */
  firstWithinMs?: number;
}

export const RETRY_FIRST_MS = 15_000;

export class ImportLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly backoff: Backoff;

  /** `task` resolves true when the import succeeded; a throw counts as a failure. */
  constructor(private readonly task: () => Promise<boolean>, private readonly opts: LoopOptions, private readonly random = Math.random) {
    this.backoff = new Backoff({ firstMs: Math.min(RETRY_FIRST_MS, opts.intervalMs), maxMs: opts.intervalMs, jitter: 0.2 }, random);
  }

  start(): void {
    this.stopped = false;
    this.plan(this.random() * (this.opts.firstWithinMs ?? 2000));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The delay before the next run after one that succeeded (`ok`) or failed. */
  nextDelay(ok: boolean): number {
    if (!ok) return this.backoff.next();
    this.backoff.reset();
    return this.opts.intervalMs * (1 + (this.opts.jitter ?? 0.1) * (this.random() * 2 - 1));
  }

  private plan(ms: number): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    let ok = false;
    try {
      ok = await this.task();
    } catch {
      ok = false;
    }
    this.plan(this.nextDelay(ok));
  }
}
