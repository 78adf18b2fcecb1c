import { sampleGradient } from "../color.ts";
import type { EffectDef } from "./types.ts";

/**
 * A soft band crossing the segment once per duration (or hz times a second when hz > 0
 * was given explicitly); colours spread across the band.
 */
export const sweep: EffectDef = {
  id: "sweep",
  description: "A soft-edged band travelling along the segment.",
  flashes: "no",
  defaults: { durationMs: 600, fadeInMs: 0, fadeOutMs: 0, hz: 0, colors: [[0, 1, 1]] },
  render(p, t, n, rgb, alpha) {
    const progress = p.hz > 0 ? ((t * p.hz) / 1000) % 1 : t / p.durationMs;
    // Band width in pixels, at least 2: coverage is sampled at pixel centres, and a narrower
    // band centred between two of them lights neither (the sweep would blink as it moves).
    const w = Math.max(2, p.width * n);
    // The band's centre enters from before pixel 0 and leaves after pixel n-1.
    const centre = -w / 2 + progress * (n + w);
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const x = p.reverse ? n - 1 - i : i;
      const d = (x + 0.5 - centre) / (w / 2); // -1..1 inside the band
      const a = d <= -1 || d >= 1 ? 0 : 1 - d * d;
      sampleGradient(p.colors, (d + 1) / 2, rgb, o);
      alpha[i] = a;
    }
  },
};
