// The base (ambient) layer: solid, gradient, rainbow, breathing, as pure functions of time.
import { describe, expect, test } from "bun:test";
import { renderAmbient } from "../../src/light/ambient.ts";
import { baseSpec, expectFloats, solid } from "./util.ts";

const render = (b: Record<string, unknown>, t: number, n: number) => {
  const out = new Float32Array(n * 3).fill(NaN);
  renderAmbient(baseSpec(b), t, n, out);
  return out;
};

describe("renderAmbient", () => {
  test("solid: the first colour × level on every pixel, at any time", () => {
    for (const t of [0, 1234]) expectFloats(render({ colors: ["#ff8000", "#0000ff"], level: 0.5 }, t, 3), solid(3, [0.5, (0x80 / 255) * 0.5, 0]));
  });

  test("off is black whatever the effect", () => {
    for (const effect of ["solid", "gradient", "rainbow", "breathing"]) {
      expectFloats(render({ effect, on: false, level: 1, colors: ["#ffffff", "#ff0000"] }, 500, 4), solid(4, [0, 0, 0]));
    }
  });

  test("gradient: the colours spread evenly from the first pixel to the last, × level", () => {
    expectFloats(render({ effect: "gradient", colors: ["#ff0000", "#0000ff"], level: 1 }, 0, 5), [
      1, 0, 0, 0.75, 0, 0.25, 0.5, 0, 0.5, 0.25, 0, 0.75, 0, 0, 1,
    ]);
    expectFloats(render({ effect: "gradient", colors: ["#ff0000", "#00ff00", "#0000ff"], level: 0.5 }, 0, 3), [0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5]);
    // One pixel shows the first colour.
    expectFloats(render({ effect: "gradient", colors: ["#ff0000", "#0000ff"], level: 1 }, 0, 1), [1, 0, 0]);
  });

  test("rainbow: hue i/n + t·hz, full saturation, value = level", () => {
    const a = render({ effect: "rainbow", level: 1, hz: 1 }, 0, 6);
    expectFloats(a, [1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1]);
    // A sixth of a second at 1 Hz turns every hue by a sixth: pixel i shows what pixel i + 1 did.
    const b = render({ effect: "rainbow", level: 0.5, hz: 1 }, 1000 / 6, 6);
    expectFloats(b, [0.5, 0.5, 0, 0, 0.5, 0, 0, 0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0]);
    // Periodic: one second later at 1 Hz is the same frame.
    expectFloats(render({ effect: "rainbow", level: 1, hz: 1 }, 1000, 6), a);
  });

  test("breathing: level × (0.15 + 0.85 · (0.5 − 0.5·cos 2π·t·hz)): never fully dark", () => {
    for (const t of [0, 250, 500, 1000, 1750]) {
      const k = 0.8 * (0.15 + 0.85 * (0.5 - 0.5 * Math.cos((2 * Math.PI * t * 0.5) / 1000)));
      expectFloats(render({ effect: "breathing", colors: ["#ffffff"], level: 0.8, hz: 0.5 }, t, 2), solid(2, [k, k, k]));
    }
    expectFloats(render({ effect: "breathing", colors: ["#ffffff"], level: 1, hz: 0.5 }, 0, 1), [0.15, 0.15, 0.15]);
    expectFloats(render({ effect: "breathing", colors: ["#ffffff"], level: 1, hz: 0.5 }, 1000, 1), [1, 1, 1]);
  });
});
