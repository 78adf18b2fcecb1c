// One poll of each kind against the fakes, as the common snapshot.
import { afterEach, describe, expect, test } from "bun:test";
import { pollServer } from "../../src/servers/poll.ts";
import { ServerCatalog } from "../../src/servers/catalog.ts";
import { History } from "../../src/servers/history.ts";
import { ServersService } from "../../src/servers/service.ts";
import { SteamProfiles } from "../../src/servers/steam.ts";
import { openDatabase } from "../../src/store/db.ts";
import { HistoryRepo } from "../../src/store/server-history.ts";
import { ServersRepo } from "../../src/store/servers.ts";
import { fakeA2s, fakeMinecraft, fakeRcon } from "./fakes.ts";
import { CS2, TF2 } from "./status-fixtures.ts";

const base = { intervalMs: 5000, timeoutMs: 2000, enabled: true };
const info = (players: number, bots: number) => ({ name: "x", map: "de_lake", folder: "csgo", game: "CS2", appId: 730, players, maxPlayers: 10, bots, version: "1" });
let close: (() => void)[] = [];
afterEach(() => {
  close.forEach((c) => c());
  close = [];
});
const keep = <T extends { close(): void }>(f: T) => (close.push(() => f.close()), f);

describe("pollServer", () => {
  test("source: names from A2S when no bots are on; counts only while bots are listed like players", async () => {
    const f = keep(await fakeA2s({ info: info(2, 0), players: [{ name: "a", score: 0, duration: 12.4 }, { name: "b", score: 0, duration: 3 }] }));
    const s = await pollServer({ ...base, name: "s", kind: "source", host: "127.0.0.1", port: f.port });
    expect(s).toMatchObject({ game: "csgo", map: "de_lake", players: 2, bots: 0, maxPlayers: 10, notes: [], roster: [{ key: "a", name: "a", connectedS: 12 }, { key: "b", name: "b", connectedS: 3 }] });
    f.behaviour.info = info(3, 1);
    f.behaviour.players.push({ name: "BOT Romanov", score: 0, duration: 100 });
    const withBot = await pollServer({ ...base, name: "s", kind: "source", host: "127.0.0.1", port: f.port });
    expect(withBot).toMatchObject({ players: 2, bots: 1, roster: "counts-only" });
    expect(withBot.notes[0]).toContain("counts only while bots are on");
  });

  test("source-rcon on CS2: humans from status by name, max from A2S, and the missing Steam ids said", async () => {
    const a = keep(await fakeA2s({ info: info(2, 1), players: [] }));
    const r = keep(await fakeRcon({ password: "pw", emptyBeforeAuth: false, output: CS2, mirror: false }));
    const s = await pollServer({ ...base, name: "cs", kind: "source-rcon", host: "127.0.0.1", port: a.port, rconPort: r.port, rconPassword: "pw" });
    expect(s).toMatchObject({ players: 1, bots: 1, maxPlayers: 10, map: "de_lake", roster: [{ key: "dhe'agman", name: "dhe'agman", connectedS: 125, ping: 14 }] });
    expect(s.notes).toEqual(["CS2 status has no Steam ids: players are told apart by name"]);
    // Only A2S was asked for INFO: the roster came from RCON.
    expect(a.requests.every((q) => q[4] === 0x54)).toBe(true);
  });

  test("minecraft: version and protocol reach the status; sessions only while the sample lists everyone online", async () => {
    const f = keep(await fakeMinecraft({ status: { version: { name: "Paper 1.21.4", protocol: 769 }, players: { online: 3, max: 20, sample: [{ name: "Steve", id: "u1" }] }, description: "hi" } }));
    const s = await pollServer({ ...base, name: "m", kind: "minecraft", host: "127.0.0.1", port: f.port });
    expect(s).toMatchObject({ game: "minecraft", name: "hi", players: 3, maxPlayers: 20, version: "Paper 1.21.4", protocol: 769, roster: "counts-only", notes: ["the server lists only a sample of its players: no sessions"] });
    // The same poll through the service (as GET /api/v1/servers/{id}/status shows it): the
    // version and protocol number reach the status.
    const db = openDatabase(":memory:");
    const history = new History(new HistoryRepo(db), Date.now, { staleSessionMs: 60_000, retentionDays: 30 });
    const svc = new ServersService({
      catalog: new ServerCatalog(new ServersRepo(db)), history,
      steam: new SteamProfiles(history.repo, () => ({ enabled: false, ttlHours: 24 }), Date.now),
      publish: () => {}, log: () => {},
    });
    try {
      const { id } = svc.create({ name: "m", kind: "minecraft", host: "127.0.0.1", port: f.port, intervalMs: 3_600_000 });
      expect(await svc.pollNow(id)).toBe(true);
      expect(svc.status(id)).toMatchObject({ state: "online", problem: null, server: { name: "hi", game: "minecraft", players: 3, maxPlayers: 20, version: "Paper 1.21.4", protocol: 769, roster: "counts-only" } });
    } finally {
      svc.stop();
      db.close();
    }
    f.behaviour.status = { players: { online: 1, max: 20, sample: [{ name: "Steve", id: "u1" }] }, description: "hi" };
    expect((await pollServer({ ...base, name: "m", kind: "minecraft", host: "127.0.0.1", port: f.port })).roster).toEqual([{ key: "u1", name: "Steve" }]);
  });

  test("A2S answers INFO but not PLAYER: online with the INFO figures, players unknown, the silent query named", async () => {
    const f = keep(await fakeA2s({ info: info(2, 0), players: [], override: (req) => (req[4] === 0x55 ? null : undefined) }));
    const s = await pollServer({ ...base, timeoutMs: 300, name: "s", kind: "source", host: "127.0.0.1", port: f.port });
    expect(s).toMatchObject({ name: "x", map: "de_lake", players: 2, maxPlayers: 10, roster: "unknown" });
    expect(s.problems).toEqual([`A2S_PLAYER: timeout after 0.3 s waiting for an A2S reply from 127.0.0.1:${f.port}`]);
  });

  test("source-rcon with A2S silent: online from RCON status (name, map, players, max), the A2S problem said", async () => {
    const silent = keep(await fakeA2s({ info: info(0, 0), players: [], override: () => null }));
    const r = keep(await fakeRcon({ password: "pw", emptyBeforeAuth: true, output: TF2, mirror: true }));
    const s = await pollServer({ ...base, timeoutMs: 300, name: "tf", kind: "source-rcon", host: "127.0.0.1", port: silent.port, rconPort: r.port, rconPassword: "pw" });
    expect(s).toMatchObject({ name: "Lan TF2", map: "pl_pier", players: 2, bots: 1, maxPlayers: 33, game: undefined });
    expect(Array.isArray(s.roster) && s.roster.map((p) => p.name)).toEqual(["Just PYE", "a very long player name here"]);
    expect(s.problems).toEqual([`A2S: timeout after 0.3 s waiting for an A2S reply from 127.0.0.1:${silent.port} (name, map and players come from RCON status)`]);
  });

  test("source-rcon with a refused password: online from A2S, players unknown, the refusal flagged; skipped RCON asks nothing", async () => {
    const a = keep(await fakeA2s({ info: info(3, 0), players: [] }));
    const r = keep(await fakeRcon({ password: "right", emptyBeforeAuth: true, output: TF2, mirror: true }));
    const cfg = { ...base, name: "tf", kind: "source-rcon" as const, host: "127.0.0.1", port: a.port, rconPort: r.port, rconPassword: "wrong" };
    const s = await pollServer(cfg);
    expect(s).toMatchObject({ players: 3, roster: "unknown", rconRefused: true, problems: ["RCON: auth failed: the server refused the RCON password"] });
    const opened = r.connections.opened;
    const skipped = await pollServer(cfg, { rcon: false });
    expect(skipped).toMatchObject({ players: 3, roster: "unknown", problems: [] });
    expect(r.connections.opened).toBe(opened);
  });

  test("source-rcon with neither answering fails with both reasons", async () => {
    const a = keep(await fakeA2s({ info: info(0, 0), players: [], override: () => null }));
    const port = a.port;
    a.close();
    await expect(pollServer({ ...base, name: "tf", kind: "source-rcon", host: "127.0.0.1", port, rconPort: 1, rconPassword: "pw" }))
      .rejects.toThrow(`nothing answers on UDP 127.0.0.1:${port}: its host says the port is closed (is the game server running?); RCON: cannot connect to 127.0.0.1:1`);
  });
});
