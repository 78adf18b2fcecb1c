// The director: which mappings fire for an event, and what they ask of the engine.
import { describe, expect, test } from "bun:test";
import { defaultSettings } from "../../src/config/schema.ts";
import { Director } from "../../src/director/director.ts";
import { runLength } from "../../src/director/holds.ts";
import { describeIssues } from "../../src/util/validation.ts";
import { compare, MappingInputSchema, type Mapping, type MappingInput } from "../../src/director/mapping.ts";
import type { GameEvent } from "../../src/events/schema.ts";
import { Engine } from "../../src/light/engine.ts";
import { EffectSpecSchema, type EffectSpec, type MeterSpec } from "../../src/light/specs.ts";

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

describe("held mappings (the real engine, an injected clock)", () => {
  const LOW = {
    name: "Low health warning", event: "health" as const, condition: [{ op: ">" as const, value: 0 }, { op: "<" as const, value: 0.25 }],
    action: { kind: "hold" as const, effect: "pulse" as const, colors: ["#ff0000"], hz: 1, durationMs: 2000, priority: 20, timeoutMs: 60_000 },
  };
  const FRAME = 1000 / 60;

  function stage(...extra: MappingInput[]) {
    const clock = { t: 1000 };
    const engine = new Engine(defaultSettings(), () => clock.t);
    const d = new Director(engine, [mapping(LOW), ...extra.map(mapping)]);
    /** Frames up to `to`: prune and the director's tick, as the engine's loop does; `each` sees every frame. */
    const run = (to: number, each: (t: number) => void = () => {}) => {
      while (clock.t + FRAME <= to) {
        clock.t += FRAME;
        engine.scene.prune(clock.t);
        d.tick();
        each(clock.t);
      }
      clock.t = to;
    };
    const health = (value: number) => d.handle(ev({ type: "health", value, game: "cs2" }));
    const pulses = () => engine.scene.segments[0].active(clock.t).filter((i) => i.def.id === "pulse");
    return { clock, engine, d, run, health, pulses };
  }

  test("health at 20% keeps the pulse on, beat after beat, long past its own 2 s; health back to 50% ends it at once", () => {
    const { clock, engine, d, run, health, pulses } = stage();
    health(20);
    expect(pulses().length).toBe(1);
    const dark: number[] = [];
    run(31_000, (t) => {
      if (pulses().length !== 1) dark.push(t);
    });
    expect(dark).toEqual([]);
    health(50);
    expect(pulses()).toEqual([]);
    expect(engine.scene.describe(clock.t)[0].effects).toEqual([]);
    expect(d.skipped).toBe(0);
  });

  test("the beat stays even across runs: every run starts where the last ended, and the light at a run's start is the light of any beat", () => {
    const { clock, engine, run, health } = stage();
    health(20);
    const starts = new Set<number>();
    run(21_000, () => {
      for (const i of engine.scene.segments[0].active(clock.t)) starts.add(i.startMs);
    });
    expect([...starts]).toEqual(Array.from({ length: 10 }, (_, k) => 1000 + k * 2000));
    const red = (t: number) => {
      const strip = new Float32Array(engine.settings.strip.ledCount * 3);
      engine.scene.render(t, strip);
      return strip[0];
    };
    // The beat at 20 s (the second of the run from 19 s) and at 21 s (the first of the next run): the same peak, the same decay.
    expect([red(21_000), red(21_500), red(21_999)]).toEqual([red(20_000), red(20_500), red(20_999)]);
    expect(red(21_000)).toBeGreaterThan(red(21_500));
    expect(clock.t).toBe(21_000);
  });

  test("more low values do not restart it; dead (0) is not low: it ends, and stays off after a respawn at full health", () => {
    const { run, health, pulses } = stage();
    health(20);
    const first = pulses()[0].seq;
    run(1500);
    health(15);
    run(1900);
    health(10);
    expect(pulses()[0].seq).toBe(first);
    health(0);
    expect(pulses()).toEqual([]);
    run(5000);
    health(100);
    run(8000);
    expect(pulses()).toEqual([]);
  });

  test("the value times out: with no new value for timeoutMs the hold ends; a new low value starts it again", () => {
    const { run, health, pulses } = stage();
    health(20);
    run(1000 + 59_000);
    expect(pulses().length).toBe(1);
    run(1000 + 60_000 + 20);
    expect(pulses()).toEqual([]);
    health(20);
    expect(pulses().length).toBe(1);
  });

  test("photosensitivity guard: ten minutes held is never refused, a kill flash always fits beside it, and the held flashes booked after it ends are gone within a run", () => {
    const { clock, engine, d, run, health, pulses } = stage({ name: "Kill", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#ffffff"], durationMs: 250, priority: 60 } });
    health(20);
    let killsRefused = 0;
    let next = 3000;
    run(1000 + 600_000, (t) => {
      // Health drifts a little every 30 s: the value keeps coming, so the hold does not time out.
      if (Math.floor(t / 30_000) !== Math.floor((t - FRAME) / 30_000)) health(20 + (Math.floor(t / 30_000) % 3));
      if (t >= next) {
        next += 4321;
        const before = d.skipped;
        d.handle(ev({ type: "kill" }));
        if (d.skipped > before) killsRefused++;
      }
      if (pulses().length !== 1) throw new Error(`no pulse at ${t}`);
    });
    expect(killsRefused).toBe(0);
    expect(d.skipped).toBe(0);
    expect(engine.stats().guardBlockedFlashes).toBe(0);
    health(60);
    const ended = clock.t;
    // A 3 Hz strobe books three flashes in one second: room for it once the hold's bookings are
    // over — within one run and the quarter second a next run may have been booked ahead.
    clock.t = ended + 2000 + 250;
    expect(engine.trigger({ ...EffectSpecSchema.parse({ effect: "strobe", hz: 3, durationMs: 1000 }) }).ok).toBe(true);
  });

  test("a run the guard refuses (a 3 Hz strobe filling the second) is counted once, and the pulse comes back when there is room", () => {
    const { clock, engine, d, run, health, pulses } = stage();
    expect(engine.trigger(EffectSpecSchema.parse({ effect: "strobe", hz: 3, durationMs: 1000 })).ok).toBe(true);
    health(20);
    expect(pulses()).toEqual([]);
    expect(d.lastProblem).toBe('mapping "Low health warning": photosensitivity guard: flash rate limit reached');
    let back = 0;
    run(4000, (t) => {
      if (!back && pulses().length) back = t;
    });
    expect(d.skipped).toBe(1);
    expect(back).toBeGreaterThan(1000);
    expect(back).toBeLessThanOrEqual(2000 + 250 + FRAME);
    expect(pulses().length).toBe(1);
    expect(clock.t).toBe(4000);
  });

  test("ending a hold ends only its own runs: another mapping's pulse plays on", () => {
    const { engine, d, health, pulses } = stage({ name: "Enemy objective", event: "objective", action: { kind: "effect", effect: "pulse", colors: ["#ff0040"], durationMs: 1500, hz: 2, priority: 70 } });
    health(20);
    d.handle(ev({ type: "objective", kind: "roshan", ally: false }));
    expect(pulses().length).toBe(2);
    health(90);
    expect(pulses().map((i) => i.priority)).toEqual([70]);
    expect(engine.scene.describe(1000)[0].effects.map((e) => e.priority)).toEqual([70]);
  });

  test("reloading the mappings keeps an unchanged hold running and ends a changed or removed one", () => {
    const { d, health, pulses } = stage();
    health(20);
    const seq = pulses()[0].seq;
    const same = { ...mapping(LOW), id: "m-low" };
    d.load([same]);
    expect(pulses()).toEqual([]); // another id: a different mapping
    health(20);
    const again = pulses()[0].seq;
    expect(again).not.toBe(seq);
    d.load([{ ...same }]);
    expect(pulses()[0].seq).toBe(again);
    d.load([{ ...same, action: { ...same.action, colors: [[0, 0, 1]] } } as Mapping]);
    expect(pulses()).toEqual([]);
    d.load([]);
    health(20);
    expect(pulses()).toEqual([]);
  });

  test("a run is the effect's duration in whole cycles (as given without a rate)", () => {
    expect(runLength(EffectSpecSchema.parse({ effect: "pulse", hz: 1, durationMs: 1500 }))).toBe(2000);
    expect(runLength(EffectSpecSchema.parse({ effect: "pulse", hz: 2, durationMs: 200 }))).toBe(500);
    expect(runLength(EffectSpecSchema.parse({ effect: "breathing" }))).toBe(4000);
    expect(runLength(EffectSpecSchema.parse({ effect: "sweep", durationMs: 700 }))).toBe(700);
  });

  test("the schema: a hold needs a condition, a value event and no cooldown; a condition may be a range", () => {
    const bad = (m: Record<string, unknown>) => {
      const r = MappingInputSchema.safeParse({ ...LOW, ...m });
      return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(bad({})).toBeNull();
    expect(bad({ condition: undefined })).toEqual(["condition: a hold needs a condition: the effect runs while the value meets it"]);
    expect(bad({ event: "kill" })).toEqual(["action.kind: a hold needs a continuous value event (health, fuel, …) or a custom event with a value"]);
    expect(bad({ cooldownMs: 2000 })).toEqual(["cooldownMs: a hold has no cooldown: it runs while its condition holds"]);
    expect(bad({ action: { ...LOW.action, timeoutMs: 0 } })).not.toBeNull();
    // A wrong condition names its field, inside the list too (not the union's bare "Invalid input").
    const why = (condition: unknown) => describeIssues(MappingInputSchema.safeParse({ ...LOW, condition }).error!);
    expect(why([{ op: ">", value: 0 }, { op: "<<", value: 0.25 }])).toBe('condition.1.op: Invalid option: expected one of "<"|"<="|">"|">="|"=="|"!="');
    expect(why({ op: "<", value: "low" })).toBe("condition.value: Invalid input: expected number, received string");
    expect(why(5)).toBe("condition: Invalid input: expected object or array");
    expect(compare([{ op: ">", value: 0 }, { op: "<", value: 0.25 }], 0)).toBe(false);
    expect(compare([{ op: ">", value: 0 }, { op: "<", value: 0.25 }], 0.2)).toBe(true);
  });
});
