// Photosensitivity guard (WCAG 2.3.1): at most `max` full-segment flashes in any one second.
// Flashes are booked ahead (a strobe or pulse books every cycle), so the limit holds across instances.

const WINDOW_MS = 1000;
/** Flashes booked ahead at most: a 5-minute strobe at 3 Hz needs 900. */
export const FLASH_BOOKINGS = 1024;

export class FlashGuard {
  private times = new Float64Array(FLASH_BOOKINGS);
  private count = 0;
  blocked = 0;

  constructor(public enabled: boolean, public maxPerSecond: number) {}

  /** Books the flashes at the given times if every window (one second, see windowMs) stays within the limit. */
  admit(flashTimes: readonly number[], nowMs: number): boolean {
    if (!this.enabled) return true;
    const windowMs = this.windowMs();
    this.forget(nowMs, windowMs);
    if (this.count + flashTimes.length > FLASH_BOOKINGS) return this.refuse();
    const all = [...Array.from(this.times.subarray(0, this.count)), ...flashTimes].sort((a, b) => a - b);
    const max = Math.max(1, Math.floor(this.maxPerSecond));
    for (let i = 0, j = 0; i < all.length; i++) {
      // The epsilon absorbs float error in booked times (k·1000/3 spaced exactly a second apart).
      while (all[i] - all[j] >= windowMs - 1e-6) j++;
      if (i - j + 1 > max) return this.refuse();
    }
    this.times.set(all);
    this.count = all.length;
    return true;
  }

  private refuse(): false {
    this.blocked++;
    return false;
  }

  /** Highest repetition rate a periodic flashing effect may use. */
  capHz(hz: number): number {
    return this.enabled ? Math.min(hz, this.maxPerSecond) : hz;
  }

  /**
   * The window the limit is counted in: one second, or for a limit below one per second
   * (the schema allows 0.5) one flash per 1/limit seconds; floor(0.5) per second would be none.
   */
  private windowMs(): number {
    return this.maxPerSecond >= 1 ? WINDOW_MS : WINDOW_MS / this.maxPerSecond;
  }

  private forget(nowMs: number, windowMs: number): void {
    let k = 0;
    for (let i = 0; i < this.count; i++) if (this.times[i] > nowMs - windowMs) this.times[k++] = this.times[i];
    this.count = k;
  }
}
