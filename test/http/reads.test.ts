// The read endpoints and the API docs against a real ledbox.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { presetById } from "../../src/director/presets.ts";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

describe("reads", () => {
  let t: TestBox;
  beforeAll(async () => {
    t = await startBox();
  });
  afterAll(async () => {
    await t.stop();
  });

  test("health: ok, version, the virtual output and the bus subscribers", async () => {
    const r = await call(t.url, "GET", "/api/v1/health");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(r.body.outputs).toEqual([expect.objectContaining({ driver: "virtual", ok: true })]);
    expect(r.body.bus.map((s: { name: string }) => s.name)).toContain("director");
  });

  test("health reports every edge: MQTT, each game server and each integration, by name", async () => {
    const admin = { cookie: await t.admin() };
    const srv = await call(t.url, "POST", "/api/v1/servers", { name: "lan-l4d2", kind: "source", host: "127.0.0.1", port: 1, intervalMs: 1000 }, admin);
    const integ = await call(t.url, "POST", "/api/v1/integrations", { name: "my-cs2", type: "cs2" }, admin);
    expect([srv.status, integ.status]).toEqual([201, 201]);
    try {
      const r = await call(t.url, "GET", "/api/v1/health");
      expect(r.body.ok).toBe(true);
      expect(r.body.mqtt).toEqual({ enabled: false, state: "disabled", lastError: null });
      expect(r.body.servers).toHaveLength(1);
      expect(r.body.servers[0]).toMatchObject({ id: srv.body.id, name: "lan-l4d2" });
      expect(["unknown", "offline"]).toContain(r.body.servers[0].state);
      expect("problem" in r.body.servers[0]).toBe(true);
      expect(r.body.integrations).toEqual([{ id: integ.body.id, name: "my-cs2", connected: false, problem: null }]);
    } finally {
      await call(t.url, "DELETE", `/api/v1/servers/${srv.body.id}`, undefined, admin);
      await call(t.url, "DELETE", `/api/v1/integrations/${integ.body.id}`, undefined, admin);
    }
  });

  test("state: frame stats, segments with layers, power estimate, counters", async () => {
    await until(() => t.box.engine.stats().frames > 30, "30 frames rendered");
    // The figures are the engine's own, read live (rates are measured by the benchmarks).
    const framesBefore = t.box.engine.stats().frames;
    const r = await call(t.url, "GET", "/api/v1/state");
    const framesAfter = t.box.engine.stats().frames;
    expect(r.status).toBe(200);
    const { stats, segments, strip, events, outputs } = r.body;
    expect(stats.targetFps).toBe(60);
    expect(stats.frames).toBeGreaterThanOrEqual(framesBefore);
    expect(stats.frames).toBeLessThanOrEqual(framesAfter);
    expect(stats.deliveredFps).toBeGreaterThan(0);
    expect(stats.intervalMs.p99).toBeGreaterThanOrEqual(stats.intervalMs.p50);
    expect(stats.intervalMs.max).toBeGreaterThanOrEqual(stats.intervalMs.p99);
    expect(stats.renderMs.p99).toBeGreaterThanOrEqual(stats.renderMs.p50);
    // At least the strip's idle current: 150 LEDs at 1 mA.
    expect(stats.power.ma).toBeGreaterThanOrEqual(150);
    expect(stats.power.watts).toBeCloseTo((stats.power.ma / 1000) * 5, 1);
    expect(strip.ledCount).toBe(150);
    expect(segments).toEqual([expect.objectContaining({ name: "main", start: 0, length: 150, base: expect.objectContaining({ colors: presetById.get("fps-combat")!.base!.colors }), meters: [], effects: [] })]);
    expect(events).toMatchObject({ accepted: 0, duplicates: 0, lastSeq: 0 });
    expect(outputs).toEqual([expect.objectContaining({ driver: "virtual", start: 0, length: 150 })]);

    await call(t.url, "POST", "/api/v1/events", { type: "damage_taken", amount: 30 });
    const after = await call(t.url, "GET", "/api/v1/state");
    expect(after.body.events).toMatchObject({ accepted: 1, lastSeq: 1 });
    expect(after.body.director.triggered).toBe(1);
    expect(after.body.segments[0].effects).toEqual([expect.objectContaining({ effect: "flash", priority: 40 })]);
  });

  test("recent events, optionally after a sequence number", async () => {
    await call(t.url, "POST", "/api/v1/events", [{ type: "assist", id: "r1" }, { type: "assist", id: "r2" }]);
    const all = (await call(t.url, "GET", "/api/v1/events/recent")).body as { seq: number; event: { id: string } }[];
    const seqOf = all.find((i) => i.event.id === "r1")!.seq;
    const after = (await call(t.url, "GET", `/api/v1/events/recent?since=${seqOf}`)).body as { event: { id: string } }[];
    expect(after.map((i) => i.event.id)).toEqual(["r2"]);
    // A since that is not a sequence number is named, not read as 0 (every event).
    for (const bad of ["abc", "-1", "1.5"]) {
      const r = await call(t.url, "GET", `/api/v1/events/recent?since=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^invalid query: since: /);
    }
  });

  test("OpenAPI docs at /api/docs, generated from the schemas", async () => {
    const page = await fetch(`${t.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/html/);
    const spec = await call(t.url, "GET", "/api/docs/json");
    expect(spec.status).toBe(200);
    for (const p of ["/api/v1/events", "/api/v1/settings/", "/api/v1/mappings", "/api/v1/scene/base", "/api/v1/presets/{id}/apply"]) {
      expect(Object.keys(spec.body.paths)).toContain(p);
    }
    // The events body documents the event vocabulary from the zod schema.
    expect(JSON.stringify(spec.body.paths["/api/v1/events"])).toContain("flashbang");
  });

  test("unknown paths are a 404 in the one error shape", async () => {
    const r = await call(t.url, "GET", "/api/v1/nothing-here");
    expect(r.status).toBe(404);
    expect(typeof r.body.error).toBe("string");
  });
});
