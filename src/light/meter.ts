// A meter: a 0–1 value drawn as a bar, smoothed and returning to a default after a timeout.
// Its displayed value is a closed-form function of time, so render(t) stays pure.
import { sampleGradient } from "./color.ts";
import type { MeterSpec } from "./specs.ts";

export class Meter {
  /** Value shown at fromMs, the target it approaches from there, and when the target was last set. */
  private fromMs = 0;
  private fromValue: number;
  private target: number;
  private setAtMs = -Infinity;

  constructor(readonly name: string, public spec: MeterSpec) {
    this.fromValue = spec.defaultValue;
    this.target = spec.defaultValue;
  }

  set(value: number, atMs: number): void {
    const v = value < 0 ? 0 : value > 1 ? 1 : value;
    this.fromValue = this.valueAt(atMs);
    this.fromMs = atMs;
    this.target = v;
    this.setAtMs = atMs;
  }

  /** The displayed (smoothed) value at tMs. */
  valueAt(tMs: number): number {
    const { timeoutMs, defaultValue } = this.spec;
    const timeoutAt = timeoutMs > 0 ? this.setAtMs + timeoutMs : Infinity;
    if (tMs < timeoutAt) return this.approach(this.fromValue, this.target, tMs - this.fromMs);
    const atTimeout = this.approach(this.fromValue, this.target, timeoutAt - this.fromMs);
    return this.approach(atTimeout, defaultValue, tMs - timeoutAt);
  }

  private approach(from: number, to: number, dtMs: number): number {
    const tau = this.spec.smoothingMs;
    if (tau <= 0) return to;
    if (dtMs <= 0) return from;
    return to + (from - to) * Math.exp(-dtMs / tau);
  }

  /**
   * Draws the bar over the n pixels in out (normal blend): lit pixels in the gradient colour
   * for the current value, a partly covered edge pixel blended by its coverage.
   */
  draw(tMs: number, n: number, out: Float32Array, scratch: Float32Array): void {
    const v = this.valueAt(tMs);
    const { direction, gradient, background } = this.spec;
    // The bar's own pixels: [first, first + len) of the segment.
    const first = Math.round(Math.min(this.spec.from, this.spec.to) * n);
    const len = Math.round(Math.max(this.spec.from, this.spec.to) * n) - first;
    sampleGradient(gradient, v, scratch, 0);
    const r = scratch[0], g = scratch[1], b = scratch[2];
    const half = len / 2;
    const lit = direction === "center" ? v * half : v * len;
    for (let i = 0, o = first * 3; i < len; i++, o += 3) {
      // Distance along the bar from where it starts filling.
      const pos = direction === "forward" ? i : direction === "reverse" ? len - 1 - i : Math.abs(i + 0.5 - half) - 0.5;
      // Centre of an odd count (pos −0.5): that pixel spans half a pixel each side of the centre,
      // so the bar fills it twice as fast; lit − pos would show it half lit at value 0.
      const d = pos < 0 ? 2 * lit : lit - pos;
      const cover = d >= 1 ? 1 : d <= 0 ? 0 : d;
      if (background) {
        out[o] = background[0]; out[o + 1] = background[1]; out[o + 2] = background[2];
      }
      out[o] += (r - out[o]) * cover;
      out[o + 1] += (g - out[o + 1]) * cover;
      out[o + 2] += (b - out[o + 2]) * cover;
    }
  }
}
