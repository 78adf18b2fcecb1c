// Photosensitivity guard (WCAG 2.3.1): at most `max` full-segment flashes in any one second.
// Flashes are booked ahead (a strobe books every "on"), so the limit holds across instances.

const WINDOW_MS = 1000;
const CAPACITY = 256;

export class FlashGuard {
  private times = new Float64Array(CAPACITY);
  private count = 0;
  blocked = 0;

  constructor(public enabled: boolean, public maxPerSecond: number) {}

  /** Books the flashes at the given times if every one-second window stays within the limit. */
  admit(flashTimes: readonly number[], nowMs: number): boolean {
    if (!this.enabled) return true;
    this.forget(nowMs);
    const all = [...Array.from(this.times.subarray(0, this.count)), ...flashTimes].sort((a, b) => a - b);
    const max = Math.floor(this.maxPerSecond);
    for (let i = 0, j = 0; i < all.length; i++) {
      while (all[i] - all[j] >= WINDOW_MS) j++;
      if (i - j + 1 > max || this.count + flashTimes.length > CAPACITY) {
        this.blocked++;
        return false;
      }
    }
    this.times.set(all.slice(-CAPACITY));
    this.count = Math.min(all.length, CAPACITY);
    return true;
  }

  /** Highest repetition rate a periodic flashing effect may use. */
  capHz(hz: number): number {
    return this.enabled ? Math.min(hz, this.maxPerSecond) : hz;
  }

  private forget(nowMs: number): void {
    let k = 0;
    for (let i = 0; i < this.count; i++) if (this.times[i] > nowMs - WINDOW_MS) this.times[k++] = this.times[i];
    this.count = k;
  }
}
