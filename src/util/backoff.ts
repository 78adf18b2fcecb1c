// Capped exponential backoff: how long to wait after each failure in a row. Outputs, the MQTT
// link, server pollers and connectors all retry with it.

export interface BackoffOptions {
  /** The wait after the first failure; each further failure doubles it. */
  firstMs: number;
  maxMs: number;
  /**
   * Each wait is scaled by a random factor in [1 - jitter, 1], so units that failed together
   * do not retry together; it only shortens, so maxMs stays the longest wait.
   */
  jitter?: number;
}

export class Backoff {
  /** Failures since the last success. */
  failures = 0;

  constructor(readonly opts: BackoffOptions, private readonly random: () => number = Math.random) {}

  /** Counts one more failure and returns how long to wait before the next attempt. */
  next(): number {
    const { firstMs, maxMs, jitter = 0 } = this.opts;
    // The exponent stops growing once the cap is reached: 2 ** 1100 would be Infinity.
    const ms = Math.min(maxMs, firstMs * 2 ** Math.min(this.failures, 52));
    this.failures++;
    return ms * (1 - jitter * this.random());
  }

  /** A failure that retrying sooner cannot fix (refused credentials): wait the longest from now on. */
  exhaust(): number {
    this.failures = Math.max(this.failures, Math.ceil(Math.log2(this.opts.maxMs / this.opts.firstMs)));
    return this.next();
  }

  reset(): void {
    this.failures = 0;
  }
}
