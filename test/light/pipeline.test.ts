// The pipeline: brightness → gamma → power limit → white extraction → dither, into logical R G B (W) bytes.
import { describe, expect, test } from "bun:test";
import { RGB_ORDERS, RGBW_ORDERS, type SettingsInput } from "../../src/config/schema.ts";
import { Pipeline } from "../../src/light/pipeline.ts";
import { expectLevels, level, settings } from "./util.ts";

/** A pipeline with test-friendly defaults: RGB order, brightness 1, no limit, no dithering. */
function pipe(n: number, over: { strip?: object; light?: object; power?: object } = {}) {
  const input: SettingsInput = {
    strip: { ledCount: n, colorOrder: "RGB", ...over.strip } as never,
    light: { brightness: 1, dithering: false, ...over.light, power: { enabled: false, ...over.power } } as never,
  };
  return new Pipeline(settings(input));
}

/** A strip buffer of n LEDs all showing c. */
const strip = (n: number, c: readonly number[]) => Float32Array.from({ length: n * 3 }, (_, i) => c[i % 3]);

describe("gamma and brightness", () => {
  test("the default gamma is 2.2, brightness 0.8, dithering on, power limit on at 850 mA", () => {
    const s = settings({});
    expect(s.light.gamma).toBe(2.2);
    expect(s.light.brightness).toBe(0.8);
    expect(s.light.dithering).toBe(true);
    expect(s.light.power).toMatchObject({ enabled: true, budgetMa: 850, idleMaPerLed: 1, volts: 5, channelMa: { r: 20, g: 20, b: 20, w: 20 } });
    expect(s.strip.colorOrder).toBe("GRB");
  });

  test("wire = 255 · v^2.2 for a ramp of values (within rounding)", () => {
    const n = 256;
    const p = pipe(n);
    const s = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) s[i * 3] = s[i * 3 + 1] = s[i * 3 + 2] = i / (n - 1);
    p.process(s, 0);
    expectLevels(p.frame, Array.from(s, (v) => level(v)));
    // Monotonic, black is 0, white is 255.
    for (let i = 3; i < p.frame.length; i++) expect(p.frame[i]).toBeGreaterThanOrEqual(p.frame[i - 3]);
    expect(p.frame[0]).toBe(0);
    expect(p.frame[p.frame.length - 1]).toBe(255);
    // The curve really bends: mid-grey input is about a fifth of full duty, not half.
    expect(p.frame[128 * 3]).toBeGreaterThan(50);
    expect(p.frame[128 * 3]).toBeLessThan(60);
  });

  test("other gammas: 1 is linear, 2.8 is steeper", () => {
    for (const g of [1, 1.8, 2.8]) {
      const p = pipe(5, { light: { gamma: g } });
      const s = Float32Array.from([0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1, 0.33, 0.66, 0.99, 0.05, 0.15, 0.85]);
      p.process(s, 0);
      expectLevels(p.frame, Array.from(s, (v) => level(v, g)));
    }
  });

  test("brightness scales the value before gamma", () => {
    for (const b of [0, 0.25, 0.6, 0.8, 1]) {
      const p = pipe(3, { light: { brightness: b } });
      const s = Float32Array.from([1, 0.5, 0.25, 0.8, 0.1, 0, 1, 1, 1]);
      p.process(s, 0);
      expectLevels(p.frame, Array.from(s, (v) => level(v * b)));
    }
  });

  test("values outside 0–1 are clipped (an additive blend can overshoot)", () => {
    const p = pipe(2);
    p.process(Float32Array.from([1.7, -0.3, 3, -5, 1.0001, 0]), 0);
    expect(Array.from(p.frame)).toEqual([255, 0, 255, 0, 255, 0]);
  });

  test("an overshooting value is clipped before brightness: it never shows brighter than brightness allows", () => {
    const p = pipe(2, { light: { brightness: 0.5 } });
    p.process(Float32Array.from([2, 1, 1.5, 4, 0.5, 0]), 0);
    expectLevels(p.frame, [level(0.5), level(0.5), level(0.5), level(0.5), level(0.25), 0]);
    expect(Array.from(p.preview)).toEqual([128, 128, 128, 128, 64, 0]);
  });

  test("preview is the logical RGB in screen terms: value × brightness, no gamma, RGB order whatever the strip's order", () => {
    const p = pipe(2, { strip: { colorOrder: "GRB" }, light: { brightness: 0.5 } });
    p.process(Float32Array.from([1, 0.5, 0.2, 0, 0, 2]), 0);
    expect(Array.from(p.preview)).toEqual([128, 64, 26, 0, 0, 128]);
  });
});

describe("power limiting", () => {
  test("the estimate is per-channel mA × duty plus idle mA, published even when not limiting", () => {
    const p = pipe(10, { power: { enabled: true, budgetMa: 100_000, channelMa: { r: 10, g: 20, b: 30 }, idleMaPerLed: 0.5, volts: 12 } });
    const c = [1, 0.5, 0.25];
    p.process(strip(10, c), 0);
    const active = 10 * (10 * c[0] ** 2.2 + 20 * c[1] ** 2.2 + 30 * c[2] ** 2.2);
    expect(p.power.requestedMa).toBeCloseTo(5 + active, 0);
    expect(Math.abs(p.power.requestedMa - (5 + active)) / active).toBeLessThan(2e-3);
    expect(p.power.ma).toBe(p.power.requestedMa);
    expect(p.power.limiting).toBe(false);
    expect(p.power.scale).toBe(1);
    expect(p.power.watts).toBeCloseTo((p.power.ma / 1000) * 12, 9);
    expectLevels(p.frame, Array.from(strip(10, c), (v) => level(v)));
  });

  test("black costs only the idle current", () => {
    const p = pipe(150, { power: { enabled: true } });
    p.process(new Float32Array(450), 0);
    expect(p.power).toMatchObject({ requestedMa: 150, ma: 150, limiting: false, scale: 1 });
    expect(p.power.watts).toBeCloseTo(0.75, 9);
  });

  test("over budget: duty is scaled so the frame draws exactly the budget; wire and preview follow", () => {
    // 150 LEDs of white at brightness 0.8: 150 + 150·60·0.8^2.2 ≈ 5,660 mA requested on 850.
    const s = settings({ strip: { ledCount: 150, colorOrder: "RGB" }, light: { dithering: false } });
    const p = new Pipeline(s);
    p.process(strip(150, [1, 1, 1]), 0);
    const duty = 0.8 ** 2.2;
    const active = 150 * 60 * duty;
    // The gamma table quantises input to 1/4096: allow that much relative error in the estimate.
    expect(Math.abs(p.power.requestedMa - (150 + active)) / active).toBeLessThan(2e-3);
    expect(p.power.ma).toBeCloseTo(850, 6);
    expect(p.power.watts).toBeCloseTo(4.25, 6);
    expect(p.power.limiting).toBe(true);
    const scale = 700 / active;
    expect(Math.abs(p.power.scale - scale) / scale).toBeLessThan(2e-3);
    // Every channel's duty is scaled by the same factor: byte = round(255 · duty · scale).
    expectLevels(p.frame, new Array(450).fill(255 * duty * scale));
    // The preview shows the same limit in screen terms: duty scale back through the inverse gamma.
    const prev = 255 * 0.8 * scale ** (1 / 2.2);
    for (const b of p.preview) expect(Math.abs(b - prev)).toBeLessThanOrEqual(0.51);
  });

  test("limiting keeps colour ratios in duty", () => {
    const p = pipe(100, { power: { enabled: true, budgetMa: 500 } });
    p.process(strip(100, [1, 0.6, 0.3]), 0);
    expect(p.power.limiting).toBe(true);
    const d = [1, 0.6 ** 2.2, 0.3 ** 2.2].map((x) => x * p.power.scale * 255);
    expectLevels(p.frame.subarray(0, 3), d);
  });

  test("switched off: nothing is scaled, but the estimate is still published", () => {
    const p = pipe(150, { power: { enabled: false } });
    p.process(strip(150, [1, 1, 1]), 0);
    expect(p.power.requestedMa).toBeCloseTo(150 + 150 * 60, 0);
    expect(p.power.ma).toBe(p.power.requestedMa);
    expect(p.power.limiting).toBe(false);
    expect(p.frame.every((b) => b === 255)).toBe(true);
  });

  test("exactly at budget is not limiting; one step over is", () => {
    // 10 LEDs red at full: 10 idle + 10·20 = 210 mA.
    const at = pipe(10, { power: { enabled: true, budgetMa: 210 } });
    at.process(strip(10, [1, 0, 0]), 0);
    expect(at.power.limiting).toBe(false);
    const over = pipe(10, { power: { enabled: true, budgetMa: 209 } });
    over.process(strip(10, [1, 0, 0]), 0);
    expect(over.power.limiting).toBe(true);
    expect(over.power.ma).toBeCloseTo(209, 6);
  });

  test("a budget below the idle current blacks the strip out rather than exceed it further", () => {
    const p = pipe(100, { power: { enabled: true, budgetMa: 50 } });
    p.process(strip(100, [1, 1, 1]), 0);
    expect(p.power.scale).toBe(0);
    expect(p.frame.every((b) => b === 0)).toBe(true);
    expect(p.power.ma).toBe(100);
  });

  test("RGBW: the white channel's current counts (add draws more than subtract for the same colour)", () => {
    const rgbw = (x: "add" | "subtract" | "none") => {
      const p = pipe(10, { strip: { ledType: "rgbw", colorOrder: "RGBW", whiteExtraction: x }, power: { enabled: true, budgetMa: 100_000 } });
      p.process(strip(10, [1, 1, 1]), 0);
      return p.power.requestedMa;
    };
    expect(rgbw("none")).toBeCloseTo(10 + 10 * 60, 6);
    expect(rgbw("subtract")).toBeCloseTo(10 + 10 * 20, 6);
    expect(rgbw("add")).toBeCloseTo(10 + 10 * 80, 6);
  });
});

describe("temporal dithering", () => {
  /** One LED at a given duty level below the dithering threshold (gamma 1, so duty = value). */
  function frames(v: number, count: number, opts: { dithering?: boolean; n?: number } = {}) {
    const n = opts.n ?? 1;
    const p = pipe(n, { light: { gamma: 1, dithering: opts.dithering ?? true } });
    const s = strip(n, [v, v, v]);
    const out: number[][] = [];
    for (let f = 0; f < count; f++) {
      p.process(s, f);
      out.push(Array.from(p.frame));
    }
    return out;
  }

  test("below 64 steps, the average over any 8 consecutive frames is the exact level (to 1/16 step), each frame one of its two neighbours", () => {
    // Levels chosen across the dithered range, including ones between eighths.
    for (const v of [0.3 / 255, 1.5 / 255, 2.25 / 255, 5.6 / 255, 10.375 / 255, 33.1 / 255, 63.4 / 255]) {
      // The duty the pipeline uses is the 4096-entry table's entry for v (gamma 1).
      const exact = (Math.round(v * 4096) / 4096) * 255;
      const fr = frames(v, 24);
      for (let start = 0; start <= 16; start++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let f = start; f < start + 8; f++) sum += fr[f][c];
          expect(Math.abs(sum / 8 - exact)).toBeLessThanOrEqual(1 / 16 + 1e-4);
        }
      }
      for (const f of fr) for (const b of f) expect(b === Math.floor(exact) || b === Math.ceil(exact)).toBe(true);
    }
  });

  test("over 8 frames a level x + f shows x + 1 in round(8·f) frames: eighths average out exactly", () => {
    for (const target of [3 + 1 / 8, 3 + 4 / 8, 7 + 7 / 8, 20 + 3 / 8]) {
      const v = target / 255;
      const exact = (Math.round(v * 4096) / 4096) * 255;
      const fr = frames(v, 8).map((f) => f[0]);
      const ups = fr.filter((b) => b === Math.ceil(exact)).length;
      expect(ups).toBe(Math.round((exact - Math.floor(exact)) * 8));
    }
  });

  test("black stays exactly black and full stays full in every frame", () => {
    for (const f of frames(0, 16)) expect(f).toEqual([0, 0, 0]);
    for (const f of frames(1, 16)) expect(f).toEqual([255, 255, 255]);
  });

  test("deterministic per frame index: the same frame index gives the same bytes, whatever came before", () => {
    const p = pipe(12, { light: { gamma: 1 } });
    const s = strip(12, [4.3 / 255, 9.7 / 255, 0.6 / 255]);
    p.process(s, 5);
    const first = Array.from(p.frame);
    for (const f of [0, 1, 2, 7, 100]) p.process(s, f);
    p.process(s, 5);
    expect(Array.from(p.frame)).toEqual(first);
    p.process(s, 13); // 13 ≡ 5 (mod 8)
    expect(Array.from(p.frame)).toEqual(first);
    const q = pipe(12, { light: { gamma: 1 } });
    q.process(s, 5);
    expect(Array.from(q.frame)).toEqual(first);
  });

  test("neighbouring LEDs are out of phase, so a flat low level does not flicker as one block", () => {
    const fr = frames(2.5 / 255, 1, { n: 8 })[0];
    const reds = fr.filter((_, i) => i % 3 === 0);
    expect(new Set(reds).size).toBe(2);
    expect(reds.reduce((a, b) => a + b, 0) / 8).toBeCloseTo((Math.round((2.5 / 255) * 4096) / 4096) * 255, 0);
  });

  test("at 64 steps and above, and with dithering off, each frame is simply rounded", () => {
    for (const v of [64.4 / 255, 100.6 / 255, 200.2 / 255]) {
      const fr = frames(v, 8);
      for (const f of fr) expect(f).toEqual(fr[0]);
      expect(fr[0][0]).toBe(Math.round((Math.round(v * 4096) / 4096) * 255));
    }
    const off = frames(10.5 / 255, 8, { dithering: false });
    for (const f of off) expect(f).toEqual(off[0]);
  });
});

describe("colour order and white extraction", () => {
  /** Bytes for R, G, B chosen to be distinct (gamma 1: 0.2 → 51, 0.6 → 153, 1 → 255). */
  const C = [0.2, 0.6, 1];

  test("whatever the strip's order (six RGB orders), the frame is R G B: the order is applied where the wire format is made", () => {
    expect(RGB_ORDERS.length).toBe(6);
    for (const order of RGB_ORDERS) {
      const p = pipe(3, { strip: { colorOrder: order }, light: { gamma: 1 } });
      p.process(strip(3, C), 0);
      expect(p.bytesPerLed).toBe(3);
      expect({ order, frame: Array.from(p.frame) }).toEqual({ order, frame: [51, 153, 255, 51, 153, 255, 51, 153, 255] });
      expect(Array.from(p.preview.subarray(0, 3))).toEqual([51, 153, 255]);
    }
  });

  test("six RGBW orders, white extraction none: R G B pass through, W stays 0", () => {
    expect(RGBW_ORDERS.length).toBe(6);
    for (const order of RGBW_ORDERS) {
      const p = pipe(2, { strip: { ledType: "rgbw", colorOrder: order, whiteExtraction: "none" }, light: { gamma: 1 } });
      p.process(strip(2, C), 0);
      expect(p.bytesPerLed).toBe(4);
      expect({ order, frame: Array.from(p.frame) }).toEqual({ order, frame: [51, 153, 255, 0, 51, 153, 255, 0] });
    }
  });

  test("white extraction subtract: W = min(R,G,B), taken out of R, G and B", () => {
    const p = pipe(1, { strip: { ledType: "rgbw", colorOrder: "GRBW", whiteExtraction: "subtract" }, light: { gamma: 1 } });
    p.process(Float32Array.from(C), 0);
    expect(Array.from(p.frame)).toEqual([0, 102, 204, 51]);
  });

  test("white extraction add: W = min(R,G,B), R, G and B unchanged", () => {
    const p = pipe(1, { strip: { ledType: "rgbw", colorOrder: "BGRW", whiteExtraction: "add" }, light: { gamma: 1 } });
    p.process(Float32Array.from(C), 0);
    expect(Array.from(p.frame)).toEqual([51, 153, 255, 51]);
  });

  test("white extraction works on duty after gamma (pure white → only the W channel when subtracting)", () => {
    const p = pipe(1, { strip: { ledType: "rgbw", colorOrder: "RGBW", whiteExtraction: "subtract" } });
    p.process(Float32Array.from([0.5, 0.5, 0.5]), 0);
    expect(Array.from(p.frame.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Math.abs(p.frame[3] - level(0.5))).toBeLessThanOrEqual(0.58);
    // A saturated colour has no white in it.
    p.process(Float32Array.from([1, 0, 0.5]), 0);
    expect(p.frame[3]).toBe(0);
  });

  test("an RGB strip ignores white extraction, and the schema pairs led types with orders", () => {
    const p = pipe(1, { strip: { whiteExtraction: "add" }, light: { gamma: 1 } });
    p.process(Float32Array.from(C), 0);
    expect(Array.from(p.frame)).toEqual([51, 153, 255]);
    expect(() => settings({ strip: { ledType: "rgbw", colorOrder: "GRB" } })).toThrow();
    expect(() => settings({ strip: { ledType: "rgb", colorOrder: "GRBW" } })).toThrow();
  });
});
