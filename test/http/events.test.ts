// POST /api/v1/events against a real ledbox: single and batch ingest, dedupe, every kind of bad
// input (each a 4xx naming the field or cause, nothing accepted), and the ingest token mode.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { apiToken, call, startBox, until, type TestBox } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const post = (t: TestBox, body: unknown, headers: Record<string, string> = {}) => call(t.url, "POST", "/api/v1/events", body, headers);
const accepted = async (t: TestBox) => (await call(t.url, "GET", "/api/v1/state")).body.events.accepted as number;

describe("event ingest", () => {
  let t: TestBox;
  /** The engine's scene and output as started, to show the bad input below rebuilt nothing. */
  let initial: { scene: TestBox["box"]["engine"]["scene"]; driver: TestBox["box"]["engine"]["outputs"][number]["driver"] };
  beforeAll(async () => {
    t = await startBox();
    initial = { scene: t.box.engine.scene, driver: t.box.engine.outputs[0].driver };
  });
  afterAll(async () => {
    await t.stop();
  });

  test("one event: 202 with its id, defaults filled in, kept in the recent ring", async () => {
    const before = Date.now();
    const r = await post(t, { type: "damage_taken", amount: 12 });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(r.body.ids).toHaveLength(1);
    const recent = await call(t.url, "GET", "/api/v1/events/recent");
    const item = recent.body.find((i: { event: { id: string } }) => i.event.id === r.body.ids[0]);
    expect(item.event).toMatchObject({ type: "damage_taken", amount: 12, source: "api", game: "generic" });
    expect(item.event.time).toBeGreaterThanOrEqual(before);
    expect(item.event.time).toBeLessThanOrEqual(Date.now());
  });

  test("a batch: 202 with one id per event, in order", async () => {
    const r = await post(t, [{ type: "kill", headshot: true, game: "cs2" }, { type: "round_end", result: "win" }, { type: "custom", name: "door", value: 2 }]);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(3);
    expect(new Set(r.body.ids).size).toBe(3);
    const recent = (await call(t.url, "GET", "/api/v1/events/recent")).body as { event: { id: string; type: string } }[];
    expect(recent.slice(-3).map((i) => i.event.id)).toEqual(r.body.ids);
    expect(recent.slice(-3).map((i) => i.event.type)).toEqual(["kill", "round_end", "custom"]);
  });

  test("a batch of exactly 500 is accepted", async () => {
    const r = await post(t, Array.from({ length: 500 }, () => ({ type: "assist" })));
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(500);
  });

  test("an event id seen before is dropped as a redelivery (and fires nothing)", async () => {
    const triggered = async () => (await call(t.url, "GET", "/api/v1/state")).body.director.triggered as number;
    const before = await triggered();
    const duplicatesBefore = (await call(t.url, "GET", "/api/v1/state")).body.events.duplicates;
    const a = await post(t, { type: "death", id: "match-7-death-1" });
    expect(a.body).toEqual({ accepted: 1, duplicates: 0, ids: ["match-7-death-1"] });
    const b = await post(t, { type: "death", id: "match-7-death-1" });
    expect(b.status).toBe(202);
    expect(b.body).toEqual({ accepted: 0, duplicates: 1, ids: [] });
    // Inside one batch too.
    const c = await post(t, [{ type: "assist", id: "x-1" }, { type: "assist", id: "x-1" }, { type: "assist", id: "x-2" }]);
    expect(c.body).toEqual({ accepted: 2, duplicates: 1, ids: ["x-1", "x-2"] });
    // The death mapping (FPS Combat) fired once, not twice.
    expect((await triggered()) - before).toBe(1);
    const state = await call(t.url, "GET", "/api/v1/state");
    expect(state.body.events.duplicates).toBe(duplicatesBefore + 2);
  });

  const bad: [string, unknown, RegExp][] = [
    ["unknown event type", { type: "explode" }, /type: unknown event type "explode"/],
    ["missing type", { value: 3 }, /type: missing/],
    ["unknown type inside a batch names its index", [{ type: "kill" }, { type: "nope" }], /\[1\]\.type: unknown event type "nope"/],
    ["flashbang intensity above 1", { type: "flashbang", intensity: 1.5 }, /invalid event: intensity: Too big/],
    ["multikill of one", { type: "multikill", count: 1 }, /invalid event: count: Too small/],
    ["negative damage", { type: "damage_taken", amount: -5 }, /invalid event: amount: Too small/],
    ["value not a number", { type: "health", value: "lots" }, /invalid event: value: .*expected number/],
    ["min equal to max", { type: "health", value: 5, min: 10, max: 10 }, /max: min and max must differ/],
    // Only min given, equal to health's default max: normalising divided by zero and the NaN stopped the render loop.
    ["min equal to the default max", { type: "health", value: 100, min: 100 }, /max: min and max must differ \(where left out, health uses 0–100\)/],
    ["negative time", { type: "kill", time: -1 }, /invalid event: time: Too small/],
    ["empty id", { type: "kill", id: "" }, /invalid event: id: Too small/],
    ["unknown round result", { type: "round_end", result: "maybe" }, /invalid event: result: Invalid option/],
    ["bad field deep in a batch", [{ type: "kill" }, { type: "kill" }, { type: "objective", kind: "tower" }], /\[2\]\.ally/],
    ["empty batch", [], /empty batch/],
    ["batch of 501", Array.from({ length: 501 }, () => ({ type: "assist" })), /501 events is over the limit of 500/],
    ["a bare number", 42, /type: missing/],
  ];
  for (const [what, body, message] of bad) {
    test(`400 for ${what}, nothing accepted`, async () => {
      const before = await accepted(t);
      const r = await post(t, body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(message);
      expect(await accepted(t)).toBe(before);
    });
  }

  test("a batch with one bad event is refused whole", async () => {
    const before = await accepted(t);
    const r = await post(t, [{ type: "kill", id: "whole-1" }, { type: "health", value: "x" }]);
    expect(r.status).toBe(400);
    expect(await accepted(t)).toBe(before);
    // The good one was not remembered as seen either: sending it alone is accepted.
    expect((await post(t, { type: "kill", id: "whole-1" })).body.accepted).toBe(1);
  });

  test("malformed JSON: 400 naming the cause", async () => {
    const r = await post(t, '{"type": "kill"');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/malformed body/);
  });

  test("a body over 256 KiB: 413, with or without Content-Length", async () => {
    const before = await accepted(t);
    // Valid JSON, so only the size can be the reason.
    const big = JSON.stringify([{ type: "assist" }]) + " ".repeat(257 * 1024);
    const r = await post(t, big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/262144-byte limit/);
    // Chunked (no Content-Length): the limit still holds.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await fetch(`${t.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    // Over the server's hard cap of 1 MiB.
    const huge = await post(t, JSON.stringify({ type: "custom", name: "x" }) + " ".repeat(2 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect(await accepted(t)).toBe(before);
    // A body just under the limit is fine, chunked too.
    const fits = JSON.stringify([{ type: "assist" }]) + " ".repeat(200 * 1024);
    expect((await post(t, fits)).status).toBe(202);
    const ok = await fetch(`${t.url}/api/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(fits)); c.close(); } }),
      duplex: "half",
    } as RequestInit);
    expect(ok.status).toBe(202);
  });

  test("after all that bad input the loop still runs: frames go on, none failed, nothing was rebuilt", async () => {
    // (Its rate under load is measured by the ingest benchmark.)
    const e = t.box.engine;
    const frames = e.stats().frames;
    await until(() => e.stats().frames >= frames + 30, "30 more frames");
    expect(e.stats()).toMatchObject({ targetFps: 60, frameErrors: 0 });
    expect(e.scene).toBe(initial.scene);
    expect(e.outputs[0].driver).toBe(initial.driver);
  });
});

describe("ingest token mode", () => {
  test('with http.ingest = "token", events need a bearer API token', async () => {
    const t = await startBox();
    try {
      const cookie = await t.admin();
      const { authorization } = await apiToken(t, "game server");
      expect((await call(t.url, "PUT", "/api/v1/settings", { http: { ingest: "token" } }, { cookie })).status).toBe(200);

      const none = await post(t, { type: "kill" });
      expect(none.status).toBe(401);
      expect(none.body.error).toMatch(/credential|token/);
      const wrong = await post(t, { type: "kill" }, { authorization: "Bearer lbx_not-a-token" });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toMatch(/invalid API token/);
      expect(await accepted(t)).toBe(0);

      const ok = await post(t, { type: "kill" }, { authorization });
      expect(ok.status).toBe(202);
      expect(ok.body.accepted).toBe(1);
      // Reads stay open: only ingest was switched.
      expect((await call(t.url, "GET", "/api/v1/state")).status).toBe(200);

      // Back to open.
      expect((await call(t.url, "PUT", "/api/v1/settings", { http: { ingest: "open" } }, { cookie })).status).toBe(200);
      expect((await post(t, { type: "kill" })).status).toBe(202);
    } finally {
      await t.stop();
    }
  });
});
