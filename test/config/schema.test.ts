// The settings schema: defaults that run without hardware, and the cross-field rules.
import { describe, expect, test } from "bun:test";
import { defaultSettings, effectiveSegments, RGB_ORDERS, RGBW_ORDERS, SettingsSchema } from "../../src/config/schema.ts";

const issues = (input: unknown) => {
  const r = SettingsSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("SettingsSchema", () => {
  test("defaults: virtual output, 150 RGB LEDs, 60 fps, a power budget at most WLED's 850 mA", () => {
    const s = defaultSettings();
    expect(s.strip).toEqual({ ledCount: 150, ledType: "rgb", colorOrder: "GRB", whiteExtraction: "subtract" });
    expect(s.render.fps).toBe(60);
    expect(s.outputs).toEqual([{ driver: "virtual", start: 0 }]);
    expect(s.light.power.budgetMa).toBeLessThanOrEqual(850);
    expect(s.light.power.channelMa.r + s.light.power.channelMa.g + s.light.power.channelMa.b).toBeGreaterThanOrEqual(55);
    expect(s.light.gamma).toBe(2.2);
    expect(s.light.dithering).toBe(true);
    expect(s.safety).toEqual({ flashGuard: true, maxFlashesPerSecond: 3 });
    expect(effectiveSegments(s)).toEqual([{ name: "main", start: 0, length: 150, reversed: false, mirrored: false }]);
  });

  test("all six RGB orders on RGB strips, their W variants on RGBW strips, never crossed", () => {
    expect(RGB_ORDERS).toHaveLength(6);
    for (const o of RGB_ORDERS) {
      expect(issues({ strip: { colorOrder: o } })).toEqual([]);
      expect(issues({ strip: { ledType: "rgbw", colorOrder: o } })).toEqual(["strip.colorOrder: an RGBW strip needs an order ending in W"]);
    }
    for (const o of RGBW_ORDERS) {
      expect(issues({ strip: { ledType: "rgbw", colorOrder: o } })).toEqual([]);
      expect(issues({ strip: { colorOrder: o } })).toEqual(["strip.colorOrder: an RGB strip needs a 3-letter order"]);
    }
  });

  test("bounds: 1–10000 LEDs, 1–240 fps", () => {
    expect(issues({ strip: { ledCount: 1 } })).toEqual([]);
    expect(issues({ strip: { ledCount: 10_000 } })).toEqual([]);
    expect(issues({ strip: { ledCount: 0 } })[0]).toMatch(/^strip\.ledCount/);
    expect(issues({ strip: { ledCount: 10_001 } })[0]).toMatch(/^strip\.ledCount/);
    expect(issues({ render: { fps: 1 } })).toEqual([]);
    expect(issues({ render: { fps: 240 } })).toEqual([]);
    expect(issues({ render: { fps: 0 } })[0]).toMatch(/^render\.fps/);
    expect(issues({ render: { fps: 241 } })[0]).toMatch(/^render\.fps/);
  });

  test("segments: inside the strip, unique names, no overlap unless allowed; touching is fine", () => {
    const seg = (name: string, start: number, length: number) => ({ name, start, length });
    expect(issues({ segments: [seg("a", 0, 75), seg("b", 75, 75)] })).toEqual([]);
    expect(issues({ segments: [seg("a", 0, 151)] })).toEqual(['segments.0: segment "a" ends at LED 151, past the strip\'s 150 LEDs']);
    expect(issues({ segments: [seg("b", 70, 80), seg("a", 0, 71)] })).toEqual(['segments: segments "a" and "b" overlap (set allowOverlappingSegments to allow it)']);
    expect(issues({ allowOverlappingSegments: true, segments: [seg("a", 0, 100), seg("b", 50, 100)] })).toEqual([]);
    expect(issues({ segments: [seg("a", 0, 10), seg("a", 20, 10)] })).toEqual(['segments.1.name: duplicate segment name "a"']);
  });

  test("outputs must lie inside the strip", () => {
    expect(issues({ outputs: [{ driver: "virtual", start: 0, length: 75 }, { driver: "virtual", start: 75 }] })).toEqual([]);
    expect(issues({ outputs: [{ driver: "virtual", start: 150 }] })).toEqual(["outputs.0: output range 150..150 is outside the strip's 150 LEDs"]);
    expect(issues({ outputs: [] })[0]).toMatch(/^outputs/);
  });

  test("unknown keys are refused at every level", () => {
    expect(issues({ stripp: {} })[0]).toMatch(/Unrecognized key/);
    expect(issues({ light: { power: { volt: 5 } } })[0]).toMatch(/^light\.power: Unrecognized key/);
  });
});
