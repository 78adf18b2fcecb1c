// A token bucket: a sustained rate with a burst allowance, on an injected monotonic clock.

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(readonly ratePerS: number, readonly burst: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.refilledAt) * this.ratePerS) / 1000);
    this.refilledAt = t;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
