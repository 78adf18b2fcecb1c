// The golden fixtures (golden/*.json) only show that output changed; this file says whether it is
// right. Every frame of every fixture is recomputed here from the documented formulas — each
// effect's (effects/*.ts), the layer stack's envelope and blend modes (segment.ts), meters,
// bases and transitions, and the pipeline's stages (expectedWire in util.ts) — and the stored
// wire bytes must match. Nothing here calls the engine to get an expected value.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SettingsSchema } from "../../src/config/schema.ts";
import type { GoldenFile } from "./golden/replay.ts";
import { dutyOf, expectedWire, expectWire, type WireModel } from "./util.ts";

type C = number[];
const rgb = (hex: string): C => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
const times = (c: C, k: number): C => c.map((x) => x * k);
const plus = (a: C, b: C): C => a.map((x, i) => x + b[i]);
const mix = (a: C, b: C, u: number): C => a.map((x, i) => x + (b[i] - x) * u);
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const frac = (x: number) => x - Math.floor(x);
/** Evenly spaced gradient stops, sampled at f (0–1). */
const gradient = (stops: C[], f: number): C => {
  const x = clamp01(f) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  return stops.length === 1 ? stops[0] : mix(stops[i], stops[i + 1], x - i);
};
/** Linear fade in over fadeIn ms and out over the last fadeOut ms of an instance of `dur` ms, at local time t. */
const envelope = (t: number, dur: number, fadeIn: number, fadeOut: number, intensity = 1) =>
  intensity * (fadeIn > 0 && t < fadeIn ? t / fadeIn : 1) * (fadeOut > 0 && dur - t < fadeOut ? (dur - t) / fadeOut : 1);
const BLACK: C = [0, 0, 0];
const WHITE: C = [1, 1, 1];
const leds = (n: number, c: C | ((i: number) => C)) => Array.from({ length: n }, (_, i) => (typeof c === "function" ? c(i) : c));

const load = (name: string): GoldenFile => JSON.parse(readFileSync(join(import.meta.dir, "golden", `${name}.json`), "utf8"));
const wireBytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/ /g, ""), "hex"));

/**
 * Checks every stored frame of a fixture against `strip(t)` (linear colours of every LED at engine
 * time t) through the pipeline model; `scale` gives the power limiter's factor where it acts.
 */
function checkFixture(name: string, strip: (t: number) => C[], scale?: (c: C[]) => { scale: number; scaleTol: number }) {
  const g = load(name);
  const s = SettingsSchema.parse(g.settings);
  const model: WireModel = {
    brightness: s.light.brightness, gamma: s.light.gamma, order: s.strip.colorOrder, dithering: s.light.dithering, whiteExtraction: s.strip.whiteExtraction,
  };
  expect(g.output.map((f) => f.t)).toEqual(g.frames.map((f) => f.t));
  for (const f of g.output) {
    const c = strip(f.t);
    const limit = scale?.(c) ?? { scale: 1, scaleTol: 0 };
    expectWire(wireBytes(f.bytes), expectedWire(c, { ...model, ...limit }, f.frame), `${name} at t=${f.t}`);
    expect({ t: f.t, limiting: f.limiting }).toEqual({ t: f.t, limiting: limit.scale < 1 });
  }
}

describe("golden frames against the formulas", () => {
  test("flash: #ff8000 at full until the 300 ms fade-out starts (100 ms), half at 250, 1/300 at 399, dark from 400", () => {
    const orange = rgb("#ff8000");
    checkFixture("flash", (t) => leds(8, t < 400 ? times(orange, envelope(t, 400, 0, 300)) : BLACK));
  });

  test("pulse: beats at 2 Hz from 100 ms, red then #00ff40, each exp(−5·phase), the last 100 ms faded", () => {
    const colours = [rgb("#ff0000"), rgb("#00ff40")];
    checkFixture("pulse", (t) => {
      const local = t - 100;
      if (local < 0 || local >= 1000) return leds(6, BLACK);
      const beats = (local * 2) / 1000;
      return leds(6, times(colours[Math.floor(beats) % 2], Math.exp(-5 * frac(beats)) * envelope(local, 1000, 0, 100)));
    });
  });

  test("sweep: a 3 px cyan→magenta band once over 600 ms on a; a 2 px white band at 2 Hz from the far end on b", () => {
    /** A band of w px whose centre is at `centre`: coverage 1 − d² and colour along the stops by d. */
    const band = (n: number, w: number, centre: number, stops: C[], reverse: boolean) =>
      leds(n, (i) => {
        const d = ((reverse ? n - 1 - i : i) + 0.5 - centre) / (w / 2);
        return Math.abs(d) >= 1 ? BLACK : times(gradient(stops, (d + 1) / 2), 1 - d * d);
      });
    checkFixture("sweep", (t) => [
      ...(t < 600 ? band(10, 3, -1.5 + (t / 600) * 13, [rgb("#00ffff"), rgb("#ff00ff")], false) : leds(10, BLACK)),
      ...band(10, 2, -1 + frac((t * 2) / 1000) * 12, [WHITE], true),
    ]);
  });

  test("color_shift: red→green→blue→green→red once a second, 200 ms fade-in, 300 ms fade-out", () => {
    const stops = [rgb("#ff0000"), rgb("#00ff00"), rgb("#0000ff")];
    checkFixture("color_shift", (t) => {
      if (t >= 2000) return leds(4, BLACK);
      const ph = frac(t / 1000);
      return leds(4, times(gradient(stops, ph < 0.5 ? 2 * ph : 2 - 2 * ph), envelope(t, 2000, 200, 300)));
    });
  });

  test("breathing: #0066ff × (0.5 − 0.5·cos 2π·t/2000): dark at 0, 2000, 4000, full at 1000 and 3000, 200 ms fades", () => {
    const blue = rgb("#0066ff");
    checkFixture("breathing", (t) =>
      leds(4, t >= 4000 ? BLACK : times(blue, (0.5 - 0.5 * Math.cos((2 * Math.PI * t) / 2000)) * envelope(t, 4000, 200, 200))));
  });

  test("strobe: 3 Hz, on for the first half of each cycle, white then red then white; the 12 Hz one was refused", () => {
    const colours = [WHITE, rgb("#ff0000")];
    checkFixture("strobe", (t) => {
      const cycles = (t * 3) / 1000;
      return leds(4, t < 1000 && frac(cycles) < 0.5 ? colours[Math.floor(cycles) % 2] : BLACK);
    });
  });

  test("meter: health smoothed (150 ms) to 1 then 0.35 and back to 0 after its 2 s timeout; ammo 0.45 reversed; centre meter over a background", () => {
    const health = (t: number) => {
      // 150 ms exponential approach to 1 from 0 at t = 0; to 0.35 from 500; to 0 from the timeout at 2500.
      const approach = (from: number, to: number, dt: number) => to + (from - to) * Math.exp(-dt / 150);
      const at500 = approach(0, 1, 500);
      if (t < 500) return approach(0, 1, t);
      if (t < 2500) return approach(at500, 0.35, t - 500);
      return approach(approach(at500, 0.35, 2000), 0, t - 2500);
    };
    const bar = (n: number, lit: (pos: number) => number, pos: (i: number) => number, colour: C, under: C) =>
      leds(n, (i) => mix(under, colour, clamp01(lit(pos(i)))));
    checkFixture("meter", (t) => {
      const h = health(t);
      const mid = t < 500 ? 0.5 : 0;
      return [
        // Forward, 10 px: pixel i covered by 10·v − i, coloured red→yellow→green at v.
        ...bar(10, (p) => 10 * h - p, (i) => i, gradient([rgb("#ff0000"), rgb("#ffff00"), rgb("#00ff00")], h), BLACK),
        // Reverse, 10 px, white at 0.45 (no smoothing): 4.5 px lit from the far end.
        ...bar(10, (p) => 4.5 - p, (i) => 9 - i, WHITE, BLACK),
        // Centre, 9 px: 4.5·v px each side of the middle pixel, which fills twice as fast.
        ...bar(9, (p) => (p < 0 ? 2 * 4.5 * mid : 4.5 * mid - p), (i) => Math.abs(i - 4) - 0.5, rgb("#00ff00"), rgb("#100000")),
        BLACK,
      ];
    });
  });

  test("blend: a 0.6 flash over #204060 in normal, add and max; two equal-priority flashes stacked in start order", () => {
    const base = rgb("#204060"), orange = rgb("#ff8000"), red = rgb("#ff0000"), blue = rgb("#0000ff");
    checkFixture("blend", (t) => {
      if (t >= 400) return leds(8, base);
      const a = envelope(t, 400, 0, 200, 0.6);
      const stacked = t >= 100 && t < 300 ? mix(red, blue, 0.5) : red;
      return [
        ...leds(2, mix(base, orange, a)),
        ...leds(2, plus(base, times(orange, a))),
        ...leds(2, base.map((x, i) => Math.max(x, orange[i] * a))),
        ...leds(2, stacked),
      ];
    });
  });

  test("priority: the priority-90 flash hides the breathing (200–500 ms); an added pulse of the breathing's priority blends with it", () => {
    const green = rgb("#00ff00"), red = rgb("#ff0000"), blue = rgb("#0000ff");
    checkFixture("priority", (t) => {
      if (t >= 200 && t < 500) return leds(4, red);
      if (t >= 2000) return leds(4, BLACK);
      let c = times(green, 0.5 - 0.5 * Math.cos(2 * Math.PI * frac(t / 1000)));
      if (t >= 1000 && t < 1500) c = plus(c, times(blue, Math.exp(-5 * frac((t - 1000) / 1000))));
      return leds(4, c);
    });
  });

  test("transition: #ff6a00 at 0.3 crossfades linearly over 1 s to a blue→cyan gradient at 0.5, which fades to black over 400 ms from 2 s", () => {
    const from = times(rgb("#ff6a00"), 0.3);
    const to = (i: number) => times(gradient([rgb("#0000ff"), rgb("#00ffff")], i / 4), 0.5);
    checkFixture("transition", (t) => {
      if (t < 1000) return leds(5, (i) => mix(from, to(i), t / 1000));
      if (t < 2000) return leds(5, to);
      return leds(5, (i) => mix(to(i), BLACK, Math.min(1, (t - 2000) / 400)));
    });
  });

  test("rgbw_power: a full rainbow (hue i/60 + t/2000) under a half white flash for 200 ms, white subtracted, limited to 1 A", () => {
    /** HSV with full saturation and value to RGB (the standard piecewise-linear hue wheel). */
    const hue = (h: number): C => [5, 3, 1].map((n) => {
      const k = (n + frac(h) * 6) % 6;
      return 1 - Math.max(0, Math.min(k, 4 - k, 1));
    });
    const strip = (t: number) => leds(60, (i) => {
      const c = hue(i / 60 + (t * 0.5) / 1000);
      return t < 200 ? mix(c, WHITE, 0.5) : c;
    });
    // The limiter: 20 mA per channel at full duty (W too), 1 mA idle per LED, on a 1000 mA budget.
    // The pipeline estimates from its gamma table: up to 2.2/8192 relative off at full duty.
    const limit = (c: C[]) => {
      const active = c.reduce((sum, x) => sum + 20 * dutyOf(x, { brightness: 1, gamma: 2.2, whiteExtraction: "subtract" }).duty.reduce((a, b) => a + b, 0), 0);
      const room = 1000 - 60;
      return { scale: active > room ? room / active : 1, scaleTol: 1e-3 };
    };
    checkFixture("rgbw_power", strip, limit);
  });
});
