// The contract every effect file fulfils: pure rendering of one instance at a local time.
import type { RGB } from "../color.ts";

/** An effect instance's resolved parameters (see EffectSpecSchema for the API form). */
export interface EffectParams {
  readonly colors: readonly RGB[];
  readonly durationMs: number;
  /** Cycles per second for periodic effects (pulse, strobe, breathing, color_shift, sweep). */
  readonly hz: number;
  /** Sweep band width as a fraction of the segment. */
  readonly width: number;
  /** Sweep from the far end. */
  readonly reverse: boolean;
}

export interface EffectDef {
  readonly id: string;
  readonly description: string;
  /**
   * How it counts against the photosensitivity guard: "once" (the whole segment lights once),
   * "per-cycle" (it goes light/dark every cycle), or "no" (smooth changes only).
   */
  readonly flashes: "once" | "per-cycle" | "no";
  readonly defaults: { durationMs: number; fadeInMs: number; fadeOutMs: number; hz: number; colors: RGB[] };
  /**
   * Writes colour (rgb, 3 per pixel) and coverage (alpha, 0–1) for n pixels at localMs
   * since the instance started. The fade envelope and intensity are applied by the layer stack (segment.ts).
   * Must not allocate: it runs every frame.
   */
  render(p: EffectParams, localMs: number, n: number, rgb: Float32Array, alpha: Float32Array): void;
}

/** Fills every pixel with one colour and one coverage. */
export function fill(c: RGB, a: number, n: number, rgb: Float32Array, alpha: Float32Array): void {
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    rgb[o] = c[0]; rgb[o + 1] = c[1]; rgb[o + 2] = c[2];
    alpha[i] = a;
  }
}

/** Phase 0–1 within the current cycle, and which cycle it is. */
export const phase = (localMs: number, hz: number) => {
  const x = (localMs * hz) / 1000;
  return x - Math.floor(x);
};
export const cycle = (localMs: number, hz: number) => Math.floor((localMs * hz) / 1000);
