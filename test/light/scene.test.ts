// The scene: segment targeting, the one place effects are admitted (defaults, fades, guard,
// capacity), base and meter changes, and the state description.
import { describe, expect, test } from "bun:test";
import { effectById } from "../../src/light/effects/index.ts";
import { Scene } from "../../src/light/scene.ts";
import { baseChange, baseSpec, darkScene, expectFloats, fx, meterSpec, plain, sceneAt, settings, solid } from "./util.ts";

const twoSegs = () => plain(6, { segments: [{ name: "left", start: 0, length: 3 }, { name: "right", start: 3, length: 3 }] });

describe("targets", () => {
  test("no segments configured means one segment 'main' over the whole strip", () => {
    const sc = new Scene(plain(7));
    expect(sc.segments.map((s) => s.seg)).toEqual([{ name: "main", start: 0, length: 7, reversed: false, mirrored: false }]);
  });

  test("'*' is every segment, a name is that segment, an unknown name is none", () => {
    const sc = new Scene(twoSegs());
    expect(sc.targets("*").map((s) => s.name)).toEqual(["left", "right"]);
    expect(sc.targets("right").map((s) => s.name)).toEqual(["right"]);
    expect(sc.targets("middle")).toEqual([]);
  });

  test("triggering an unknown segment changes nothing and says why", () => {
    const sc = new Scene(twoSegs());
    const r = sc.trigger(fx({ effect: "pulse", segment: "middle" }), 0);
    expect(r).toEqual({ ok: false, reason: 'no segment named "middle"', unknownSegment: true });
    expect(sc.segments.every((s) => s.active(0).length === 0)).toBe(true);
  });

  test("an effect on one segment leaves the other alone; '*' reaches both", () => {
    const sc = darkScene(twoSegs());
    expect(sc.trigger(fx({ effect: "flash", segment: "right", colors: ["#ff0000"], fadeOutMs: 0 }), 0)).toEqual({ ok: true, segments: ["right"], seq: expect.any(Number) });
    expectFloats(sceneAt(sc, 10), [...solid(3, [0, 0, 0]), ...solid(3, [1, 0, 0])]);
    expect(sc.trigger(fx({ effect: "flash", colors: ["#0000ff"], fadeOutMs: 0, priority: 60 }), 0)).toEqual({ ok: true, segments: ["left", "right"], seq: expect.any(Number) });
    expectFloats(sceneAt(sc, 10), solid(6, [0, 0, 1]));
  });

  test("end(seq) ends that one instance on every segment it was placed on, and no other", () => {
    const sc = darkScene(twoSegs());
    const a = sc.trigger(fx({ effect: "pulse", durationMs: 5000 }), 0);
    const b = sc.trigger(fx({ effect: "pulse", durationMs: 5000, segment: "left" }), 0);
    if (!a.ok || !b.ok) throw new Error("not placed");
    sc.end(a.seq);
    expect(sc.segments.map((s) => s.active(10).map((i) => i.seq))).toEqual([[b.seq], []]);
  });

  test("overlapping segments (when allowed) render in order: the later one wins where they overlap", () => {
    const s = settings({
      strip: { ledCount: 4, colorOrder: "RGB" },
      allowOverlappingSegments: true,
      segments: [{ name: "all", start: 0, length: 4 }, { name: "tail", start: 2, length: 2 }],
    });
    const sc = new Scene(s);
    sc.setBase(baseChange({ segment: "all", colors: ["#ff0000"], level: 1, transitionMs: 0 }), 0);
    sc.setBase(baseChange({ segment: "tail", colors: ["#00ff00"], level: 1, transitionMs: 0 }), 0);
    expectFloats(sceneAt(sc, 0), [...solid(2, [1, 0, 0]), ...solid(2, [0, 1, 0])]);
    expect(() => settings({ strip: { ledCount: 4 }, segments: [{ name: "a", start: 0, length: 3 }, { name: "b", start: 2, length: 2 }] })).toThrow();
  });
});

describe("trigger", () => {
  test("unset fields take the effect's defaults; given ones win", () => {
    const sc = darkScene(plain(2));
    sc.trigger(fx({ effect: "pulse" }), 100);
    const [d] = sc.segments[0].active(100);
    const def = effectById.get("pulse")!;
    expect(d.params.colors).toEqual(def.defaults.colors);
    expect(d.params.hz).toBe(def.defaults.hz);
    expect(d.endMs - d.startMs).toBe(def.defaults.durationMs);
    expect([d.fadeInMs, d.fadeOutMs]).toEqual([def.defaults.fadeInMs, def.defaults.fadeOutMs]);
    sc.trigger(fx({ effect: "pulse", hz: 7, durationMs: 250, fadeInMs: 10, fadeOutMs: 20, colors: ["#010203"], intensity: 0.3, priority: 9, blend: "max" }), 100);
    const e = sc.segments[0].active(100)[1];
    expect(e).toMatchObject({ startMs: 100, endMs: 350, fadeInMs: 10, fadeOutMs: 20, intensity: 0.3, priority: 9, blend: "max" });
    expect(e.params).toMatchObject({ hz: 7, durationMs: 250, colors: [[1 / 255, 2 / 255, 3 / 255]] });
  });

  test("fades longer than the effect share its duration in proportion", () => {
    const sc = darkScene(plain(1));
    sc.trigger(fx({ effect: "flash", colors: ["#ffffff"], durationMs: 100, fadeInMs: 300, fadeOutMs: 100 }), 0);
    const [i] = sc.segments[0].active(0);
    expect(i.fadeInMs).toBeCloseTo(75, 9);
    expect(i.fadeOutMs).toBeCloseTo(25, 9);
    expect(sceneAt(sc, 37.5)[0]).toBeCloseTo(0.5, 5);
    expect(sceneAt(sc, 75)[0]).toBeCloseTo(1, 5);
    expect(sceneAt(sc, 87.5)[0]).toBeCloseTo(0.5, 5);
  });

  test("every instance ends by itself: duration is bounded by the schema", () => {
    expect(() => fx({ effect: "flash", durationMs: 300_001 })).toThrow();
    expect(() => fx({ effect: "flash", durationMs: 15 })).toThrow();
    expect(() => fx({ effect: "flash", hz: 31 })).toThrow();
    expect(() => fx({ effect: "flash", intensity: 1.5 })).toThrow();
    expect(() => fx({ effect: "flash", priority: 101 })).toThrow();
    expect(() => fx({ effect: "flash", segment: "Bad Name" })).toThrow();
  });

  test("prune forgets ended instances on every segment", () => {
    const sc = darkScene(twoSegs());
    sc.trigger(fx({ effect: "flash", durationMs: 100 }), 0);
    sc.trigger(fx({ effect: "pulse", segment: "left", durationMs: 1000 }), 0);
    sc.prune(100);
    expect(sc.describe(100).map((s) => s.effects.map((e) => e.effect))).toEqual([["pulse"], []]);
  });
});

describe("base and meters", () => {
  test("setBase changes only the fields given, on the segments named, and returns their names", () => {
    const sc = new Scene(twoSegs());
    expect(sc.setBase(baseChange({ segment: "left", effect: "rainbow", hz: 2 }), 0)).toEqual(["left"]);
    expect(sc.segments[0].base).toEqual({ ...baseSpec({}), effect: "rainbow", hz: 2 });
    expect(sc.segments[1].base).toEqual(baseSpec({}));
    expect(sc.setBase(baseChange({ segment: "nope", level: 1 }), 0)).toEqual([]);
    expect(sc.setBase(baseChange({ level: 0.9 }), 0)).toEqual(["left", "right"]);
    expect(sc.segments.map((s) => s.base.level)).toEqual([0.9, 0.9]);
  });

  test("bases handed to the constructor are used by segment name; others get the default", () => {
    const bases = new Map([["right", baseSpec({ colors: ["#00ff00"], level: 1 })]]);
    const sc = new Scene(twoSegs(), bases);
    expectFloats(sceneAt(sc, 0), [...solid(3, [0.3, (0x6a / 255) * 0.3, 0]), ...solid(3, [0, 1, 0])]);
    expect(sc.bases()).toEqual(new Map([["left", baseSpec({})], ["right", baseSpec({ colors: ["#00ff00"], level: 1 })]]));
  });

  test("the default base is a dim warm orange, solid, on", () => {
    expect(baseSpec({})).toEqual({ on: true, effect: "solid", colors: [[1, 0x6a / 255, 0]], level: 0.3, hz: 0.1 });
  });

  test("setMeter creates a meter per name and segment; the same name updates it", () => {
    const sc = darkScene(twoSegs());
    expect(sc.setMeter("hp", meterSpec({ segment: "left", smoothingMs: 0 }), 1, 0)).toEqual(["left"]);
    expect(sc.setMeter("hp", meterSpec({ segment: "left", smoothingMs: 0, gradient: ["#0000ff"] }), 0.5, 0)).toEqual(["left"]);
    expect(sc.segments[0].meters.size).toBe(1);
    expect(sc.segments[0].meters.get("hp")!.spec.gradient).toEqual([[0, 0, 1]]);
    expect(sc.setMeter("hp", meterSpec({ segment: "nope" }), 1, 0)).toEqual([]);
  });
});

describe("describe", () => {
  test("reports each segment's base (hex colours), meters and active effects", () => {
    const sc = new Scene(twoSegs());
    sc.setBase(baseChange({ segment: "right", colors: ["#102030", "#ffffff"], effect: "gradient", transitionMs: 0 }), 0);
    sc.setMeter("hp", meterSpec({ segment: "left", smoothingMs: 100 }), 1, 0);
    sc.trigger(fx({ effect: "pulse", segment: "right", durationMs: 1000, priority: 70, blend: "add" }), 0);
    sc.trigger(fx({ effect: "breathing", segment: "right" }), 500);
    const d = sc.describe(100);
    expect(d[0]).toEqual({
      name: "left", start: 0, length: 3, reversed: false, mirrored: false,
      base: { on: true, effect: "solid", colors: ["#ff6a00"], level: 0.3, hz: 0.1 },
      meters: [{ name: "hp", value: Math.round((1 - Math.exp(-1)) * 1000) / 1000 }],
      effects: [],
    });
    expect(d[1].base.colors).toEqual(["#102030", "#ffffff"]);
    // Only effects active at that time: the breathing starts at 500.
    expect(d[1].effects).toEqual([{ effect: "pulse", priority: 70, blend: "add", remainingMs: 900 }]);
    expect(sc.describe(600)[1].effects.map((e) => e.effect)).toEqual(["pulse", "breathing"]);
    // JSON-safe.
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
