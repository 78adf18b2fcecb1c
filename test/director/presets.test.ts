// Presets are data: every one must be valid for the schemas the API and the director use.
import { describe, expect, test } from "bun:test";
import { MappingInputSchema } from "../../src/director/mapping.ts";
import { PRESETS, presetById } from "../../src/director/presets.ts";
import { BaseChangeSchema } from "../../src/light/specs.ts";

describe("presets", () => {
  test("the four presets of the issue, Game Servers and Match Day, with unique ids", () => {
    expect(PRESETS.map((p) => p.name)).toEqual(["FPS Combat", "MOBA Health", "Racing", "Generic Alert", "Game Servers", "Match Day"]);
    expect(presetById.size).toBe(PRESETS.length);
  });

  for (const p of PRESETS) {
    test(`${p.name}: every mapping and the base layer are valid`, () => {
      expect(p.mappings.length).toBeGreaterThan(0);
      for (const m of p.mappings) {
        const r = MappingInputSchema.safeParse(m);
        expect({ mapping: m.name, ok: r.success }).toEqual({ mapping: m.name, ok: true });
      }
      if (p.base) expect(BaseChangeSchema.safeParse(p.base).success).toBe(true);
      // Presets target every segment, so they work whatever segments the user made.
      for (const m of p.mappings) expect(MappingInputSchema.parse(m).action.segment).toBe("*");
    });
  }

  test("FPS Combat maps health to a meter and a kill to a white flash", () => {
    const fps = presetById.get("fps-combat")!;
    expect(fps.mappings.find((m) => m.event === "health" && m.action.kind === "meter")).toBeDefined();
    expect(fps.mappings.find((m) => m.event === "kill" && !m.match)!.action).toMatchObject({ kind: "effect", effect: "flash", colors: ["#ffffff"] });
  });
});

describe("FPS Combat flashbang", () => {
  test("the blind meter follows the flash fade all the way down to 0", async () => {
    const { Director } = await import("../../src/director/director.ts");
    const values: number[] = [];
    const engine = { now: () => 0, trigger: () => ({ ok: true, segments: [] }), setMeter: (name: string, _s: unknown, v: number) => void (name === "blind" && values.push(v)) };
    const fps = presetById.get("fps-combat")!;
    const d = new Director(engine as never, fps.mappings.map((m, i) => ({ ...MappingInputSchema.parse(m), id: `p${i}`, preset: fps.id })));
    for (const v of [255, 128, 30, 8, 0]) d.handle({ type: "flash", value: v, id: `f${v}`, time: 1, source: "t", game: "cs2" } as never);
    // The last value the meter was given is the real one: not a stale 30/255 held until the timeout.
    expect(values.at(-1)).toBe(0);
  });
});

describe("Match Day", () => {
  test("the countdown fills the meter as the start nears, and the start sweeps", async () => {
    const { Director } = await import("../../src/director/director.ts");
    const meter: number[] = [];
    const effects: string[] = [];
    const engine = {
      now: () => 0,
      trigger: (s: { effect: string }) => (effects.push(s.effect), { ok: true, segments: [] }),
      setMeter: (name: string, _s: unknown, v: number) => void (name === "countdown" && meter.push(v)),
    };
    const p = presetById.get("match-day")!;
    const d = new Director(engine as never, p.mappings.map((m, i) => ({ ...MappingInputSchema.parse(m), id: `p${i}`, preset: p.id })));
    for (const left of [1, 0.5, 0.1, 0]) d.handle({ type: "countdown", value: left, id: `c${left}`, time: 1, source: "schedule:x", game: "schedule" } as never);
    expect(meter).toEqual([0, 0.5, 0.9, 1]);
    d.handle({ type: "match_upcoming", minutes: 5, id: "u", time: 1, source: "schedule:x", game: "schedule" } as never);
    d.handle({ type: "match_start", id: "s", time: 1, source: "schedule:x", game: "schedule" } as never);
    expect(effects).toEqual(["pulse", "sweep"]);
    // A game's own match start (CS2 warm-up over) is not your scheduled match.
    d.handle({ type: "match_start", id: "g", time: 2, source: "gsi", game: "cs2" } as never);
    expect(effects).toEqual(["pulse", "sweep"]);
  });
});
