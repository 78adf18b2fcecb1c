import { cycle, fill, phase, type EffectDef } from "./types.ts";

/** Hard on/off at hz (50% duty); the photosensitivity guard caps hz and counts each "on". */
export const strobe: EffectDef = {
  id: "strobe",
  description: "Hard on/off blinking, alternating through the colours.",
  flashes: "per-cycle",
  defaults: { durationMs: 1000, fadeInMs: 0, fadeOutMs: 0, hz: 3, colors: [[1, 1, 1]] },
  render(p, t, n, rgb, alpha) {
    fill(p.colors[cycle(t, p.hz) % p.colors.length], phase(t, p.hz) < 0.5 ? 1 : 0, n, rgb, alpha);
  },
};
