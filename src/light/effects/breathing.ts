import { fill, phase, type EffectDef } from "./types.ts";

/** Slow sinusoidal in-and-out, for waiting states (respawn timer, bomb planted). */
export const breathing: EffectDef = {
  id: "breathing",
  description: "Smooth sinusoidal rise and fall.",
  flashes: "no",
  defaults: { durationMs: 4000, fadeInMs: 200, fadeOutMs: 200, hz: 0.5, colors: [[0, 0.4, 1]] },
  render(p, t, n, rgb, alpha) {
    fill(p.colors[0], 0.5 - 0.5 * Math.cos(2 * Math.PI * phase(t, p.hz)), n, rgb, alpha);
  },
};
