// Meters: the displayed value as a closed-form function of time (smoothing, timeout), and the bar
// drawn from it (direction, partial edge pixel, gradient colour, background).
import { describe, expect, test } from "bun:test";
import { Meter } from "../../src/light/meter.ts";
import { darkEngine, expectFloats, expectLevels, level, meterSpec, plain, solid } from "./util.ts";

/** A meter drawing in white unless a gradient is given, so drawn red = coverage. */
const meter = (o: Record<string, unknown> = {}) => new Meter("m", meterSpec({ gradient: ["#ffffff"], ...o }));

/** Coverage of each pixel: draw over black with no background. */
function cover(m: Meter, t: number, n: number): number[] {
  const out = new Float32Array(n * 3);
  m.draw(t, n, out, new Float32Array(n * 3));
  return Array.from({ length: n }, (_, i) => out[i * 3]);
}

describe("value over time", () => {
  test("defaults: 150 ms smoothing, 10 s timeout back to 0, red→yellow→green", () => {
    const s = meterSpec();
    expect(s).toMatchObject({ direction: "forward", smoothingMs: 150, timeoutMs: 10_000, defaultValue: 0, segment: "*" });
    expect(s.gradient).toEqual([[1, 0, 0], [1, 1, 0], [0, 1, 0]]);
    expect(s.background).toBeUndefined();
  });

  test("starts at its default value", () => {
    expect(meter().valueAt(0)).toBe(0);
    expect(meter({ defaultValue: 0.7 }).valueAt(12345)).toBeCloseTo(0.7, 12);
  });

  test("approaches a new value exponentially with time constant smoothingMs", () => {
    const m = meter({ smoothingMs: 200 });
    m.set(1, 1000);
    expect(m.valueAt(1000)).toBe(0);
    expect(m.valueAt(1200)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(m.valueAt(1400)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(m.valueAt(5000)).toBeCloseTo(1, 6);
  });

  test("smoothing 0 jumps at once", () => {
    const m = meter({ smoothingMs: 0 });
    m.set(0.4, 100);
    expect(m.valueAt(100)).toBe(0.4);
    expect(m.valueAt(101)).toBe(0.4);
  });

  test("a new value mid-approach continues from what is shown, with no jump", () => {
    const m = meter({ smoothingMs: 100 });
    m.set(1, 0);
    const shown = m.valueAt(100);
    m.set(0, 100);
    expect(m.valueAt(100)).toBeCloseTo(shown, 12);
    expect(m.valueAt(200)).toBeCloseTo(shown * Math.exp(-1), 12);
  });

  test("values are clamped to 0–1", () => {
    const m = meter({ smoothingMs: 0 });
    m.set(7, 0);
    expect(m.valueAt(0)).toBe(1);
    m.set(-2, 0);
    expect(m.valueAt(0)).toBe(0);
  });

  test("with no new value for timeoutMs it returns to the default (smoothed), and a new value restarts the timer", () => {
    const m = meter({ smoothingMs: 100, timeoutMs: 1000, defaultValue: 0.2 });
    m.set(1, 0);
    const atTimeout = m.valueAt(1000);
    expect(atTimeout).toBeCloseTo(1 - 0.8 * Math.exp(-10), 9);
    expect(m.valueAt(999)).toBeGreaterThan(0.99);
    expect(m.valueAt(1100)).toBeCloseTo(0.2 + (atTimeout - 0.2) * Math.exp(-1), 9);
    expect(m.valueAt(10_000)).toBeCloseTo(0.2, 9);
    m.set(0.9, 900);
    expect(m.valueAt(1500)).toBeGreaterThan(0.89);
    expect(m.valueAt(1900)).toBeGreaterThan(0.89);
    expect(m.valueAt(5000)).toBeCloseTo(0.2, 6);
  });

  test("timeout 0 keeps the value for ever", () => {
    const m = meter({ smoothingMs: 0, timeoutMs: 0 });
    m.set(0.6, 0);
    expect(m.valueAt(1e9)).toBe(0.6);
  });

  test("the spec can change under a live meter (next draw uses it)", () => {
    const m = meter({ smoothingMs: 0, gradient: ["#ff0000"] });
    m.set(1, 0);
    m.spec = meterSpec({ smoothingMs: 0, gradient: ["#0000ff"] });
    const out = new Float32Array(3);
    m.draw(0, 1, out, new Float32Array(3));
    expectFloats(out, [0, 0, 1]);
  });
});

describe("drawing", () => {
  test("forward: v·n pixels lit from the start, the edge pixel covered by its fraction", () => {
    const m = meter({ smoothingMs: 0 });
    m.set(0.35, 0);
    expectFloats(cover(m, 0, 10), [1, 1, 1, 0.5, 0, 0, 0, 0, 0, 0]);
  });

  test("from/to confine the bar to part of the segment, in any direction; pixels outside are untouched", () => {
    const health = meter({ smoothingMs: 0, from: 0, to: 0.6 });
    health.set(0.5, 0);
    expectFloats(cover(health, 0, 10), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    const mana = meter({ smoothingMs: 0, from: 0.6, to: 1, direction: "reverse" });
    mana.set(0.5, 0);
    expectFloats(cover(mana, 0, 10), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const full = meter({ smoothingMs: 0, from: 0.6, to: 1 });
    full.set(1, 0);
    expectFloats(cover(full, 0, 10), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  test("reverse: the same bar from the far end", () => {
    const m = meter({ smoothingMs: 0, direction: "reverse" });
    m.set(0.35, 0);
    expectFloats(cover(m, 0, 10), [0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1]);
  });

  test("center: grows outwards from the middle, symmetric, even and odd lengths", () => {
    const m = meter({ smoothingMs: 0, direction: "center" });
    m.set(0.5, 0);
    expectFloats(cover(m, 0, 10), [0, 0, 0.5, 1, 1, 1, 1, 0.5, 0, 0]);
    m.set(0.6, 0);
    expectFloats(cover(m, 0, 9), [0, 0.2, 1, 1, 1, 1, 1, 0.2, 0]);
    // Odd length, small value: the middle pixel alone, covered by 2·lit (it spans ±0.5 around the centre).
    m.set(0.05, 0);
    expectFloats(cover(m, 0, 9), [0, 0, 0, 0, 0.45, 0, 0, 0, 0]);
    m.set(1, 0);
    expectFloats(cover(m, 0, 9), [1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test("an empty meter lights nothing and a full one everything, in every direction and length", () => {
    for (const direction of ["forward", "reverse", "center"]) {
      for (const n of [1, 2, 5, 9, 10]) {
        const m = meter({ smoothingMs: 0, direction });
        m.set(0, 0);
        expect(cover(m, 0, n)).toEqual(new Array(n).fill(0));
        m.set(1, 0);
        expect(cover(m, 0, n)).toEqual(new Array(n).fill(1));
      }
    }
  });

  test("total coverage is exactly v·n, and grows monotonically with v (every direction, even and odd n)", () => {
    for (const direction of ["forward", "reverse", "center"]) {
      for (const n of [1, 3, 5, 8, 9, 30]) {
        const m = meter({ smoothingMs: 0, direction });
        let prev: number[] = new Array(n).fill(0);
        for (let k = 0; k <= 40; k++) {
          const v = k / 40;
          m.set(v, 0);
          const c = cover(m, 0, n);
          expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(v * n, 4);
          for (let i = 0; i < n; i++) expect(c[i]).toBeGreaterThanOrEqual(prev[i] - 1e-6);
          prev = c;
        }
      }
    }
  });

  test("the bar's colour is the gradient sampled at the value", () => {
    const m = meter({ smoothingMs: 0, gradient: ["#ff0000", "#ffff00", "#00ff00"] });
    // Four pixels: pixel 0 is fully lit from v = 0.25 on, so it shows the colour itself.
    const colourAt = (v: number) => {
      m.set(v, 0);
      const out = new Float32Array(12);
      m.draw(0, 4, out, new Float32Array(12));
      return out.subarray(0, 3);
    };
    expectFloats(colourAt(0.25), [1, 0.5, 0]);
    expectFloats(colourAt(0.5), [1, 1, 0]);
    expectFloats(colourAt(0.75), [0.5, 1, 0]);
    expectFloats(colourAt(1), [0, 1, 0]);
  });

  test("without a background the layer beneath shows where the bar is empty; with one it covers it", () => {
    const n = 4;
    const m = meter({ smoothingMs: 0, gradient: ["#00ff00"] });
    m.set(0.25, 0);
    const under = Float32Array.from(solid(n, [0.2, 0.2, 0.2]));
    m.draw(0, n, under, new Float32Array(n * 3));
    expectFloats(under, [0, 1, 0, ...solid(3, [0.2, 0.2, 0.2])]);
    const bg = meter({ smoothingMs: 0, gradient: ["#00ff00"], background: "#000033" });
    bg.set(0.375, 0);
    const out = Float32Array.from(solid(n, [0.2, 0.2, 0.2]));
    bg.draw(0, n, out, new Float32Array(n * 3));
    expectFloats(out, [0, 1, 0, 0, 0.5, 0.1, ...solid(2, [0, 0, 0.2])]);
  });
});

describe("through the engine (analytic, gamma 2.2)", () => {
  test("a smoothed forward meter's bytes: gradient colour at the shown value × coverage", () => {
    const e = darkEngine(plain(10));
    e.setMeter("hp", meterSpec({ gradient: ["#ff0000", "#00ff00"], smoothingMs: 100 }), 0.6, 0);
    for (const t of [0, 50, 100, 300]) {
      const v = 0.6 * (1 - Math.exp(-t / 100));
      e.renderAt(t);
      const want: number[] = [];
      for (let i = 0; i < 10; i++) {
        const c = Math.max(0, Math.min(1, v * 10 - i));
        want.push(level((1 - v) * c), level(v * c), 0);
      }
      expectLevels(e.pipeline.frame, want);
    }
  });

  test("setMeter targets segments by name or *, and meters with different names stack", () => {
    const e = darkEngine(plain(8, { segments: [{ name: "a", start: 0, length: 4 }, { name: "b", start: 4, length: 4 }] }));
    expect(e.setMeter("x", meterSpec({ segment: "b", gradient: ["#ffffff"], smoothingMs: 0 }), 0.5, 0)).toEqual(["b"]);
    expect(e.setMeter("y", meterSpec({ segment: "*", direction: "reverse", gradient: ["#0000ff"], smoothingMs: 0 }), 0.25, 0)).toEqual(["a", "b"]);
    expect(e.setMeter("z", meterSpec({ segment: "nope" }), 1, 0)).toEqual([]);
    e.renderAt(0);
    const w = 255;
    expect(Array.from(e.pipeline.frame)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, w,
      w, w, w, w, w, w, 0, 0, 0, 0, 0, w,
    ]);
  });
});
