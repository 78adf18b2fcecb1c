import { cycle, fill, phase, type EffectDef } from "./types.ts";

/** Heartbeat-like beats: sharp rise, exponential decay; each beat takes the next colour. */
export const pulse: EffectDef = {
  id: "pulse",
  description: "Repeated beats with a sharp rise and a soft decay, cycling through the colours.",
  // Each beat rises sharply from dark: a flash by WCAG's definition.
  flashes: "per-cycle",
  defaults: { durationMs: 1000, fadeInMs: 0, fadeOutMs: 100, hz: 2, colors: [[1, 0, 0]] },
  render(p, t, n, rgb, alpha) {
    const c = p.colors[cycle(t, p.hz) % p.colors.length];
    fill(c, Math.exp(-5 * phase(t, p.hz)), n, rgb, alpha);
  },
};
