// The director: which mappings fire for an event, and what they ask of the engine.
import { describe, expect, test } from "bun:test";
import { defaultSettings } from "../../src/config/schema.ts";
import { Director } from "../../src/director/director.ts";
import { compare, MappingInputSchema, type Mapping, type MappingInput } from "../../src/director/mapping.ts";
import type { GameEvent } from "../../src/events/schema.ts";
import { Engine } from "../../src/light/engine.ts";
import type { EffectSpec, MeterSpec } from "../../src/light/specs.ts";

/** Records what the director asks for; its clock is set by the test. */
class FakeEngine {
  t = 0;
  triggers: EffectSpec[] = [];
  meters: { name: string; spec: MeterSpec; value: number }[] = [];
  refuse: string | null = null;
  now() {
    return this.t;
  }
  trigger(spec: EffectSpec) {
    if (this.refuse) return { ok: false as const, reason: this.refuse };
    this.triggers.push(spec);
    return { ok: true as const, segments: ["main"] };
  }
  setMeter(name: string, spec: MeterSpec, value: number) {
    this.meters.push({ name, spec, value });
    return ["main"];
  }
}

let idn = 0;
const mapping = (m: MappingInput): Mapping => ({ ...MappingInputSchema.parse(m), id: `m${++idn}`, preset: null });
const ev = (x: Record<string, unknown>) => ({ id: `e${++idn}`, time: 1, source: "t", game: "generic", ...x }) as unknown as GameEvent;
const setup = (...ms: MappingInput[]) => {
  const engine = new FakeEngine();
  const d = new Director(engine as unknown as Engine, ms.map(mapping));
  return { engine, d };
};
const flash = (extra: Record<string, unknown> = {}) => ({ kind: "effect" as const, effect: "flash" as const, ...extra });

describe("Director", () => {
  test("fires the mappings of the event's type only; disabled ones never", () => {
    const { engine, d } = setup(
      { name: "k", event: "kill", action: flash({ colors: ["#ffffff"] }) },
      { name: "k off", event: "kill", enabled: false, action: flash({ colors: ["#ff0000"] }) },
      { name: "d", event: "death", action: flash() },
    );
    d.handle(ev({ type: "kill", headshot: false }));
    expect(engine.triggers).toHaveLength(1);
    expect(engine.triggers[0].colors).toEqual([[1, 1, 1]]);
    d.handle(ev({ type: "assist" }));
    expect(engine.triggers).toHaveLength(1);
    expect(d.triggered).toBe(1);
  });

  test("a game filter passes only that game's events", () => {
    const { engine, d } = setup({ name: "cs", event: "kill", game: "cs2", action: flash() });
    d.handle(ev({ type: "kill", game: "dota2" }));
    expect(engine.triggers).toHaveLength(0);
    d.handle(ev({ type: "kill", game: "cs2" }));
    expect(engine.triggers).toHaveLength(1);
  });

  test("a condition compares a value's 0–1 fraction, or a trigger's amount", () => {
    const { engine, d } = setup(
      { name: "low", event: "health", condition: { op: "<", value: 0.3 }, action: flash() },
      { name: "big hit", event: "damage_taken", condition: { op: ">=", value: 50 }, action: flash() },
      { name: "no number", event: "kill", condition: { op: ">", value: 0 }, action: flash() },
    );
    d.handle(ev({ type: "health", value: 40 }));
    d.handle(ev({ type: "health", value: 60, max: 200 })); // 0.3, not < 0.3
    expect(engine.triggers).toHaveLength(0);
    d.handle(ev({ type: "health", value: 29 }));
    expect(engine.triggers).toHaveLength(1);
    d.handle(ev({ type: "damage_taken", amount: 49.9 }));
    d.handle(ev({ type: "damage_taken", amount: 50 }));
    expect(engine.triggers).toHaveLength(2);
    // An event without a number never meets a condition.
    d.handle(ev({ type: "kill", headshot: true }));
    expect(engine.triggers).toHaveLength(2);
  });

  test("match compares event fields", () => {
    const { engine, d } = setup(
      { name: "hs", event: "kill", match: { headshot: true }, action: flash({ colors: ["#ffd000"] }) },
      { name: "won", event: "round_end", match: { result: "win" }, action: flash({ colors: ["#00ff00"] }) },
    );
    d.handle(ev({ type: "kill", headshot: false }));
    d.handle(ev({ type: "round_end", result: "loss" }));
    expect(engine.triggers).toHaveLength(0);
    d.handle(ev({ type: "kill", headshot: true }));
    d.handle(ev({ type: "round_end", result: "win" }));
    expect(engine.triggers).toHaveLength(2);
  });

  test("cooldown ignores matches for that long after firing, by engine time", () => {
    const { engine, d } = setup({ name: "warn", event: "health", cooldownMs: 1000, action: flash() });
    const fire = (t: number) => {
      engine.t = t;
      d.handle(ev({ type: "health", value: 10 }));
      return engine.triggers.length;
    };
    expect(fire(5000)).toBe(1);
    expect(fire(5500)).toBe(1);
    expect(fire(5999)).toBe(1);
    expect(fire(6000)).toBe(2);
    expect(fire(6100)).toBe(2);
    // Reloading the mappings forgets the cooldowns.
    d.load([mapping({ name: "warn", event: "health", cooldownMs: 1000, action: flash() })]);
    expect(fire(6200)).toBe(3);
  });

  test("scaleByValue scales intensity by the event's 0–1 number", () => {
    const { engine, d } = setup(
      { name: "fb", event: "flashbang", action: flash({ scaleByValue: true, intensity: 0.8 }) },
      { name: "fb plain", event: "flashbang", action: flash({ intensity: 0.8 }) },
    );
    d.handle(ev({ type: "flashbang", intensity: 0.5 }));
    expect(engine.triggers.map((s) => s.intensity)).toEqual([0.4, 0.8]);
    expect(engine.triggers[0]).not.toHaveProperty("scaleByValue");
    expect(engine.triggers[0]).not.toHaveProperty("kind");
  });

  test("a meter mapping binds the value to a meter named after the event, or its own name", () => {
    const { engine, d } = setup(
      { name: "hp", event: "health", action: { kind: "meter", gradient: ["#ff0000", "#00ff00"] } },
      { name: "blind", event: "flash", action: { kind: "meter", meter: "blind", direction: "center" } },
      { name: "door", event: "custom", match: { name: "door" }, action: { kind: "meter" } },
    );
    d.handle(ev({ type: "health", value: 75 }));
    d.handle(ev({ type: "flash", value: 51 }));
    d.handle(ev({ type: "custom", name: "door" })); // no value: nothing to show
    d.handle(ev({ type: "custom", name: "door", value: 0.5 }));
    expect(engine.meters.map((m) => [m.name, m.value])).toEqual([["health", 0.75], ["blind", 0.2], ["custom", 0.5]]);
    expect(engine.meters[0].spec.gradient).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(engine.meters[1].spec.direction).toBe("center");
    expect(engine.meters[0].spec).not.toHaveProperty("kind");
    expect(engine.triggers).toEqual([]);
  });

  test("a trigger the engine refuses is counted and described by mapping name", () => {
    const { engine, d } = setup({ name: "Kill", event: "kill", action: flash() });
    engine.refuse = "photosensitivity guard: flash rate limit reached";
    d.handle(ev({ type: "kill" }));
    expect(d.skipped).toBe(1);
    expect(d.lastProblem).toBe('mapping "Kill": photosensitivity guard: flash rate limit reached');
  });

  test("with a real engine, an event puts the effect and the meter on the scene", () => {
    let now = 1000;
    const engine = new Engine(defaultSettings(), () => now);
    const d = new Director(engine, [
      mapping({ name: "k", event: "kill", action: flash({ durationMs: 500 }) }),
      mapping({ name: "hp", event: "health", action: { kind: "meter", smoothingMs: 0 } }),
    ]);
    d.handle(ev({ type: "kill" }));
    d.handle(ev({ type: "health", value: 30 }));
    now = 1100;
    const seg = engine.scene.describe(now)[0];
    expect(seg.effects).toEqual([expect.objectContaining({ effect: "flash", remainingMs: 400 })]);
    expect(seg.meters).toEqual([{ name: "health", value: 0.3 }]);
  });
});

describe("mapping conditions", () => {
  test("compare implements each operator", () => {
    const c = (op: "<" | "<=" | ">" | ">=" | "==" | "!=", value: number) => [0.2, 0.5, 0.8].map((x) => compare({ op, value }, x));
    expect(c("<", 0.5)).toEqual([true, false, false]);
    expect(c("<=", 0.5)).toEqual([true, true, false]);
    expect(c(">", 0.5)).toEqual([false, false, true]);
    expect(c(">=", 0.5)).toEqual([false, true, true]);
    expect(c("==", 0.5)).toEqual([false, true, false]);
    expect(c("!=", 0.5)).toEqual([true, false, true]);
  });
});
