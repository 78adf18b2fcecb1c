import { beforeEach, describe, expect, test } from "bun:test";
import { History } from "../../src/servers/history.ts";
import { openDatabase } from "../../src/store/db.ts";
import { HistoryRepo } from "../../src/store/server-history.ts";
import { ServersRepo } from "../../src/store/servers.ts";

let clock = 0;
let history: History;
let id: string;
const T0 = Date.UTC(2026, 10, 22, 12);
const state = (players: number, map = "c1m1_hotel") => ({ online: 1, players, max_players: 8, bots: 0, map });

beforeEach(() => {
  const db = openDatabase(":memory:");
  id = new ServersRepo(db).create({ name: "lan", kind: "source", host: "127.0.0.1" }, null);
  clock = T0;
  history = new History(new HistoryRepo(db), () => clock, { staleSessionMs: 60_000, retentionDays: 30 });
});

describe("run-length history", () => {
  test("a new row only when players, max, bots, map or online change; otherwise last-seen moves on", () => {
    history.record(id, state(1));
    clock += 5000;
    history.record(id, state(1));
    clock += 5000;
    history.record(id, state(2));
    clock += 5000;
    history.record(id, state(2, "c1m2_streets"));
    clock += 5000;
    history.record(id, { online: 0, players: 0, max_players: null, bots: 0, map: null });
    clock += 5000;
    history.record(id, { online: 0, players: 0, max_players: null, bots: 0, map: null });
    const rows = history.repo.snapshots(id, 0);
    expect(rows.map((r) => [r.started_at - T0, r.last_seen_at - T0, r.online, r.players, r.map])).toEqual([
      [0, 5000, 1, 1, "c1m1_hotel"],
      [10_000, 10_000, 1, 2, "c1m1_hotel"],
      [15_000, 15_000, 1, 2, "c1m2_streets"],
      [20_000, 25_000, 0, 0, null],
    ]);
    // `since` selects rows still current at that time.
    expect(history.repo.snapshots(id, T0 + 12_000).length).toBe(2);
  });
});

describe("player sessions", () => {
  test("joins back-dated by connected time, pings min/max, leaves closed when gone", () => {
    const a = { key: "765611980001", name: "Ellis", steamId64: "765611980001", connectedS: 90, ping: 40 };
    const b = { key: "765611980002", name: "Nick", steamId64: "765611980002", connectedS: 5, ping: 20 };
    expect(history.reconcile(id, [a]).joined.map((p) => p.name)).toEqual(["Ellis"]);
    clock += 5000;
    const r = history.reconcile(id, [{ ...a, ping: 70 }, b]);
    expect(r.joined.map((p) => p.name)).toEqual(["Nick"]);
    expect(r.left).toEqual([]);
    clock += 5000;
    const gone = history.reconcile(id, [{ ...b, ping: 10 }]);
    expect(gone.left.map((s) => s.name)).toEqual(["Ellis"]);
    const [ellis] = history.repo.recentSessions(id);
    expect(ellis).toMatchObject({ name: "Ellis", steam_id: "765611980001", joined_at: T0 - 90_000, left_at: T0 + 10_000, ping_min: 40, ping_max: 70 });
    const [nick] = history.repo.openSessions(id);
    expect(nick).toMatchObject({ name: "Nick", joined_at: T0 + 5000 - 5000, left_at: null, ping_min: 10, ping_max: 20, last_seen_at: T0 + 10_000 });
  });

  test("two players with one name (CS2 has no ids) get two sessions", () => {
    const r = history.reconcile(id, [{ key: "Player", name: "Player" }, { key: "Player", name: "Player" }]);
    expect(r.joined.map((p) => p.key)).toEqual(["Player", "Player#2"]);
    clock += 1000;
    expect(history.reconcile(id, [{ key: "Player", name: "Player" }, { key: "Player", name: "Player" }])).toEqual({ joined: [], left: [] });
  });

  test("a server silent for longer than the threshold closes its sessions at their last sighting", () => {
    history.reconcile(id, [{ key: "x", name: "X" }]);
    clock += 59_000;
    expect(history.closeStale(id)).toEqual([]);
    clock += 2000;
    expect(history.closeStale(id).map((s) => s.name)).toEqual(["X"]);
    expect(history.repo.recentSessions(id)[0]).toMatchObject({ left_at: T0 });
    expect(history.repo.openSessions(id)).toEqual([]);
  });
});

describe("retention", () => {
  test("snapshots and closed sessions older than the retention go; open sessions and recent rows stay", () => {
    history.record(id, state(1));
    history.reconcile(id, [{ key: "old", name: "Old" }]);
    clock += 1000;
    history.reconcile(id, [{ key: "stays", name: "Stays" }]);
    clock += 31 * 86_400_000;
    history.record(id, state(2));
    expect(history.prune()).toBe(2);
    expect(history.repo.snapshots(id, 0).map((r) => r.players)).toEqual([2]);
    expect(history.repo.openSessions(id).map((s) => s.name)).toEqual(["Stays"]);
    expect(history.repo.recentSessions(id)).toEqual([]);
  });
});
