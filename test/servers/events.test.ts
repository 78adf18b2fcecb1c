import { describe, expect, test } from "bun:test";
import { parseEvents } from "../../src/events/ingest.ts";
import { serverEvents } from "../../src/servers/events.ts";

const tag = { game: "left4dead2", source: "server:lan" };
const on = (players: number, map = "c1m1", maxPlayers = 4) => ({ online: true, players, maxPlayers, map });
const types = (list: unknown[]) => list.map((e: any) => (e.name ? `${e.type}:${e.name}` : e.map ? `${e.type}:${e.map}` : e.type));

describe("server events", () => {
  test("the first poll sends only the player fraction", () => {
    expect(serverEvents(null, on(2), { joined: ["a", "b"], left: [] }, tag)).toEqual([{ type: "players", value: 2, min: 0, max: 4, ...tag }]);
    expect(serverEvents(null, { online: false, players: 0 }, null, tag)).toEqual([]);
  });

  test("joins, leaves, map change, full and empty, each once; every one validates", () => {
    const full = serverEvents(on(3), on(4, "c1m2"), { joined: ["Zoey"], left: [] }, tag);
    expect(types(full)).toEqual(["map_changed:c1m2", "player_joined:Zoey", "server_full", "players"]);
    const empty = serverEvents(on(1), on(0), { joined: [], left: ["Bill"] }, tag);
    expect(types(empty)).toEqual(["player_left:Bill", "server_empty", "players"]);
    expect(serverEvents(on(2), on(2), { joined: [], left: [] }, tag)).toEqual([]);
    const r = parseEvents([...full, ...empty]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.events.every((e) => e.game === "left4dead2" && e.source === "server:lan")).toBe(true);
  });

  test("without a roster, a changed count stands for anonymous joins and leaves", () => {
    expect(types(serverEvents(on(1), on(3), null, tag))).toEqual(["player_joined", "player_joined", "players"]);
    expect(types(serverEvents(on(3), on(2), null, tag))).toEqual(["player_left", "players"]);
  });

  test("going offline and back online", () => {
    expect(types(serverEvents(on(2), { online: false, players: 0 }, null, tag))).toEqual(["server_offline", "players"]);
    expect(types(serverEvents({ online: false, players: 0 }, on(1), null, tag))).toEqual(["server_online", "players"]);
    expect(serverEvents({ online: false, players: 0 }, { online: false, players: 0 }, null, tag)).toEqual([]);
  });

  test("a crowd arriving at once is capped at 8 join events", () => {
    const names = Array.from({ length: 20 }, (_, i) => `p${i}`);
    expect(serverEvents(on(0, "m", 32), on(20, "m", 32), { joined: names, left: [] }, tag).filter((e) => e.type === "player_joined").length).toBe(8);
  });
});
