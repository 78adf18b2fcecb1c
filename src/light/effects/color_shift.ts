import { sampleGradient } from "../color.ts";
import { phase, type EffectDef } from "./types.ts";

/** The whole segment glides through the colours and back to the first, hz times a second. */
export const colorShift: EffectDef = {
  id: "color_shift",
  description: "Whole segment glides through the colours in a loop.",
  flashes: "no",
  defaults: { durationMs: 3000, fadeInMs: 200, fadeOutMs: 300, hz: 0.5, colors: [[1, 0, 0], [0, 0, 1]] },
  render(p, t, n, rgb, alpha) {
    // A loop: the gradient runs first→last→first, so the cycle has no jump.
    const ph = phase(t, p.hz);
    sampleGradient(p.colors, ph < 0.5 ? ph * 2 : 2 - ph * 2, rgb, 0);
    const r = rgb[0], g = rgb[1], b = rgb[2];
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b;
      alpha[i] = 1;
    }
  },
};
