// parseEvents and Ingest: validation naming the field, ids and times stamped, redeliveries dropped.
import { describe, expect, test } from "bun:test";
import { EventBus } from "../../src/events/bus.ts";
import { Ingest, parseEvents } from "../../src/events/ingest.ts";
import { EventRing } from "../../src/events/ring.ts";
import { EVENT_TYPES, GameEventSchema, normalise, numericOf, VALUE_TYPES, type GameEvent } from "../../src/events/schema.ts";

describe("parseEvents", () => {
  test("one event or a batch; defaults filled in", () => {
    const one = parseEvents({ type: "kill" });
    expect(one).toEqual({ ok: true, events: [{ type: "kill", headshot: false, source: "api", game: "generic" } as never] });
    const many = parseEvents([{ type: "health", value: 50, game: "cs2" }, { type: "multikill", count: 3 }]);
    expect(many.ok && many.events.map((e) => e.type)).toEqual(["health", "multikill"]);
  });

  test("errors name the field, with the index in a batch", () => {
    const err = (b: unknown) => {
      const r = parseEvents(b);
      if (r.ok) throw new Error("expected an error");
      return r.error;
    };
    expect(err({ type: "boom" })).toMatch(/^type: unknown event type "boom"/);
    expect(err({})).toMatch(/^type: missing/);
    expect(err(null)).toMatch(/^type: missing/);
    expect(err([{ type: "kill" }, { type: "flashbang", intensity: 3 }])).toMatch(/^\[1\]\.intensity: /);
    expect(err([])).toMatch(/empty batch/);
    expect(err(Array.from({ length: 501 }, () => ({ type: "kill" })))).toMatch(/501 events is over the limit of 500/);
    expect(err({ type: "map_changed" })).toMatch(/^map: /);
    expect(err({ type: "custom", name: "" })).toMatch(/^name: /);
    expect(err({ type: "health", value: 1, source: "x".repeat(65) })).toMatch(/^source: /);
  });

  test("every type in EVENT_TYPES is in the schema, and every value type has a value", () => {
    for (const type of EVENT_TYPES) {
      const r = GameEventSchema.safeParse({ type });
      // Either it parses bare, or it fails on its own fields, never on the type.
      if (!r.success) expect(r.error.issues.every((i) => i.path[0] !== "type")).toBe(true);
    }
    for (const type of VALUE_TYPES) expect(GameEventSchema.safeParse({ type }).success).toBe(false);
  });
});

describe("numericOf and normalise", () => {
  const e = (x: Record<string, unknown>) => ({ id: "i", time: 1, source: "t", game: "g", ...x }) as unknown as GameEvent;
  test("values normalise against their default range or the event's own, clamped to 0–1", () => {
    expect(normalise(e({ type: "health", value: 25 }))).toBe(0.25);
    expect(normalise(e({ type: "ammo", value: 15 }))).toBe(0.5);
    expect(normalise(e({ type: "health", value: 150, max: 200 }))).toBe(0.75);
    expect(normalise(e({ type: "speed", value: 50, min: 40, max: 60 }))).toBe(0.5);
    expect(normalise(e({ type: "health", value: 120 }))).toBe(1);
    expect(normalise(e({ type: "health", value: -5 }))).toBe(0);
    // A span that overflows to Infinity gives Infinity / Infinity: NaN would stop the render loop.
    expect(normalise(e({ type: "health", value: 1e308, min: -1e308, max: 1e308 }))).toBe(0);
  });
  test("triggers give their magnitude; plain triggers none", () => {
    expect(numericOf(e({ type: "damage_taken", amount: 42 }))).toBe(42);
    expect(numericOf(e({ type: "multikill", count: 3 }))).toBe(3);
    expect(numericOf(e({ type: "flashbang", intensity: 0.4 }))).toBe(0.4);
    expect(numericOf(e({ type: "custom", name: "x", value: 7 }))).toBe(7);
    expect(numericOf(e({ type: "kill" }))).toBeUndefined();
  });
});

describe("Ingest", () => {
  const make = (now = () => 1_700_000_000_000) => {
    const bus = new EventBus(() => {});
    const ring = new EventRing(16);
    const published: GameEvent[] = [];
    bus.subscribe("spy", (e) => void published.push(e));
    return { ingest: new Ingest(bus, ring, now), ring, published };
  };
  const parsed = (b: unknown) => {
    const r = parseEvents(b);
    if (!r.ok) throw new Error(r.error);
    return r.events;
  };

  test("stamps an id and the wall time when absent, keeps them when given", () => {
    const { ingest, ring, published } = make();
    const ids = ingest.accept(parsed([{ type: "kill" }, { type: "kill", id: "mine", time: 5 }]));
    expect(ids[0]).toBe(`${ingest.bootId}-1`);
    expect(ids[1]).toBe("mine");
    expect(published.map((e) => e.time)).toEqual([1_700_000_000_000, 5]);
    expect(ring.since(0).map((n) => n.event.id)).toEqual(ids);
    expect(ingest.accepted).toBe(2);
  });

  test("drops redeliveries of an id, inside a batch and across calls", () => {
    const { ingest, published } = make();
    expect(ingest.accept(parsed([{ type: "kill", id: "a" }, { type: "kill", id: "a" }]))).toEqual(["a"]);
    expect(ingest.accept(parsed({ type: "kill", id: "a" }))).toEqual([]);
    expect(published).toHaveLength(1);
    expect(ingest.duplicates).toBe(2);
  });

  test("remembers a bounded window of ids: the oldest is forgotten first", () => {
    const { ingest } = make();
    ingest.accept(parsed({ type: "kill", id: "old" }));
    for (let i = 0; i < 4095; i++) ingest.accept(parsed({ type: "assist", id: `x${i}` }));
    expect(ingest.accept(parsed({ type: "kill", id: "old" }))).toEqual([]); // 4096 remembered: still there
    ingest.accept(parsed({ type: "assist", id: "one-more" }));
    expect(ingest.accept(parsed({ type: "kill", id: "old" }))).toEqual(["old"]);
  });
});
