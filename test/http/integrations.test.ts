// Integrations end to end: a real ledbox on loopback, CRUD over HTTP, CS2 and Dota 2 payloads
// posted as the games post them, events read back from the ring, the status and the live channel.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { isValueType } from "../../src/events/schema.ts";
import { parseRecording, replay } from "../../src/tools/replay.ts";
import { call, createIntegration, postToIntegration, led, openLive, startBox, tempDir, until, type TestBox } from "../helpers/box.ts";
import { loadFixture } from "../games/fixture.ts";

setDefaultTimeout(20_000);

const cs2Steps = loadFixture("cs2-round.json").steps;
const dotaSteps = loadFixture("dota2-match.json").steps;
const withToken = (p: unknown, token: string) => ({ ...(p as object), auth: { token } });

describe("integrations API", () => {
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
  const post = (id: string, body: unknown, headers: Record<string, string> = {}) => postToIntegration(t, id, body, headers);
  const lastSeq = async () => (await call(t.url, "GET", "/api/v1/state")).body.events.lastSeq as number;
  const recentTypes = async (id: string) => (await call(t.url, "GET", `/api/v1/integrations/${id}/events`)).body.events.map((e: any) => e.type);

  test("adapters list their events, config JSON Schema and setup Markdown", async () => {
    const r = await call(t.url, "GET", "/api/v1/adapters");
    expect(r.status).toBe(200);
    const types = r.body.adapters.map((a: any) => a.type);
    for (const ty of ["cs2", "dota2", "webhook", "minecraft", "valorant"]) expect(types).toContain(ty);
    const cs2 = r.body.adapters.find((a: any) => a.type === "cs2");
    expect(cs2.emits).toContain("kill");
    expect(cs2.configSchema.type).toBe("object");
    expect(cs2.configSchema.properties.smokeAndFire.type).toBe("boolean");
    expect(cs2.setup).toContain("game/csgo/cfg");
    expect(r.body.loadErrors).toEqual([]);
  });

  test("CRUD: create, read without the token, update, delete; bad input is a 4xx naming the problem and changes nothing", async () => {
    const unauth = await call(t.url, "POST", "/api/v1/integrations", { name: "x", type: "cs2" });
    expect(unauth.status).toBe(401);
    const c = await call(t.url, "POST", "/api/v1/integrations", { name: "Desk CS2", type: "cs2" }, admin);
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: "Desk CS2", type: "cs2", enabled: true, config: { smokeAndFire: true }, preset: null, record: false });
    expect(JSON.stringify(c.body)).not.toContain("token");
    const id = c.body.id;
    const list = await call(t.url, "GET", "/api/v1/integrations");
    expect(list.body.map((x: any) => x.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toMatch(/token/i);

    const bad = [
      [{ name: "Desk CS2", type: "cs2" }, 409, /already exists/],
      [{ name: "y", type: "quake" }, 400, /type: unknown adapter "quake"/],
      [{ name: "y", type: "cs2", config: { smokeAndFire: "yes" } }, 400, /config\.smokeAndFire/],
      [{ name: "y", type: "cs2", config: { colour: 1 } }, 400, /config/],
      [{ name: "y", type: "cs2", preset: "nope" }, 400, /preset: unknown preset "nope"/],
      [{ name: "", type: "cs2" }, 400, /name/],
      [{ name: "y", type: "cs2", extra: 1 }, 400, /extra/],
    ] as const;
    for (const [body, status, msg] of bad) {
      const r = await call(t.url, "POST", "/api/v1/integrations", body, admin);
      expect({ body, status: r.status }).toEqual({ body, status });
      expect(r.body.error).toMatch(msg);
    }
    expect((await call(t.url, "GET", "/api/v1/integrations")).body.length).toBe(list.body.length);

    const u = await call(t.url, "PUT", `/api/v1/integrations/${id}`, { config: { smokeAndFire: false }, record: false }, admin);
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ name: "Desk CS2", config: { smokeAndFire: false } });
    expect((await call(t.url, "PUT", "/api/v1/integrations/gi_nope", { enabled: false }, admin)).status).toBe(404);
    // Fields left out of a PUT stay as they were.
    await call(t.url, "PUT", `/api/v1/integrations/${id}`, { enabled: false }, admin);
    const renamed = await call(t.url, "PUT", `/api/v1/integrations/${id}`, { name: "Desk CS2 (renamed)" }, admin);
    expect(renamed.body).toMatchObject({ name: "Desk CS2 (renamed)", enabled: false, config: { smokeAndFire: false }, record: false });
    await call(t.url, "PUT", `/api/v1/integrations/${id}`, { enabled: true }, admin);
    const badPut = await call(t.url, "PUT", `/api/v1/integrations/${id}`, { enabled: "no" }, admin);
    expect(badPut.status).toBe(400);
    expect((await call(t.url, "GET", `/api/v1/integrations/${id}`)).body.enabled).toBe(true);
    expect((await call(t.url, "DELETE", `/api/v1/integrations/${id}`, undefined, admin)).status).toBe(200);
    for (const path of ["", "/status", "/events"]) expect((await call(t.url, "GET", `/api/v1/integrations/${id}${path}`)).status).toBe(404);
    expect((await post(id, cs2Steps[0].payload)).status).toBe(404);
  });

  test("setup gives a ready GSI cfg with the LAN URL and the integration's token; the token rotates on request", async () => {
    const { id, token, setup } = await create({ name: "setup-cs2", type: "cs2" });
    expect(token.length).toBeGreaterThan(20);
    expect(setup.file.filename).toBe("gamestate_integration_ledbox.cfg");
    expect(setup.file.content).toContain(`"token" "${token}"`);
    expect(setup.file.content).toContain(`/api/v1/integrations/${id}/event"`);
    expect(setup.url).not.toContain("127.0.0.1:0");
    expect((await call(t.url, "GET", `/api/v1/integrations/${id}/setup`)).status).toBe(401);
    await call(t.url, "PUT", `/api/v1/integrations/${id}`, { rotateToken: true }, admin);
    const again = await call(t.url, "GET", `/api/v1/integrations/${id}/setup`, undefined, admin);
    expect(again.body.token).not.toBe(token);
    expect((await post(id, withToken(cs2Steps[0].payload, token))).status).toBe(401);
    expect((await post(id, withToken(cs2Steps[0].payload, again.body.token))).status).toBe(200);
  });

  test("a CS2 round over HTTP fires each real occurrence once, even when the whole sequence is sent twice", async () => {
    const { id, token } = await create({ name: "round-cs2", type: "cs2" });
    const seq0 = await lastSeq();
    for (let pass = 0; pass < 2; pass++) {
      for (const s of cs2Steps) {
        const r = await post(id, withToken(s.payload, token));
        expect(r.status).toBe(200);
      }
    }
    const types: string[] = await recentTypes(id);
    const count = (ty: string) => types.filter((x) => x === ty).length;
    expect(count("kill")).toBe(2);
    expect(count("death")).toBe(1);
    expect(count("round_end")).toBe(2);
    expect(count("bomb_planted")).toBe(1);
    expect(count("flashbang")).toBe(1);
    expect(count("match_end")).toBe(1);
    expect(await lastSeq()).toBeGreaterThan(seq0);
    const st = await call(t.url, "GET", `/api/v1/integrations/${id}/status`);
    expect(st.body).toMatchObject({ connected: true, payloads: cs2Steps.length * 2, counts: { kill: 2, death: 1, round_end: 2 } });
    expect(st.body.lastPayloadAt).toBeString();
    const ev = await call(t.url, "GET", `/api/v1/integrations/${id}/events`);
    expect(ev.body.events.every((e: any) => e.game === "cs2" && e.source === id)).toBe(true);
    expect(ev.body.payloads.length).toBeGreaterThan(0);
    expect(JSON.stringify(ev.body.payloads)).not.toContain(token);
  });

  test("wrong or missing token: 401, nothing fired, no state changed, and the status says why", async () => {
    const { id, token } = await create({ name: "auth-cs2", type: "cs2" });
    expect((await post(id, withToken(cs2Steps[0].payload, token))).status).toBe(200);
    const seq = await lastSeq();
    const kill = cs2Steps[6].payload as any;
    const wrong = await post(id, withToken(kill, token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")));
    expect(wrong.status).toBe(401);
    expect((await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body.problem.text).toMatch(/token mismatch/);
    const { auth, ...noAuth } = kill;
    const missing = await post(id, noAuth);
    expect(missing.status).toBe(401);
    expect((await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body.problem.text).toMatch(/token missing/);
    expect(await lastSeq()).toBe(seq);
    // State did not move: the first authentic payload after the failures still sees the change.
    expect((await post(id, withToken(cs2Steps[5].payload, token))).body.accepted).toBeGreaterThan(0);
    expect((await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body).toMatchObject({ rejected: 2 });
  });

  test("malformed, wrong-typed, oversized and chunked-oversized payloads are 4xx with the reason in status; nothing fires", async () => {
    const { id, token } = await create({ name: "bad-cs2", type: "cs2" });
    const seq = await lastSeq();
    const status = async () => (await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body.problem.text as string;
    const trunc = JSON.stringify(withToken(cs2Steps[0].payload, token)).slice(0, 300);
    const r1 = await post(id, trunc);
    expect(r1.status).toBe(400);
    expect(r1.body.error).toMatch(/malformed payload/);
    expect(await status()).toMatch(/malformed payload/);
    const typed = structuredClone(withToken(cs2Steps[0].payload, token)) as any;
    typed.player.state.health = "lots";
    const r2 = await post(id, typed);
    expect(r2.status).toBe(400);
    expect(r2.body.error).toMatch(/player\.state\.health/);
    expect(await status()).toMatch(/player\.state\.health/);
    const big = { ...withToken(cs2Steps[0].payload, token), pad: "x".repeat(300 * 1024) };
    const r3 = await post(id, big);
    expect(r3.status).toBe(413);
    expect(await status()).toMatch(/over the 262144-byte limit/);
    const chunked = await fetch(`${t.url}/api/v1/integrations/${id}/event`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(JSON.stringify(big))); c.close(); } }),
    });
    expect(chunked.status).toBe(413);
    expect(await lastSeq()).toBe(seq);
  });

  test("a disabled integration answers 409 and fires nothing", async () => {
    const { id, token } = await create({ name: "off-cs2", type: "cs2", enabled: false });
    const r = await post(id, withToken(cs2Steps[0].payload, token));
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/disabled/);
  });

  test("a flood from one integration is rate-limited; another integration keeps working", async () => {
    const a = await create({ name: "flood-a", type: "cs2" });
    const b = await create({ name: "flood-b", type: "cs2" });
    const body = JSON.stringify(withToken(cs2Steps[1].payload, a.token));
    const statuses = await Promise.all(Array.from({ length: 400 }, () => post(a.id, body).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(240);
    const st = await call(t.url, "GET", `/api/v1/integrations/${a.id}/status`);
    expect(st.body.problem.text).toMatch(/rate limited/);
    expect(st.body.rateLimited).toBe(statuses.filter((s) => s === 429).length);
    expect((await post(b.id, withToken(cs2Steps[0].payload, b.token))).status).toBe(200);
  });

  test("Dota 2 over HTTP: objectives and the victory fire once; a preset can come with the integration", async () => {
    const { id, token } = await create({ name: "dota", type: "dota2", preset: "moba-health" });
    const mappings = await call(t.url, "GET", "/api/v1/mappings");
    expect(mappings.body.some((m: any) => m.preset === "moba-health")).toBe(true);
    for (const s of [...dotaSteps, ...dotaSteps]) expect((await post(id, withToken(s.payload, token))).status).toBe(200);
    const types: string[] = await recentTypes(id);
    expect(types.filter((x) => x === "objective").length).toBe(2);
    expect(types.filter((x) => x === "match_end").length).toBe(1);
    expect(types.filter((x) => x === "death").length).toBe(1);
    expect(types.filter((x) => x === "level_up").length).toBe(1);
    await call(t.url, "POST", "/api/v1/presets/fps-combat/apply", undefined, admin);
  });

  test("recording writes the payloads as a JSONL the replay tool accepts", async () => {
    const { id, token } = await create({ name: "rec", type: "cs2", record: true });
    for (const s of cs2Steps.slice(0, 4)) await post(id, withToken(s.payload, token));
    const st = await call(t.url, "GET", `/api/v1/integrations/${id}/status`);
    const file = st.body.recording.file as string;
    expect(existsSync(file)).toBe(true);
    expect(st.body.recording.bytes).toBeGreaterThan(1000);
    const parsed = parseRecording(readFileSync(file, "utf8"));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.entries.length).toBe(4);
      expect(parsed.entries[0].path).toBe(`/api/v1/integrations/${id}/event`);
    }
  });
});

describe("CS2 end to end on the live channel", () => {
  test("a GSI kill POST flashes the strip white (FPS Combat preset)", async () => {
    const t = await startBox();
    try {
      const admin = { cookie: await t.admin() };
      const c = await call(t.url, "POST", "/api/v1/integrations", { name: "e2e", type: "cs2", config: { smokeAndFire: false } }, admin);
      const token = (await call(t.url, "GET", `/api/v1/integrations/${c.body.id}/setup`, undefined, admin)).body.token;
      const post = (p: unknown) => call(t.url, "POST", `/api/v1/integrations/${c.body.id}/event`, withToken(p, token));
      for (const s of cs2Steps.slice(0, 6)) expect((await post(s.payload)).status).toBe(200);
      const live = await openLive(t.url);
      try {
        await until(() => live.frames.length > 3, "frames");
        const from = live.mark();
        const r = await post(cs2Steps[6].payload); // the headshot kill
        expect(r.body.accepted).toBeGreaterThan(0);
        const isWhite = (f: Uint8Array) => Array.from({ length: f.length / 3 }, (_, i) => led(f, i)).every(([r, g, b]) => Math.min(r, g, b) > 60);
        await live.waitFrame(isWhite, "a white kill flash", { from });
        await live.waitMessage("events", (m) => m.items.some((i) => i.event.type === "kill" && i.event.source === c.body.id && i.event.headshot === true));
      } finally {
        await live.close();
      }
    } finally {
      await t.stop();
    }
  });
});

describe("CS2 low health on a running ledbox (FPS Combat)", () => {
  test("health at 20% holds the warning pulse run after run, frame by frame; health back to 100 ends it", async () => {
    const t = await startBox();
    try {
      const { id, token } = await createIntegration(t, { name: "low", type: "cs2" });
      const post = (health: number) => {
        const p = structuredClone(cs2Steps[0].payload) as any;
        p.player.state.health = health;
        return postToIntegration(t, id, withToken(p, token));
      };
      expect((await post(100)).status).toBe(200);
      expect((await post(20)).status).toBe(200);
      const pulses = () => t.box.engine.scene.segments[0].active(t.box.engine.now()).filter((i) => i.def.id === "pulse");
      const first = await until(() => pulses()[0], "the warning pulse");
      // Two runs are booked at the start; the third only by the engine's own frames.
      const run = first.endMs - first.startMs;
      await until(() => pulses().some((i) => i.startMs >= first.startMs + 2 * run), "the third run of the same warning", 8000);
      expect((await post(100)).status).toBe(200);
      expect(pulses()).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});

describe("recording and replay", () => {
  test("a recorded CS2 session replays into a ledbox without that session's state and lights the same events; into the one that saw it, nothing again", async () => {
    const dataDir = tempDir();
    const before = tempDir();
    let t = await startBox({ dataDir });
    const admin = { cookie: await t.admin() };
    const c = await call(t.url, "POST", "/api/v1/integrations", { name: "rec", type: "cs2", record: true }, admin);
    const id = c.body.id;
    const token = (await call(t.url, "GET", `/api/v1/integrations/${id}/setup`, undefined, admin)).body.token;
    await t.stop();
    // The data as it was before the session: the integration exists, it has seen nothing.
    cpSync(dataDir, before, { recursive: true });
    t = await startBox({ dataDir });
    for (const s of cs2Steps) await call(t.url, "POST", `/api/v1/integrations/${id}/event`, withToken(s.payload, token));
    const original = (await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body;
    const recording = readFileSync(original.recording.file, "utf8");
    await t.stop();

    try {
      t = await startBox({ dataDir: before });
      const result = await replay(recording, { url: t.url, speed: 1000, log: () => {} });
      expect(result).toMatchObject({ ok: true, sent: cs2Steps.length, failed: 0 });
      expect((await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body.counts).toEqual(original.counts);
      await t.stop();

      t = await startBox({ dataDir });
      expect(await replay(recording, { url: t.url, speed: 1000, log: () => {} })).toMatchObject({ ok: true, sent: cs2Steps.length, failed: 0 });
      // The same occurrences: values move along with the replay, but no trigger fires again.
      const counts = (await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body.counts;
      expect(Object.keys(counts).filter((type) => !isValueType(type) && type !== "custom")).toEqual([]);
      expect(counts.health).toBeGreaterThan(0);
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(before, { recursive: true, force: true });
    }
  });
});
