// Photosensitivity guard (WCAG 2.3.1: "no more than three general flashes in any one second"),
// with the limit configurable: at most `maxPerSecond` full-segment flashes per second. Flashes
// are booked ahead (a strobe or pulse books every cycle), so the limit holds across instances.
//
// A limit of r flashes a second is held as: any k + 1 flashes in a row span at least k/r
// seconds, for every k from the burst floor(r) (at least 1) up to r's numerator p, where
// r = p/q with q whole seconds. For a whole r that is the one rule "at most r flashes in any
// one second"; 0.5 is one flash per two seconds; 2.5 is at most 2 flashes in any 0.8 s, 3 in
// 1.2 s, 4 in 1.6 s and 5 in any 2 s (so never more than 3 in a second). A strobe at exactly
// r Hz keeps every one of these rules, so the rate periodic effects are capped to (capHz) is
// one the booking admits: the cap and the booking use the same rate.

/** Flashes booked ahead at most: a 5-minute strobe at 3 Hz needs 900. */
export const FLASH_BOOKINGS = 1024;
/** The longest window (q) a fractional limit is counted over; finer limits are rounded down to tenths. */
const MAX_WINDOW_S = 10;

export class FlashGuard {
  private times = new Float64Array(FLASH_BOOKINGS);
  private count = 0;
  blocked = 0;

  constructor(public enabled: boolean, public maxPerSecond: number) {}

  /** Books the flashes at the given times if every run of flashes keeps to the limit (see the top of this file). */
  admit(flashTimes: readonly number[], nowMs: number): boolean {
    if (!this.enabled) return true;
    const { rate, burst, perWindow, windowMs } = this.limit();
    this.forget(nowMs, windowMs);
    if (this.count + flashTimes.length > FLASH_BOOKINGS) return this.refuse();
    const all = [...Array.from(this.times.subarray(0, this.count)), ...flashTimes].sort((a, b) => a - b);
    for (let i = burst; i < all.length; i++) {
      for (let k = burst; k <= perWindow && k <= i; k++) {
        // The epsilon absorbs float error in booked times (k·1000/3 spaced exactly a second apart).
        if (all[i] - all[i - k] < (k * 1000) / rate - 1e-6) return this.refuse();
      }
    }
    this.times.set(all);
    this.count = all.length;
    return true;
  }

  private refuse(): false {
    this.blocked++;
    return false;
  }

  /** Highest repetition rate a periodic flashing effect may use: the rate the booking holds. */
  capHz(hz: number): number {
    return this.enabled ? Math.min(hz, this.limit().rate) : hz;
  }

  /**
   * The limit as p flashes in q seconds (the smallest whole q that makes p whole, up to
   * MAX_WINDOW_S; beyond that rounded down, never up), the burst floor(rate), and the window.
   */
  private limit(): { rate: number; burst: number; perWindow: number; windowMs: number } {
    const r = this.maxPerSecond;
    let q = 1;
    while (q < MAX_WINDOW_S && Math.abs(r * q - Math.round(r * q)) > 1e-9) q++;
    const p = Math.max(1, Math.abs(r * q - Math.round(r * q)) > 1e-9 ? Math.floor(r * q) : Math.round(r * q));
    const rate = p / q;
    return { rate, burst: Math.max(1, Math.floor(rate)), perWindow: p, windowMs: q * 1000 };
  }

  /** Drops bookings no future flash can share a window with. */
  private forget(nowMs: number, windowMs: number): void {
    let k = 0;
    for (let i = 0; i < this.count; i++) if (this.times[i] > nowMs - windowMs) this.times[k++] = this.times[i];
    this.count = k;
  }
}
