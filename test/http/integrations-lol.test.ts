// LoL end to end: ledbox polls a fake Live Client Data API over HTTPS with a self-signed
// certificate on loopback (as the game serves it), and the same JSON arrives by relay POST.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import { call, integrationStatus, startBox, until, type TestBox } from "../helpers/box.ts";
import { loadFixture, loadSequences } from "../games/fixture.ts";

setDefaultTimeout(20_000);
const steps = loadFixture("lol-game.json").steps;
// The loading screen, then the first list 47.5 s into the game (GameStart at 0.03 s).
const [loading, , lateFirst] = loadSequences("lol-first-answers.json").sequences[0].steps;
const fixtures = join(import.meta.dir, "..", "games", "fixtures");

describe("League of Legends integration", () => {
  let t: TestBox;
  let admin: Record<string, string>;
  let game: Server<unknown>;
  let current: { status: number; body: unknown } = { status: 404, body: steps[0].payload };
  let requests = 0;
  /** Paths polled, in order. */
  const paths: string[] = [];

  beforeAll(async () => {
    game = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      tls: { cert: readFileSync(join(fixtures, "lol-test-cert.pem"), "utf8"), key: readFileSync(join(fixtures, "lol-test-key.pem"), "utf8") },
      fetch(req) {
        requests++;
        paths.push(new URL(req.url).pathname);
        if (new URL(req.url).pathname !== "/liveclientdata/allgamedata") return new Response("no", { status: 404 });
        return Response.json(current.body, { status: current.status });
      },
    });
    t = await startBox();
    admin = { cookie: await t.admin() };
  });
  afterAll(async () => {
    await t.stop();
    game.stop(true);
  });

  const status = (id: string) => integrationStatus(t, id);

  test("the test API's certificate is not trusted in general (only the poller skips verification)", async () => {
    await expect(fetch(`https://127.0.0.1:${game.port}/liveclientdata/allgamedata`)).rejects.toThrow();
  });

  test("poll mode: the loading screen is explained, its first list is all new (GameStart fires at 47.5 s), every occurrence fires once while the list grows", async () => {
    current = { status: 404, body: loading.payload };
    const r = await call(t.url, "POST", "/api/v1/integrations", { name: "lol-poll", type: "lol", config: { mode: "poll", url: `https://127.0.0.1:${game.port}`, intervalMs: 100 } }, admin);
    expect(r.status).toBe(201);
    const id = r.body.id;
    await until(async () => (await status(id)).problem?.text === "the game API answered RESOURCE_NOT_FOUND (loading screen)", "the loading-screen problem");
    current = { status: 200, body: lateFirst.payload };
    await until(async () => (await status(id)).counts.match_start === 1, "the match start");
    expect((await status(id)).problem).toBeNull();
    for (const s of steps.slice(2)) {
      current = { status: 200, body: s.payload };
      const seen = requests;
      await until(() => requests >= seen + 2, "two polls of this state");
    }
    const st = await until(async () => {
      const x = await status(id);
      return x.counts.match_end === 1 && x;
    }, "the match end");
    expect(st.counts).toMatchObject({ match_start: 1, kill: 2, first_blood: 1, assist: 1, multikill: 1, death: 1, objective: 5, match_end: 1 });
    expect(st.connected).toBe(true);
    // Deleting the integration stops its poller: another poller's polls are the marker that time passed.
    await call(t.url, "DELETE", `/api/v1/integrations/${id}`, undefined, admin);
    const after = requests;
    let markers = 0;
    const other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (markers++, Response.json(loading.payload, { status: 404 })) });
    try {
      const m = await call(t.url, "POST", "/api/v1/integrations", { name: "lol-marker", type: "lol", config: { mode: "poll", url: `http://127.0.0.1:${other.port}`, intervalMs: 100 } }, admin);
      await until(() => markers >= 4, "four polls of the other game");
      expect(requests - after).toBeLessThanOrEqual(1);
      await call(t.url, "DELETE", `/api/v1/integrations/${m.body.id}`, undefined, admin);
    } finally {
      other.stop(true);
    }
  });

  test("poll mode with no game running says so", async () => {
    const r = await call(t.url, "POST", "/api/v1/integrations", { name: "lol-nogame", type: "lol", config: { mode: "poll", url: "https://127.0.0.1:1", intervalMs: 100 } }, admin);
    await until(async () => (await status(r.body.id)).problem?.text.includes("no game running"), "the no-game problem");
    await call(t.url, "DELETE", `/api/v1/integrations/${r.body.id}`, undefined, admin);
  });

  test("relay mode: the PC's relay POSTs the same JSON with the bearer token", async () => {
    const r = await call(t.url, "POST", "/api/v1/integrations", { name: "lol-relay", type: "lol" }, admin);
    const setup = (await call(t.url, "GET", `/api/v1/integrations/${r.body.id}/setup`, undefined, admin)).body;
    const token = setup.token;
    // The relay comes ready to run, with this integration's URL and token in it.
    expect(setup.file.filename).toBe("ledbox-lol-relay.ps1");
    expect(setup.file.content).toContain(`-H "Authorization: Bearer ${token}"`);
    expect(setup.file.content).toContain(`/api/v1/integrations/${r.body.id}/event;`);
    expect(setup.example).toContain(`Authorization: Bearer ${token}`);
    const relay = (body: unknown) => call(t.url, "POST", `/api/v1/integrations/${r.body.id}/event`, body, { authorization: `Bearer ${token}` });
    // curl posts whatever the game answers: on the loading screen, its 404 JSON.
    expect((await relay(loading.payload)).status).toBe(200);
    expect((await status(r.body.id)).problem.text).toBe("the game API answered RESOURCE_NOT_FOUND (loading screen)");
    expect((await relay(lateFirst.payload)).status).toBe(200);
    expect((await status(r.body.id)).problem).toBeNull();
    for (const s of [...steps.slice(2), ...steps.slice(1)]) expect((await relay(s.payload)).status).toBe(200);
    expect((await status(r.body.id)).counts).toMatchObject({ match_start: 1, kill: 2, death: 1, objective: 5, match_end: 1 });
  });
});
