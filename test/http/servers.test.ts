// The servers API against a real ledbox and fake game servers on loopback.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { fakeA2s, fakeRcon } from "../servers/fakes.ts";
import { L4D2 } from "../servers/status-fixtures.ts";

setDefaultTimeout(20_000);

const INFO = { name: "Lan Party", map: "c2m1_highway", folder: "left4dead2", game: "Left 4 Dead 2", appId: 550, players: 3, maxPlayers: 8, bots: 1, version: "2.2.2.6" };

describe("servers API", () => {
  let t: TestBox;
  let admin: Record<string, string>;
  let a2s: Awaited<ReturnType<typeof fakeA2s>>;
  let rcon: Awaited<ReturnType<typeof fakeRcon>>;
  beforeAll(async () => {
    t = await startBox();
    admin = { cookie: await t.admin() };
    a2s = await fakeA2s({ info: INFO, players: [] });
    rcon = await fakeRcon({ password: "s3cret", emptyBeforeAuth: true, output: L4D2, mirror: true });
  });
  afterAll(async () => {
    await t.stop();
    a2s.close();
    rcon.close();
  });

  test("bad input is a 400 naming the field, and nothing is stored", async () => {
    const bad = async (body: unknown, msg: string) => {
      const r = await call(t.url, "POST", "/api/v1/servers", body, admin);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(msg);
    };
    await bad({ name: "x", kind: "source" }, "host: required for a source server");
    await bad({ name: "x", kind: "source-rcon", host: "127.0.0.1" }, "rconPassword: required for a source-rcon server");
    await bad({ name: "x", kind: "source", host: "127.0.0.1", intervalMs: 200 }, "intervalMs");
    await bad({ name: "x", kind: "source", host: "bad host!" }, "host: a host name or IP address");
    await bad({ name: "x", kind: "quake", host: "127.0.0.1" }, "kind");
    await bad({ name: "x", kind: "source", host: "127.0.0.1", interval: 5000 }, "interval");
    await bad({ name: "x", kind: "json", url: "http://127.0.0.1/x", rules: { players: "a..b" } }, "rules.players");
    await bad("[1,2]", "expected a JSON object");
    expect((await call(t.url, "GET", "/api/v1/servers")).body).toEqual([]);
    expect((await call(t.url, "POST", "/api/v1/servers", { name: "x", kind: "source", host: "127.0.0.1" })).status).toBe(401);
  });

  test("an RCON server: the password is stored but never returned, and PUT without it keeps it", async () => {
    const body = { name: "L4D2", kind: "source-rcon", host: "127.0.0.1", port: a2s.port, rconPort: rcon.port, rconPassword: "s3cret", intervalMs: 1000 };
    const c = await call(t.url, "POST", "/api/v1/servers", body, admin);
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: "L4D2", kind: "source-rcon", hasRconPassword: true, timeoutMs: 2000, enabled: true });
    expect(JSON.stringify(c.body)).not.toContain("s3cret");
    const id = c.body.id;
    const status = await until(async () => {
      const s = await call(t.url, "GET", `/api/v1/servers/${id}/status`);
      return s.body.state === "online" && s.body;
    }, "the server online", 5000);
    expect(status).toMatchObject({ fresh: true, problem: null, address: `127.0.0.1:${a2s.port}`, server: { map: "c2m1_highway", players: 2, maxPlayers: 8, bots: 1, game: "left4dead2" } });
    const players = (await call(t.url, "GET", `/api/v1/servers/${id}/players`)).body;
    // Oldest join first: joins are back-dated by the connected time (Nick 1:02:03, Ellis 28:40).
    expect(players.current.map((p: any) => [p.name, p.steamId64])).toEqual([['Nick "the" Con', "76561197960265737"], ["Ellis", "76561198025464252"]]);
    expect(players.current[1].connectedS).toBeGreaterThanOrEqual(1720);

    const { id: _, createdAt, updatedAt, hasRconPassword, ...record } = c.body;
    const u = await call(t.url, "PUT", `/api/v1/servers/${id}`, { ...record, name: "L4D2 renamed" }, admin);
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ name: "L4D2 renamed", hasRconPassword: true });
    // A rename keeps the connection, so the poller and what it has shown are kept (a new poller
    // would show lastPollAt null until its first poll).
    const kept = (await call(t.url, "GET", `/api/v1/servers/${id}/status`)).body;
    expect(kept).toMatchObject({ name: "L4D2 renamed", state: "online" });
    expect(kept.lastPollAt).not.toBeNull();
    // The stored password still works: a poll that started after the rename (the second one to
    // finish after it; polls of one server never overlap) still gets the roster over RCON.
    const opened = rcon.connections.opened;
    let seen = kept.lastPollAt;
    let polls = 0;
    const polled = await until(async () => {
      const s = (await call(t.url, "GET", `/api/v1/servers/${id}/status`)).body;
      if (s.lastPollAt !== seen) (seen = s.lastPollAt), polls++;
      return polls >= 2 && s;
    }, "two polls after the rename", 5000);
    expect(polled).toMatchObject({ state: "online", problem: null, server: { players: 2, roster: "complete" } });
    expect(rcon.connections.opened).toBeGreaterThan(opened);
    expect((await call(t.url, "GET", "/api/v1/servers")).body.map((s: any) => [s.name, s.state])).toEqual([["L4D2 renamed", "online"]]);

    const hist = await call(t.url, "GET", `/api/v1/servers/${id}/history?since=0`);
    expect(hist.body[0]).toMatchObject({ online: true, players: 2, maxPlayers: 8, map: "c2m1_highway" });
    expect((await call(t.url, "GET", `/api/v1/servers/${id}/history?since=yesterday`)).status).toBe(400);

    expect((await call(t.url, "DELETE", `/api/v1/servers/${id}`, undefined, admin)).status).toBe(200);
    const gone = await call(t.url, "GET", `/api/v1/servers/${id}/status`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe(`no server ${id}`);
  });

  test("a wrong RCON password: online from A2S, players unknown, not asked again until the password changes", async () => {
    const c = await call(t.url, "POST", "/api/v1/servers", { name: "wrong pw", kind: "source-rcon", host: "127.0.0.1", port: a2s.port, rconPort: rcon.port, rconPassword: "nope", intervalMs: 1000 }, admin);
    const status = async () => (await call(t.url, "GET", `/api/v1/servers/${c.body.id}/status`)).body;
    const s = await until(async () => (await status()).problem && status(), "a problem", 5000);
    expect(s).toMatchObject({ state: "online", server: { players: 2, roster: "unknown" } });
    expect(s.problem).toBe("RCON: the server refused the RCON password; not asked again for 1 min (srcds bans an address after repeated failures): correct rconPassword to retry now");
    // Two more polls happen (A2S answers each), and RCON is not asked again.
    const opened = rcon.connections.opened;
    const polled = s.lastPollAt;
    await until(async () => (await status()).lastPollAt !== polled && (await status()).lastPollAt, "another poll", 5000);
    const again = await status();
    await until(async () => (await status()).lastPollAt !== again.lastPollAt, "a third poll", 5000);
    expect(rcon.connections.opened).toBe(opened);
    // The right password alone (a partial body) retries at once; the rest of the config stays.
    const fixed = await call(t.url, "PUT", `/api/v1/servers/${c.body.id}`, { rconPassword: "s3cret" }, admin);
    expect(fixed.body).toMatchObject({ name: "wrong pw", kind: "source-rcon", port: a2s.port, rconPort: rcon.port, intervalMs: 1000, hasRconPassword: true });
    const ok = await until(async () => { const r = await status(); return r.server?.roster === "complete" && r; }, "the roster from RCON", 5000);
    expect(ok).toMatchObject({ problem: null, server: { players: 2, roster: "complete" } });
    await call(t.url, "DELETE", `/api/v1/servers/${c.body.id}`, undefined, admin);
  });

  test("PUT {\"enabled\": false} alone stops the polls and keeps the rest; {\"enabled\": true} alone polls again with the stored password", async () => {
    const game = await fakeA2s({ info: INFO, players: [] });
    const gameRcon = await fakeRcon({ password: "s3cret", emptyBeforeAuth: true, output: L4D2, mirror: true });
    // Another server, polled every second throughout: its polls are the clock of this test.
    const other = await fakeA2s({ info: INFO, players: [] });
    const ids: string[] = [];
    try {
      const body = { name: "to pause", kind: "source-rcon", host: "127.0.0.1", port: game.port, rconPort: gameRcon.port, rconPassword: "s3cret", intervalMs: 1000 };
      const c = await call(t.url, "POST", "/api/v1/servers", body, admin);
      expect(c.status).toBe(201);
      const id = c.body.id;
      ids.push(id);
      const clock = await call(t.url, "POST", "/api/v1/servers", { name: "clock", kind: "source", host: "127.0.0.1", port: other.port, intervalMs: 1000 }, admin);
      ids.push(clock.body.id);
      const status = async (sid = id) => (await call(t.url, "GET", `/api/v1/servers/${sid}/status`)).body;
      /** Resolves after `n` more polls of the clock server. */
      const ticks = async (n: number) => {
        let seen = (await status(clock.body.id)).lastPollAt;
        for (let i = 0; i < n; i++) {
          await until(async () => {
            const at = (await status(clock.body.id)).lastPollAt;
            return at !== seen && (seen = at);
          }, `clock poll ${i + 1} of ${n}`, 5000);
        }
      };
      await until(async () => (await status()).server?.roster === "complete", "the roster over RCON", 5000);

      const off = await call(t.url, "PUT", `/api/v1/servers/${id}`, { enabled: false }, admin);
      expect(off.status).toBe(200);
      const { rconPassword: _, ...shown } = body;
      expect(off.body).toMatchObject({ ...shown, enabled: false, hasRconPassword: true });
      expect(await status()).toMatchObject({ name: "to pause", enabled: false, state: "disabled", address: `127.0.0.1:${game.port}` });
      expect((await call(t.url, "GET", "/api/v1/servers")).body.find((s: { id: string }) => s.id === id)).toMatchObject({ name: "to pause", enabled: false, state: "disabled" });
      // A poll out when it was disabled has long finished by the clock's next poll; from then
      // on, through two more of the clock's polls (each a second apart, more than this server's
      // interval), nothing reaches the game server.
      await ticks(1);
      const asked = { a2s: game.requests.length, rcon: gameRcon.connections.opened };
      await ticks(2);
      expect({ a2s: game.requests.length, rcon: gameRcon.connections.opened }).toEqual(asked);
      expect(await status()).toMatchObject({ state: "disabled", lastPollAt: null });

      const on = await call(t.url, "PUT", `/api/v1/servers/${id}`, { enabled: true }, admin);
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ ...shown, enabled: true, hasRconPassword: true });
      // Polled again, and the stored password is accepted: the roster comes over RCON.
      const back = await until(async () => {
        const s = await status();
        return s.server?.roster === "complete" && s;
      }, "the roster over RCON again", 5000);
      expect(back).toMatchObject({ name: "to pause", state: "online", problem: null, server: { players: 2 } });
      expect(gameRcon.connections.opened).toBeGreaterThan(asked.rcon);
    } finally {
      for (const sid of ids) await call(t.url, "DELETE", `/api/v1/servers/${sid}`, undefined, admin);
      game.close();
      gameRcon.close();
      other.close();
    }
  });

  test("a server that never answers goes offline with the timeout in plain words", async () => {
    const silent = await fakeA2s({ info: INFO, players: [], override: () => null });
    try {
      const c = await call(t.url, "POST", "/api/v1/servers", { name: "silent", kind: "source", host: "127.0.0.1", port: silent.port, intervalMs: 1000, timeoutMs: 300 }, admin);
      const s = await until(async () => {
        const r = await call(t.url, "GET", `/api/v1/servers/${c.body.id}/status`);
        return r.body.state === "offline" && r.body;
      }, "the server offline", 8000);
      expect(s).toMatchObject({ fresh: false, server: null, problem: `timeout after 0.3 s waiting for an A2S reply from 127.0.0.1:${silent.port}` });
      expect(s.failures).toBeGreaterThanOrEqual(2);
      await call(t.url, "DELETE", `/api/v1/servers/${c.body.id}`, undefined, admin);
    } finally {
      silent.close();
    }
  });

  test("Steam enrichment is off by default; enabling needs a key, which is never returned", async () => {
    expect((await call(t.url, "GET", "/api/v1/servers/options")).body).toEqual({ steam: { enabled: false, ttlHours: 24, hasApiKey: false, lastProblem: null } });
    const noKey = await call(t.url, "PUT", "/api/v1/servers/options", { steam: { enabled: true } }, admin);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error).toBe("invalid steam options: apiKey: required to enable Steam profiles");
    expect((await call(t.url, "PUT", "/api/v1/servers/options", { steam: { apiKey: "short" } }, admin)).body.error).toContain("apiKey: 32 hexadecimal characters");
    expect((await call(t.url, "PUT", "/api/v1/servers/options", { steem: {} }, admin)).body.error).toBe("invalid options: steem: unknown field");
    expect((await call(t.url, "PUT", "/api/v1/servers/options", { steam: 5 }, admin)).body.error).toBe("invalid options: steam: expected an object");
    expect((await call(t.url, "PUT", "/api/v1/servers/options", [], admin)).body.error).toBe("invalid options: expected a JSON object");
    const ok = await call(t.url, "PUT", "/api/v1/servers/options", { steam: { enabled: true, apiKey: "0123456789abcdef0123456789ABCDEF" } }, admin);
    expect(ok.body).toEqual({ steam: { enabled: true, ttlHours: 24, hasApiKey: true, lastProblem: null } });
    expect(JSON.stringify((await call(t.url, "GET", "/api/v1/servers/options")).body)).not.toContain("0123456789");
    await call(t.url, "PUT", "/api/v1/servers/options", { steam: { enabled: false } }, admin);
  });
});
