// Webhook-style integrations over HTTP: the token in a header (or ?token=), rules from the config,
// and the declarative Minecraft adapter driving the health meter on the live channel.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { call, createIntegration, postToIntegration, led, openLive, startBox, tempDir, type TestBox } from "../helpers/box.ts";
import { loadFixture } from "../games/fixture.ts";

setDefaultTimeout(20_000);

describe("webhook and declarative integrations", () => {
  let t: TestBox;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await startBox();
    admin = { cookie: await t.admin() };
  });
  afterAll(async () => {
    await t.stop();
  });

  const create = (body: Record<string, unknown>) => createIntegration(t, body);
  const post = (id: string, body: unknown, headers: Record<string, string> = {}, query = "") => postToIntegration(t, id, body, headers, query);

  test("the token may come as a bearer header, X-Ledbox-Token or ?token=; anything else is a 401", async () => {
    const { id, token } = await create({ name: "bell", type: "webhook", config: { game: "home" } });
    const ev = { type: "custom", name: "doorbell" };
    expect((await post(id, ev, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await post(id, ev, { "x-ledbox-token": token })).status).toBe(200);
    expect((await post(id, ev, {}, `?token=${encodeURIComponent(token)}`)).status).toBe(200);
    const none = await post(id, ev);
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/token missing/);
    expect((await post(id, ev, { authorization: "Bearer nope" })).status).toBe(401);
    const st = await call(t.url, "GET", `/api/v1/integrations/${id}/status`);
    expect(st.body).toMatchObject({ counts: { custom: 3 }, rejected: 2 });
    const recent = await call(t.url, "GET", `/api/v1/integrations/${id}/events`);
    expect(recent.body.events.every((e: any) => e.game === "home" && e.source === id)).toBe(true);
  });

  test("a webhook without rules rejects a body that is not standard events, naming the field", async () => {
    const { id, token } = await create({ name: "strict", type: "webhook" });
    const r = await post(id, { type: "health" }, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/value/);
  });

  test("webhook rules map any JSON; a redelivered occurrence (same idPath) fires once", async () => {
    const { id, token } = await create({
      name: "ci", type: "webhook",
      config: { game: "ci", rules: [{ event: "custom", on: "always", fields: { name: { path: "status" } }, idPath: "build" }] },
    });
    const h = { authorization: `Bearer ${token}` };
    const a = await post(id, { build: 17, status: "failed" }, h);
    const b = await post(id, { build: 17, status: "failed" }, h);
    expect(a.body.accepted).toBe(1);
    expect(b.body.accepted).toBe(0);
  });

  test("Minecraft over HTTP: the health meter follows the hearts on the live channel", async () => {
    const { id, token } = await create({ name: "mc", type: "minecraft", preset: "moba-health" });
    const steps = loadFixture("minecraft.json").steps;
    const live = await openLive(t.url);
    try {
      const from = live.mark();
      expect((await post(id, steps[0].payload, {}, `?token=${token}`)).status).toBe(200);
      // Full health: the first LED shows the health gradient's green end.
      await live.waitFrame((f) => led(f, 0)[1] > 100 && led(f, 0)[0] < 60, "a green health bar", { from });
      const types: string[] = [];
      for (const s of [...steps, ...steps.slice(2, 5)]) {
        const r = await post(id, s.payload, {}, `?token=${token}`);
        expect(r.status).toBe(200);
      }
      for (const e of (await call(t.url, "GET", `/api/v1/integrations/${id}/events`)).body.events) types.push(e.type);
      // One death in the sequence, and a real second one when the fall and the fire happen again.
      expect(types.filter((x) => x === "death").length).toBe(2);
      expect(types.filter((x) => x === "respawn").length).toBe(1);
      expect(types.every((x) => ["health", "armor", "energy", "damage_taken", "death", "respawn", "custom"].includes(x))).toBe(true);
    } finally {
      await live.close();
      await call(t.url, "POST", "/api/v1/presets/fps-combat/apply", undefined, admin);
    }
  });
});

describe("an integration whose adapter file is gone", () => {
  test("answers 409 naming the adapter; the others keep running", async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, "adapters"));
    const file = join(dataDir, "adapters", "bell.yaml");
    writeFileSync(file, "type: bell\nname: Bell\ngame: home\nsetup: post it\nrules:\n  - event: custom\n    on: always\n    fields: { name: bell }\n");
    let t = await startBox({ dataDir });
    const admin = { cookie: await t.admin() };
    const a = await call(t.url, "POST", "/api/v1/integrations", { name: "bell", type: "bell" }, admin);
    const b = await call(t.url, "POST", "/api/v1/integrations", { name: "hook", type: "webhook" }, admin);
    expect([a.status, b.status]).toEqual([201, 201]);
    await t.stop();
    rmSync(file);
    t = await startBox({ dataDir });
    try {
      const r = await call(t.url, "POST", `/api/v1/integrations/${a.body.id}/event`, {});
      expect(r.status).toBe(409);
      expect(r.body.error).toMatch(/adapter "bell" is not loaded/);
      expect((await call(t.url, "GET", `/api/v1/integrations/${b.body.id}/status`)).status).toBe(200);
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
