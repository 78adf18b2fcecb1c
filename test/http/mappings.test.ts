// Mappings CRUD and presets against a real ledbox: validation naming the field, stored records,
// and that mappings really change what an event does on the strip (frames from the live channel).
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { call, led, openLive, startBox, type TestBox } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const ledsOf = (f: Uint8Array) => Array.from({ length: f.length / 3 }, (_, i) => led(f, i));
/** Every LED clearly of one primary colour (green: g bright, r and b low). */
const allGreen = (f: Uint8Array) => ledsOf(f).every(([r, g, b]) => g > 60 && r < g / 4 && b < g / 4);
const allBlue = (f: Uint8Array) => ledsOf(f).every(([r, g, b]) => b > 60 && r < b / 4 && g < b / 4);

describe("mappings", () => {
  let t: TestBox;
  let cookie: string;
  const send = (method: string, path: string, body?: unknown) => call(t.url, method, path, body, { cookie });
  const effectsNow = async () => (await call(t.url, "GET", "/api/v1/state")).body.segments[0].effects as { effect: string }[];

  beforeAll(async () => {
    // 30 LEDs keep the power limiter out of the way, so colours come through as set.
    t = await startBox({ settings: { strip: { ledCount: 30 } } });
    cookie = await t.admin();
  });
  afterAll(async () => {
    await t.stop();
  });

  test("a new device starts with the FPS Combat preset's mappings", async () => {
    const r = await call(t.url, "GET", "/api/v1/mappings");
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThanOrEqual(10);
    expect(r.body.every((m: { preset: string }) => m.preset === "fps-combat")).toBe(true);
    expect(r.body.map((m: { name: string }) => m.name)).toContain("Kill");
  });

  const invalid: [string, unknown, RegExp][] = [
    ["an unknown event type", { name: "x", event: "explode", action: { kind: "effect", effect: "flash" } }, /invalid mapping: event: Invalid option/],
    ["a meter on a trigger event", { name: "x", event: "kill", action: { kind: "meter" } }, /action\.kind: a meter needs a continuous value event/],
    ["a bad colour", { name: "x", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#12345g"] } }, /action\.colors\.0/],
    ["a bad meter gradient colour", { name: "x", event: "health", action: { kind: "meter", gradient: ["red"] } }, /action\.gradient\.0/],
    ["an unknown effect", { name: "x", event: "kill", action: { kind: "effect", effect: "laser" } }, /action\.effect/],
    ["an unknown action kind", { name: "x", event: "kill", action: { kind: "sound" } }, /action\.kind/],
    ["an unknown condition operator", { name: "x", event: "health", condition: { op: "~", value: 1 }, action: { kind: "effect", effect: "pulse" } }, /condition\.op/],
    ["a missing name", { event: "kill", action: { kind: "effect", effect: "flash" } }, /name/],
    ["a priority over 100", { name: "x", event: "kill", action: { kind: "effect", effect: "flash", priority: 101 } }, /action\.priority/],
    ["an unknown top-level field (a typo)", { name: "x", event: "kill", cooldown: 500, action: { kind: "effect", effect: "flash" } }, /cooldown: unknown field/],
    ["an unknown field in the action", { name: "x", event: "kill", action: { kind: "effect", effect: "flash", volume: 11 } }, /volume/],
  ];
  for (const [what, body, message] of invalid) {
    test(`400 for ${what}, nothing stored`, async () => {
      const before = (await call(t.url, "GET", "/api/v1/mappings")).body;
      const r = await send("POST", "/api/v1/mappings", body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(message);
      const id = before[0].id;
      const p = await send("PUT", `/api/v1/mappings/${id}`, body);
      expect(p.status).toBe(400);
      expect((await call(t.url, "GET", "/api/v1/mappings")).body).toEqual(before);
    });
  }

  test("create, read, replace, delete — and each changes what the event does", async () => {
    const live = await openLive(t.url);
    try {
      // Before: an assist does nothing on FPS Combat.
      expect((await call(t.url, "POST", "/api/v1/events", { type: "assist" })).status).toBe(202);
      expect(await effectsNow()).toEqual([]);

      // A colour shift over one colour: a steady glow for 1.5 s.
      const green = { name: "Assist glow", event: "assist", action: { kind: "effect", effect: "color_shift", colors: ["#00ff00"], durationMs: 1500, fadeInMs: 0, fadeOutMs: 0, priority: 90 } };
      const created = await send("POST", "/api/v1/mappings", green);
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect(id).toBeString();
      expect(created.body).toMatchObject({ ...green, preset: null });
      expect((await call(t.url, "GET", `/api/v1/mappings/${id}`)).body).toEqual(created.body);

      let from = live.mark();
      expect((await call(t.url, "POST", "/api/v1/events", { type: "assist" })).status).toBe(202);
      await live.waitFrame(allGreen, "the strip glowing green after an assist", { from });

      // A record read with GET can be PUT back as it is.
      const same = await send("PUT", `/api/v1/mappings/${id}`, created.body);
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ ...green, id, preset: null });

      const blue = { ...green, action: { ...green.action, colors: ["#0000ff"] } };
      const replaced = await send("PUT", `/api/v1/mappings/${id}`, blue);
      expect(replaced.status).toBe(200);
      expect(replaced.body.action.colors).toEqual(["#0000ff"]);
      expect(replaced.body.createdAt).toBe(created.body.createdAt);
      from = live.mark();
      expect((await call(t.url, "POST", "/api/v1/events", { type: "assist" })).status).toBe(202);
      await live.waitFrame(allBlue, "the strip glowing blue after the mapping was replaced", { from });

      expect((await send("DELETE", `/api/v1/mappings/${id}`)).status).toBe(200);
      expect((await call(t.url, "GET", `/api/v1/mappings/${id}`)).status).toBe(404);
      expect((await send("DELETE", `/api/v1/mappings/${id}`)).status).toBe(404);
      expect((await send("PUT", `/api/v1/mappings/${id}`, blue)).status).toBe(404);
      // Let the blue glow end, then an assist does nothing again.
      await live.waitFrame((f) => !allBlue(f), "the glow to end", { from: live.mark(), timeoutMs: 3000 });
      expect((await call(t.url, "POST", "/api/v1/events", { type: "assist" })).status).toBe(202);
      expect(await effectsNow()).toEqual([]);
      expect(live.invalid).toEqual([]);
    } finally {
      await live.close();
    }
  });

  test("game filter, match and condition decide whether a mapping fires", async () => {
    const m = await send("POST", "/api/v1/mappings", {
      name: "CS2 objective", event: "objective", game: "cs2", match: { ally: true },
      action: { kind: "effect", effect: "breathing", colors: ["#ffffff"], durationMs: 400, priority: 95 },
    });
    expect(m.status).toBe(201);
    const fire = async (e: object) => {
      expect((await call(t.url, "POST", "/api/v1/events", { type: "objective", kind: "tower", ...e })).status).toBe(202);
      const effects = await effectsNow();
      return effects.some((x) => x.effect === "breathing");
    };
    expect(await fire({ game: "dota2", ally: true })).toBe(false);
    expect(await fire({ game: "cs2", ally: false })).toBe(false);
    expect(await fire({ game: "cs2", ally: true })).toBe(true);

    const c = await send("POST", "/api/v1/mappings", {
      name: "Big hit", event: "damage_taken", condition: { op: ">=", value: 50 },
      action: { kind: "effect", effect: "color_shift", colors: ["#ff0000", "#0000ff"], durationMs: 400, priority: 96 },
    });
    expect(c.status).toBe(201);
    const hit = async (amount: number) => {
      await call(t.url, "POST", "/api/v1/events", { type: "damage_taken", amount });
      return (await effectsNow()).some((x) => x.effect === "color_shift");
    };
    expect(await hit(20)).toBe(false);
    expect(await hit(80)).toBe(true);
    await send("DELETE", `/api/v1/mappings/${m.body.id}`);
    await send("DELETE", `/api/v1/mappings/${c.body.id}`);
  });
});

describe("presets", () => {
  test("listed with their mappings; apply replaces earlier preset mappings and keeps the user's own", async () => {
    const t = await startBox({ settings: { strip: { ledCount: 30 } } });
    try {
      const cookie = await t.admin();
      const list = await call(t.url, "GET", "/api/v1/presets");
      expect(list.status).toBe(200);
      const ids = list.body.map((p: { id: string }) => p.id);
      expect(ids).toEqual(["fps-combat", "moba-health", "racing", "generic-alert", "game-servers", "match-day"]);
      expect(list.body.map((p: { name: string }) => p.name)).toEqual(["FPS Combat", "MOBA Health", "Racing", "Generic Alert", "Game Servers", "Match Day"]);
      for (const p of list.body) expect(p.mappings.length).toBeGreaterThan(0);

      const mine = await call(t.url, "POST", "/api/v1/mappings", { name: "Mine", event: "custom", match: { name: "door" }, action: { kind: "effect", effect: "pulse" } }, { cookie });
      expect(mine.status).toBe(201);

      const racing = list.body.find((p: { id: string }) => p.id === "racing");
      const r = await call(t.url, "POST", "/api/v1/presets/racing/apply", undefined, { cookie });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ applied: "racing", mappings: racing.mappings.length });
      let all = (await call(t.url, "GET", "/api/v1/mappings")).body as { id: string; preset: string | null; name: string }[];
      expect(all.filter((m) => m.preset === "fps-combat")).toEqual([]);
      expect(all.filter((m) => m.preset === "racing").map((m) => m.name)).toEqual(racing.mappings.map((m: { name: string }) => m.name));
      expect(all.filter((m) => m.preset === null).map((m) => m.id)).toEqual([mine.body.id]);

      const moba = list.body.find((p: { id: string }) => p.id === "moba-health");
      const live = await openLive(t.url);
      try {
        expect((await call(t.url, "POST", "/api/v1/presets/moba-health/apply", undefined, { cookie })).status).toBe(200);
        all = (await call(t.url, "GET", "/api/v1/mappings")).body;
        expect(all.filter((m) => m.preset === "racing")).toEqual([]);
        expect(all.filter((m) => m.preset === "moba-health").length).toBe(moba.mappings.length);
        expect(all.filter((m) => m.preset === null).map((m) => m.id)).toEqual([mine.body.id]);
        // Its base layer too.
        const state = await call(t.url, "GET", "/api/v1/state");
        expect(state.body.segments[0].base.colors).toEqual(moba.base.colors);

        // On MOBA Health a kill flashes gold (#ffd000), not FPS Combat's white.
        const from = live.mark();
        await call(t.url, "POST", "/api/v1/events", { type: "kill" });
        await live.waitFrame((f) => ledsOf(f).every(([r, g, b]) => r > 100 && g > 0.6 * r && g < 0.95 * r && b < 30), "a gold flash", { from });
      } finally {
        await live.close();
      }

      const before = (await call(t.url, "GET", "/api/v1/mappings")).body;
      const unknown = await call(t.url, "POST", "/api/v1/presets/disco/apply", undefined, { cookie });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatch(/no preset "disco"/);
      expect((await call(t.url, "GET", "/api/v1/mappings")).body).toEqual(before);
    } finally {
      await t.stop();
    }
  });
});
