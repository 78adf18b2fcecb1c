// The base (ambient) layer: what a segment shows when no event is playing.
import { hsv, sampleGradient } from "./color.ts";
import type { BaseSpec } from "./specs.ts";

/** Renders the base spec for n pixels at absolute time tMs into out (3 floats a pixel). */
export function renderAmbient(b: BaseSpec, tMs: number, n: number, out: Float32Array): void {
  const level = b.on ? b.level : 0;
  switch (b.effect) {
    case "solid":
    case "breathing": {
      const k = b.effect === "solid" ? level : level * (0.15 + 0.85 * (0.5 - 0.5 * Math.cos((2 * Math.PI * tMs * b.hz) / 1000)));
      const c = b.colors[0];
      for (let o = 0; o < n * 3; o += 3) {
        out[o] = c[0] * k; out[o + 1] = c[1] * k; out[o + 2] = c[2] * k;
      }
      return;
    }
    case "gradient":
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        sampleGradient(b.colors, n > 1 ? i / (n - 1) : 0, out, o);
        out[o] *= level; out[o + 1] *= level; out[o + 2] *= level;
      }
      return;
    case "rainbow": {
      const shift = (tMs * b.hz) / 1000;
      for (let i = 0, o = 0; i < n; i++, o += 3) hsv(i / n + shift, 1, level, out, o);
      return;
    }
  }
}
