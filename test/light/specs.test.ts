// API-facing schemas for effects, the base layer and meters: defaults and bounds.
import { describe, expect, test } from "bun:test";
import { BaseChangeSchema, EffectSpecSchema, MeterSpecSchema, SegmentRef } from "../../src/light/specs.ts";

describe("EffectSpecSchema", () => {
  test("only the effect is required; shared defaults fill the rest, effect-specific ones stay unset", () => {
    expect(EffectSpecSchema.parse({ effect: "sweep" })).toEqual({
      effect: "sweep", segment: "*", intensity: 1, priority: 50, blend: "normal", width: 0.25, reverse: false,
    });
  });

  test("bounds: duration 16 ms – 5 min, fades ≤ 60 s, 1–8 colours, hz ≤ 30, width 0.01–1", () => {
    const ok = (o: object) => EffectSpecSchema.safeParse({ effect: "flash", ...o }).success;
    expect(ok({ durationMs: 16 })).toBe(true);
    expect(ok({ durationMs: 300_000 })).toBe(true);
    expect(ok({ durationMs: 300_001 })).toBe(false);
    expect(ok({ durationMs: 10.5 })).toBe(false);
    expect(ok({ fadeOutMs: 60_001 })).toBe(false);
    expect(ok({ colors: [] })).toBe(false);
    expect(ok({ colors: new Array(9).fill("#ffffff") })).toBe(false);
    expect(ok({ hz: 30 })).toBe(true);
    expect(ok({ hz: -1 })).toBe(false);
    expect(ok({ width: 0 })).toBe(false);
    expect(ok({ blend: "multiply" })).toBe(false);
  });
});

describe("SegmentRef", () => {
  test("a segment name or *", () => {
    for (const good of ["*", "main", "left-1", "a_b", "0"]) expect(SegmentRef.safeParse(good).success).toBe(true);
    for (const bad of ["", "Main", "-x", "**", "a b", "x".repeat(33)]) expect(SegmentRef.safeParse(bad).success).toBe(false);
  });
});

describe("BaseChangeSchema", () => {
  test("every base field is optional (only given fields change); segment and transition have defaults", () => {
    expect(BaseChangeSchema.parse({})).toEqual({ segment: "*", transitionMs: 500 });
    expect(BaseChangeSchema.parse({ level: 0.4, colors: ["#000000"] })).toEqual({ segment: "*", transitionMs: 500, level: 0.4, colors: [[0, 0, 0]] });
    expect(BaseChangeSchema.safeParse({ hz: 11 }).success).toBe(false);
    expect(BaseChangeSchema.safeParse({ effect: "fire" }).success).toBe(false);
  });
});

describe("MeterSpecSchema", () => {
  test("a custom gradient replaces the default; background is optional", () => {
    expect(MeterSpecSchema.parse({ gradient: ["#0000ff"] }).gradient).toEqual([[0, 0, 1]]);
    expect(MeterSpecSchema.parse({ background: "#010101" }).background).toEqual([1 / 255, 1 / 255, 1 / 255]);
    expect(MeterSpecSchema.safeParse({ direction: "sideways" }).success).toBe(false);
    expect(MeterSpecSchema.safeParse({ defaultValue: 1.5 }).success).toBe(false);
  });
});
