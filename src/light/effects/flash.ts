import { fill, type EffectDef } from "./types.ts";

/** The whole segment lights at once and fades out: a hit, a kill, a bomb. */
export const flash: EffectDef = {
  id: "flash",
  description: "Whole segment in one colour at once, fading out.",
  flashes: "once",
  defaults: { durationMs: 300, fadeInMs: 0, fadeOutMs: 250, hz: 1, colors: [[1, 1, 1]] },
  render(p, _t, n, rgb, alpha) {
    fill(p.colors[0], 1, n, rgb, alpha);
  },
};
