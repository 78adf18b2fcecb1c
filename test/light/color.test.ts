// Colours: parsing (hex or bytes), hex output, gradient sampling, HSV.
import { describe, expect, test } from "bun:test";
import { ColorSchema, hsv, sampleGradient, toHex } from "../../src/light/color.ts";
import { expectFloats } from "./util.ts";

describe("ColorSchema", () => {
  test("accepts #rrggbb, rrggbb and [r, g, b] bytes, giving 0–1 floats", () => {
    expect(ColorSchema.parse("#ff8000")).toEqual([1, 128 / 255, 0]);
    expect(ColorSchema.parse("FF8000")).toEqual([1, 128 / 255, 0]);
    expect(ColorSchema.parse([255, 128, 0])).toEqual([1, 128 / 255, 0]);
  });

  test("rejects anything else with a clear message", () => {
    for (const bad of ["#fff", "red", "#gg0000", [256, 0, 0], [1, 2], [1.5, 0, 0], [-1, 0, 0]]) expect(ColorSchema.safeParse(bad).success).toBe(false);
    expect(ColorSchema.safeParse("#fff").error!.issues.map((i) => i.message).join()).toContain("#rrggbb");
  });

  test("toHex round-trips and clamps", () => {
    for (const h of ["#000000", "#ffffff", "#ff6a00", "#102030"]) expect(toHex(ColorSchema.parse(h))).toBe(h);
    expect(toHex([2, -1, 0.5])).toBe("#ff0080");
  });
});

describe("sampleGradient", () => {
  test("one stop is that colour everywhere; two or more interpolate linearly between evenly spaced stops", () => {
    const out = new Float32Array(6);
    sampleGradient([[0.1, 0.2, 0.3]], 0.7, out, 3);
    expectFloats(out, [0, 0, 0, 0.1, 0.2, 0.3]);
    const stops = [[1, 0, 0], [0, 1, 0], [0, 0, 1]] as const;
    for (const [f, c] of [[0, [1, 0, 0]], [0.25, [0.5, 0.5, 0]], [0.5, [0, 1, 0]], [0.75, [0, 0.5, 0.5]], [1, [0, 0, 1]], [-3, [1, 0, 0]], [9, [0, 0, 1]]] as const) {
      sampleGradient(stops, f, out, 0);
      expectFloats(out.subarray(0, 3), c);
    }
    // A NaN position is the first stop, not a throw inside the render loop.
    sampleGradient(stops, NaN, out, 0);
    expectFloats(out.subarray(0, 3), [1, 0, 0]);
  });
});

describe("hsv", () => {
  test("the six primary and secondary hues, saturation and value, and hue wrapping", () => {
    const at = (h: number, s = 1, v = 1) => {
      const out = new Float32Array(3);
      hsv(h, s, v, out, 0);
      return out;
    };
    expectFloats(at(0), [1, 0, 0]);
    expectFloats(at(1 / 6), [1, 1, 0]);
    expectFloats(at(2 / 6), [0, 1, 0]);
    expectFloats(at(3 / 6), [0, 1, 1]);
    expectFloats(at(4 / 6), [0, 0, 1]);
    expectFloats(at(5 / 6), [1, 0, 1]);
    expectFloats(at(1 / 12), [1, 0.5, 0]);
    expectFloats(at(1.25), at(0.25));
    expectFloats(at(-0.75), at(0.25));
    expectFloats(at(0.3, 0), [1, 1, 1]);
    expectFloats(at(0.3, 0.5, 0.4), at(0.3, 0.5, 1).map((x) => x * 0.4));
  });
});
