// Effects: each effect's render function on its own, then analytic wire bytes through the
// engine (colour × coverage × envelope, through gamma 2.2) with brightness 1 and no dithering.
import { describe, expect, test } from "bun:test";
import type { RGB } from "../../src/light/color.ts";
import { EFFECT_IDS, EFFECTS, effectById } from "../../src/light/effects/index.ts";
import { cycle, fill, phase, type EffectDef, type EffectParams } from "../../src/light/effects/types.ts";
import { EffectSpecSchema } from "../../src/light/specs.ts";
import { darkEngine, expectFloats, expectLevels, fx, level, plain } from "./util.ts";

const RED: RGB = [1, 0, 0];
const BLUE: RGB = [0, 0, 1];
const WHITE: RGB = [1, 1, 1];

function params(p: Partial<EffectParams>): EffectParams {
  return { colors: [WHITE], durationMs: 1000, hz: 1, width: 0.25, reverse: false, ...p };
}

/** Runs def.render into fresh buffers pre-filled with NaN, so unwritten pixels show. */
function run(def: EffectDef, p: EffectParams, t: number, n: number) {
  const rgb = new Float32Array(n * 3).fill(NaN);
  const alpha = new Float32Array(n).fill(NaN);
  def.render(p, t, n, rgb, alpha);
  return { rgb, alpha };
}

const eff = (id: string) => effectById.get(id)!;
const frac = (x: number) => x - Math.floor(x);

describe("registry", () => {
  test("ids, registry and schema agree, one effect per id", () => {
    expect(EFFECTS.map((e) => e.id)).toEqual([...EFFECT_IDS]);
    expect(new Set(EFFECT_IDS).size).toBe(EFFECT_IDS.length);
    for (const id of EFFECT_IDS) expect(EffectSpecSchema.parse({ effect: id }).effect).toBe(id);
    expect(() => EffectSpecSchema.parse({ effect: "rainbow_vomit" })).toThrow();
  });

  test("flash counts once, strobe and pulse per cycle, the smooth effects not at all", () => {
    const by = Object.fromEntries(EFFECTS.map((e) => [e.id, e.flashes]));
    expect(by).toEqual({ flash: "once", strobe: "per-cycle", pulse: "per-cycle", sweep: "no", breathing: "no", color_shift: "no" });
  });

  test("every default is valid for the API schema (duration bounds, fades, hz, colours)", () => {
    for (const e of EFFECTS) {
      const d = e.defaults;
      // The schema itself judges the numbers (its bounds are not copied here)...
      const spec = { effect: e.id, durationMs: d.durationMs, fadeInMs: d.fadeInMs, fadeOutMs: d.fadeOutMs, hz: d.hz, colors: d.colors.map((c) => c.map((v) => Math.round(v * 255))) };
      expect({ id: e.id, issues: EffectSpecSchema.safeParse(spec).error?.issues ?? [] }).toEqual({ id: e.id, issues: [] });
      // ...and the colours are exact bytes, the fades fit the duration.
      for (const c of d.colors) for (const v of c) expect(Math.round(v * 255) / 255).toBeCloseTo(v, 9);
      expect(d.fadeInMs + d.fadeOutMs).toBeLessThanOrEqual(d.durationMs);
    }
  });
});

describe("render functions", () => {
  test("every effect writes every pixel with colours and coverage in 0–1, for any n, time and hz", () => {
    for (const e of EFFECTS) {
      for (const n of [1, 2, 7, 60]) {
        for (const hz of [0, 0.5, 3, 30]) {
          for (const t of [0, 1, 16.7, 99, 250, 333.3, 999]) {
            const { rgb, alpha } = run(e, params({ colors: [RED, [0, 1, 0.5], BLUE], hz, width: 0.3 }), t, n);
            for (const v of rgb) expect(v >= 0 && v <= 1).toBe(true);
            for (const v of alpha) expect(v >= 0 && v <= 1).toBe(true);
          }
        }
      }
    }
  });

  test("phase and cycle split local time into cycles", () => {
    expect(phase(0, 2)).toBe(0);
    expect(phase(250, 2)).toBe(0.5);
    expect(phase(500, 2)).toBe(0);
    expect(cycle(499, 2)).toBe(0);
    expect(cycle(500, 2)).toBe(1);
    expect(cycle(1250, 2)).toBe(2);
    expect(phase(1234, 0)).toBe(0);
    expect(cycle(1234, 0)).toBe(0);
  });

  test("fill writes one colour and one coverage everywhere", () => {
    const rgb = new Float32Array(9), alpha = new Float32Array(3);
    fill([0.25, 0.5, 0.75], 0.4, 3, rgb, alpha);
    expectFloats(rgb, [0.25, 0.5, 0.75, 0.25, 0.5, 0.75, 0.25, 0.5, 0.75]);
    expectFloats(alpha, [0.4, 0.4, 0.4]);
  });

  test("flash: the whole segment in the first colour, fully covered, at any time", () => {
    for (const t of [0, 100, 299]) {
      const { rgb, alpha } = run(eff("flash"), params({ colors: [[1, 0.5, 0.25], BLUE] }), t, 4);
      expectFloats(rgb, [1, 0.5, 0.25, 1, 0.5, 0.25, 1, 0.5, 0.25, 1, 0.5, 0.25]);
      expectFloats(alpha, [1, 1, 1, 1]);
    }
  });

  test("pulse: each beat rises at once and decays as exp(−5·phase); beats take the colours in turn", () => {
    const p = params({ colors: [RED, BLUE], hz: 2 });
    const cases: [number, RGB, number][] = [
      [0, RED, 1],
      [125, RED, Math.exp(-1.25)],
      [499, RED, Math.exp(-5 * 0.998)],
      [500, BLUE, 1],
      [750, BLUE, Math.exp(-2.5)],
      [1000, RED, 1],
    ];
    for (const [t, c, a] of cases) {
      const { rgb, alpha } = run(eff("pulse"), p, t, 3);
      expectFloats(rgb, [...c, ...c, ...c]);
      expectFloats(alpha, [a, a, a]);
    }
  });

  test("sweep: a parabolic band of width·n pixels crosses once per duration, colours spread across it", () => {
    // n = 10, width 0.2 → a 2-pixel band whose centre runs from −1 to 11 over the duration.
    const p = params({ colors: [RED, BLUE], width: 0.2, hz: 0, durationMs: 1200 });
    expect(run(eff("sweep"), p, 0, 10).alpha.every((a) => a === 0)).toBe(true);
    // Halfway: centre at 5, so pixels 4 and 5 (centres 4.5 and 5.5) are at d = ∓0.5.
    const { rgb, alpha } = run(eff("sweep"), p, 600, 10);
    expectFloats(alpha, [0, 0, 0, 0, 0.75, 0.75, 0, 0, 0, 0]);
    // The band's leading half takes the later colours: d = −0.5 → 25% along red→blue.
    expectFloats(rgb.subarray(12, 18), [0.75, 0, 0.25, 0.25, 0, 0.75]);
    // At t the centre is −1 + 12·t/1200; check coverage analytically at a few times.
    for (const t of [100, 250, 700, 1100, 1199]) {
      const centre = -1 + (12 * t) / 1200;
      const want = Array.from({ length: 10 }, (_, i) => Math.max(0, 1 - (i + 0.5 - centre) ** 2));
      expectFloats(run(eff("sweep"), p, t, 10).alpha, want);
    }
  });

  test("sweep: reverse runs from the far end; a very thin band never goes dark between pixels; hz > 0 repeats the crossing", () => {
    const fwd = params({ width: 0.3, hz: 0, durationMs: 1000 });
    const rev = { ...fwd, reverse: true };
    for (const t of [100, 400, 800]) {
      const a = run(eff("sweep"), fwd, t, 9).alpha, b = run(eff("sweep"), rev, t, 9).alpha;
      expectFloats(b, Array.from(a).reverse());
    }
    // width 0.01 of 10 pixels would be 0.1 px: the band is widened so that it never falls
    // between pixel centres and goes dark while it crosses the strip.
    const thinP = params({ width: 0.01, hz: 0, durationMs: 1000 });
    for (let t = 100; t <= 900; t += 12.5) expect(Math.max(...run(eff("sweep"), thinP, t, 10).alpha)).toBeGreaterThan(0.7);
    // hz 2: progress is (t·2/1000) mod 1, so 100 ms and 600 ms look the same, whatever the duration.
    const rep = params({ width: 0.3, hz: 2, durationMs: 5000 });
    expectFloats(run(eff("sweep"), rep, 100, 10).alpha, run(eff("sweep"), rep, 600, 10).alpha);
    expectFloats(run(eff("sweep"), rep, 100, 10).alpha, run(eff("sweep"), params({ width: 0.3, hz: 0, durationMs: 500 }), 100, 10).alpha);
  });

  test("color_shift: the segment glides first → last → first once per cycle, with no jump at the wrap", () => {
    const p = params({ colors: [RED, BLUE], hz: 1 });
    const at = (t: number) => run(eff("color_shift"), p, t, 2);
    const cases: [number, number][] = [[0, 0], [125, 0.25], [250, 0.5], [500, 1], [750, 0.5], [999, 0.002], [1000, 0]];
    for (const [t, f] of cases) {
      const c = [1 - f, 0, f];
      const { rgb, alpha } = at(t);
      expectFloats(rgb, [...c, ...c], 1e-4);
      expectFloats(alpha, [1, 1]);
    }
    // Three colours: halfway through the first half is the middle colour.
    const three = run(eff("color_shift"), params({ colors: [RED, [0, 1, 0], BLUE], hz: 1 }), 250, 1).rgb;
    expectFloats(three, [0, 1, 0]);
  });

  test("breathing: coverage 0.5 − 0.5·cos(2π·phase), starting dark", () => {
    const p = params({ colors: [[0, 0.4, 1]], hz: 0.5 });
    for (const t of [0, 250, 500, 1000, 1500, 2000, 3333]) {
      const a = 0.5 - 0.5 * Math.cos(2 * Math.PI * frac((t * 0.5) / 1000));
      const { rgb, alpha } = run(eff("breathing"), p, t, 2);
      expectFloats(alpha, [a, a]);
      expectFloats(rgb, [0, 0.4, 1, 0, 0.4, 1]);
    }
  });

  test("strobe: hard on for the first half of each cycle, off for the second, colours alternating per cycle", () => {
    const p = params({ colors: [WHITE, RED], hz: 4 });
    const cases: [number, RGB, number][] = [[0, WHITE, 1], [124, WHITE, 1], [125, WHITE, 0], [249, WHITE, 0], [250, RED, 1], [400, RED, 0], [500, WHITE, 1]];
    for (const [t, c, a] of cases) {
      const { rgb, alpha } = run(eff("strobe"), p, t, 2);
      expectFloats(alpha, [a, a]);
      expectFloats(rgb, [...c, ...c]);
    }
  });
});

/** Wire bytes (RGB order) of an engine with n LEDs showing one effect on black at t. */
function wireAt(spec: Record<string, unknown>, t: number, n = 6) {
  const e = darkEngine(plain(n));
  const r = e.trigger(fx(spec), 0);
  expect(r.ok).toBe(true);
  e.renderAt(t);
  return e.pipeline.frame;
}

/** Expected bytes: every LED the colour c × k through gamma 2.2. */
const every = (n: number, c: readonly number[], k: number) => Array.from({ length: n * 3 }, (_, i) => level(c[i % 3] * k));

describe("through the engine (analytic, gamma 2.2, brightness 1)", () => {
  const ORANGE = [1, 128 / 255, 64 / 255];

  test("flash with fadeOut: colour × envelope through gamma; dark before start and from its end", () => {
    const spec = { effect: "flash", colors: ["#ff8040"], durationMs: 400, fadeOutMs: 300 };
    for (const t of [0, 50, 100, 175, 250, 325, 399]) {
      const env = t < 100 ? 1 : (400 - t) / 300;
      expectLevels(wireAt(spec, t), every(6, ORANGE, env));
    }
    expect(Array.from(wireAt(spec, 400)).every((b) => b === 0)).toBe(true);
    expect(Array.from(wireAt(spec, -1)).every((b) => b === 0)).toBe(true);
  });

  test("flash with fadeIn and intensity: intensity × linear ramp in × linear ramp out", () => {
    const spec = { effect: "flash", colors: ["#ffffff"], durationMs: 1000, fadeInMs: 200, fadeOutMs: 400, intensity: 0.7 };
    for (const t of [0, 50, 100, 199, 200, 600, 700, 900, 999]) {
      const env = 0.7 * (t < 200 ? t / 200 : 1) * (t > 600 ? (1000 - t) / 400 : 1);
      expectLevels(wireAt(spec, t), every(6, [1, 1, 1], env));
    }
  });

  test("pulse: per-beat colour × exp(−5·phase)", () => {
    const spec = { effect: "pulse", colors: ["#ff0000", "#0000ff"], hz: 4, durationMs: 1000, fadeOutMs: 0 };
    for (const t of [0, 60, 125, 249, 250, 300, 500, 800, 990]) {
      const k = Math.floor((t * 4) / 1000);
      expectLevels(wireAt(spec, t), every(6, k % 2 ? [0, 0, 1] : [1, 0, 0], Math.exp(-5 * frac((t * 4) / 1000))));
    }
  });

  test("sweep: each pixel is its band coverage 1 − d² through gamma (white band)", () => {
    const spec = { effect: "sweep", colors: ["#ffffff"], width: 0.2, durationMs: 1200 };
    for (const t of [0, 150, 600, 900, 1199]) {
      const centre = -1 + (12 * t) / 1200;
      const want: number[] = [];
      for (let i = 0; i < 10; i++) {
        const a = Math.max(0, 1 - (i + 0.5 - centre) ** 2);
        want.push(level(a), level(a), level(a));
      }
      expectLevels(wireAt(spec, t, 10), want);
    }
  });

  test("color_shift: the looped gradient colour × envelope", () => {
    const spec = { effect: "color_shift", colors: ["#ff0000", "#0000ff"], hz: 0.5, durationMs: 2000, fadeInMs: 200, fadeOutMs: 300 };
    for (const t of [0, 100, 200, 500, 1000, 1500, 1800, 1999]) {
      const ph = frac((t * 0.5) / 1000);
      const f = ph < 0.5 ? ph * 2 : 2 - ph * 2;
      const env = (t < 200 ? t / 200 : 1) * (t > 1700 ? (2000 - t) / 300 : 1);
      expectLevels(wireAt(spec, t), every(6, [1 - f, 0, f], env));
    }
  });

  test("breathing: colour × (0.5 − 0.5·cos) × envelope", () => {
    const spec = { effect: "breathing", colors: ["#0066ff"], hz: 0.5, durationMs: 4000 };
    for (const t of [0, 100, 500, 1000, 2000, 3000, 3900, 3999]) {
      const a = 0.5 - 0.5 * Math.cos(2 * Math.PI * frac((t * 0.5) / 1000));
      const env = (t < 200 ? t / 200 : 1) * (t > 3800 ? (4000 - t) / 200 : 1);
      expectLevels(wireAt(spec, t), every(6, [0, 0.4, 1], a * env));
    }
  });

  test("strobe: full colour in the on half, black in the off half", () => {
    const spec = { effect: "strobe", colors: ["#ffffff", "#ff0000"], hz: 2, durationMs: 1000 };
    for (const t of [0, 249, 250, 499, 500, 749, 750, 999]) {
      const on = frac((t * 2) / 1000) < 0.5;
      const c = Math.floor((t * 2) / 1000) % 2 ? [1, 0, 0] : [1, 1, 1];
      expectLevels(wireAt(spec, t), every(6, c, on ? 1 : 0));
    }
  });

  test("unset parameters fall back to the effect's defaults", () => {
    for (const def of EFFECTS) {
      const e = darkEngine(plain(2));
      const spec = fx({ effect: def.id });
      expect(e.trigger(spec, 0).ok).toBe(true);
      const [seg] = e.scene.describe(0);
      expect(seg.effects).toEqual([{ effect: def.id, priority: 50, blend: "normal", remainingMs: def.defaults.durationMs }]);
    }
  });
});
