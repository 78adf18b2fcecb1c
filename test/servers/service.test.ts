// The service on an in-memory database, an injected clock and a scripted poll function.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ServersService } from "../../src/servers/service.ts";
import { History } from "../../src/servers/history.ts";
import type { Snapshot } from "../../src/servers/poll.ts";
import { SteamProfiles } from "../../src/servers/steam.ts";
import { openDatabase } from "../../src/store/db.ts";
import { HistoryRepo } from "../../src/store/server-history.ts";
import { ServersRepo } from "../../src/store/servers.ts";
import { ServerCatalog } from "../../src/servers/catalog.ts";

let clock: number;
let answer: Snapshot | Error;
let pollCalls: number;
let events: Record<string, unknown>[];
let svc: ServersService;
let id: string;
const T0 = Date.UTC(2026, 10, 22, 20);
const snap = (names: string[], map = "ctf_2fort"): Snapshot => ({
  name: "TF2", map, game: "tf", players: names.length, maxPlayers: 2, bots: 0, notes: [], problems: [],
  roster: names.map((n) => ({ key: `id-${n}`, name: n, steamId64: `7656119800000000${names.indexOf(n)}`, connectedS: 10, ping: 50 })),
});

beforeEach(() => {
  const db = openDatabase(":memory:");
  const catalog = new ServerCatalog(new ServersRepo(db));
  const history = new History(new HistoryRepo(db), () => clock, { staleSessionMs: 60_000, retentionDays: 30 });
  clock = T0;
  pollCalls = 0;
  events = [];
  answer = snap(["Scout"]);
  svc = new ServersService({
    catalog, history, steam: new SteamProfiles(history.repo, () => ({ enabled: false, ttlHours: 24 }), () => clock),
    publish: (list) => events.push(...(list as Record<string, unknown>[])),
    log: () => {}, now: () => clock,
    poll: async () => {
      pollCalls++;
      await Bun.sleep(5);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  // A long interval: the scheduler's own first poll may come, but it sees the same scripted answer.
  id = svc.create({ name: "tf", kind: "source", host: "127.0.0.1", intervalMs: 3_600_000 }).id;
});
afterEach(() => svc.stop());

const types = () => events.map((e) => (e.name ? `${e.type}:${e.name}` : e.type));

describe("servers service", () => {
  test("two polls asked at once are one poll", async () => {
    const before = pollCalls;
    await Promise.all([svc.pollNow(id), svc.pollNow(id)]);
    expect(pollCalls - before).toBe(1);
  });

  test("baseline, join, full, map change, leave, then offline after two failures and back", async () => {
    await svc.pollNow(id);
    expect(types()).toEqual(["players"]);
    events = [];
    clock += 5000;
    answer = snap(["Scout", "Medic"], "cp_badlands");
    await svc.pollNow(id);
    expect(types()).toEqual(["map_changed", "player_joined:Medic", "server_full", "players"]);
    expect(events[0]).toMatchObject({ map: "cp_badlands", game: "tf", source: "server:tf" });
    events = [];
    clock += 5000;
    answer = snap(["Medic"], "cp_badlands");
    await svc.pollNow(id);
    expect(types()).toEqual(["player_left:Scout", "players"]);
    events = [];
    answer = new Error("timeout after 2 s waiting for an A2S reply from 127.0.0.1:27015");
    // Online through the first failure, offline at the second.
    for (let i = 0; i < 2; i++) {
      clock += 5000;
      expect(svc.status(id)!.state).toBe("online");
      await svc.pollNow(id);
    }
    expect(types()).toEqual(["server_offline", "players"]);
    // The players value keeps the last known max, so a meter's scale does not jump.
    expect(events[1]).toMatchObject({ type: "players", value: 0, max: 2 });
    expect(svc.status(id)).toMatchObject({ state: "offline", problem: "timeout after 2 s waiting for an A2S reply from 127.0.0.1:27015", failures: 2 });
    // Silent for longer than the threshold: Medic's session is closed at the last sighting.
    clock += 60_000;
    await svc.pollNow(id);
    const players = svc.players(id);
    expect(players.current).toEqual([]);
    expect(players.recent.map((p) => [p.name, p.leftAt])).toEqual([["Medic", new Date(T0 + 10_000).toISOString()], ["Scout", new Date(T0 + 10_000).toISOString()]]);
    events = [];
    answer = snap([]);
    await svc.pollNow(id);
    expect(types()).toEqual(["server_online", "players"]);
    expect(svc.history(id, 0).map((h) => [h.online, h.players, h.map])).toEqual([
      [true, 1, "ctf_2fort"], [true, 2, "cp_badlands"], [true, 1, "cp_badlands"], [false, 0, null], [true, 0, "ctf_2fort"],
    ]);
  });

  test("status is stale once the last answer is older than two intervals plus the timeout", async () => {
    await svc.pollNow(id);
    expect(svc.status(id)).toMatchObject({ state: "online", fresh: true, server: { map: "ctf_2fort", players: 1, maxPlayers: 2 } });
    clock += 2 * 3_600_000 + 2001;
    expect(svc.status(id)!.fresh).toBe(false);
  });

  test("a json server's event rules (the game adapters' engine) fire from its replies", async () => {
    const json = svc.create({ name: "horde", kind: "json", url: "http://127.0.0.1:9/state", intervalMs: 3_600_000,
      rules: { players: "players", events: [{ event: "custom", path: "wave", on: "increase", fields: { name: "wave", value: "$value" } }] } }).id;
    const reply = (wave: number): Snapshot => ({ game: "generic", players: 0, bots: 0, roster: "counts-only", notes: [], problems: [], payload: { players: 0, wave } });
    answer = reply(1);
    await svc.pollNow(json);
    events = [];
    answer = reply(2);
    await svc.pollNow(json);
    expect(events).toEqual([{ type: "custom", name: "wave", value: 2, game: "generic", source: "server:horde" }]);
  });

  test("a result arriving after the server was deleted is dropped", async () => {
    const p = svc.pollNow(id);
    svc.remove(id);
    expect(await p).toBe(false);
    expect(events).toEqual([]);
  });

  test("a roster that cannot be read keeps the sessions; when it is back, only real changes fire", async () => {
    answer = snap(["Scout", "Medic", "Heavy", "Spy"]);
    await svc.pollNow(id);
    events = [];
    // RCON refused (say): the count stays known, who is on is not.
    const unknown = (players: number): Snapshot => ({ ...snap([]), players, roster: "unknown", problems: ["RCON: auth failed: the server refused the RCON password"], rconRefused: true });
    for (const players of [4, 5, 4]) {
      clock += 5000;
      answer = unknown(players);
      await svc.pollNow(id);
    }
    expect(types()).toEqual(["players", "players"]); // the meter follows the count; no one joined or left
    expect(svc.players(id)).toMatchObject({ roster: "unknown" });
    expect(svc.players(id).current.map((p) => p.name).sort()).toEqual(["Heavy", "Medic", "Scout", "Spy"]);
    // Hours later the password is fixed: Spy left, Pyro came; the other three never left.
    events = [];
    clock += 3 * 3_600_000;
    answer = snap(["Scout", "Medic", "Heavy", "Pyro"]);
    await svc.pollNow(id);
    expect(types()).toEqual(["player_left:Spy", "player_joined:Pyro"]);
    expect(svc.players(id).roster).toBe("complete");
  });

  test("a period when ledbox was not polling is not shown as online", async () => {
    await svc.pollNow(id);
    clock += 1000;
    await svc.pollNow(id);
    // Ledbox stopped for a day; the server, same as before, answers the first poll after.
    clock += 86_400_000;
    await svc.pollNow(id);
    const rows = svc.history(id, 0);
    expect(rows.map((r) => [r.from, r.to])).toEqual([
      [new Date(T0).toISOString(), new Date(T0 + 1000).toISOString()],
      [new Date(T0 + 1000 + 86_400_000).toISOString(), new Date(T0 + 1000 + 86_400_000).toISOString()],
    ]);
  });

  test("a change that keeps the connection keeps what polls have shown; a new address starts over", async () => {
    await svc.pollNow(id);
    events = [];
    svc.update(id, { name: "tf renamed" });
    clock += 5000;
    answer = snap(["Scout", "Medic"]);
    await svc.pollNow(id);
    // A join, not a first-poll baseline; and the events carry the new name.
    expect(types()).toEqual(["player_joined:Medic", "server_full", "players"]);
    expect(events[0]).toMatchObject({ source: "server:tf renamed" });
    events = [];
    svc.update(id, { host: "127.0.0.2" });
    expect(svc.status(id).state).toBe("unknown");
    await svc.pollNow(id);
    expect(types()).toEqual(["players"]);
  });
});
