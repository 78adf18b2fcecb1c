import { describe, expect, test } from "bun:test";
import { parseDuration, parseStatus, steamId2To64, steamId3To64 } from "../../src/servers/status.ts";
import { CS2, L4D2, TF2 } from "./status-fixtures.ts";

describe("SteamID maths", () => {
  test("SteamID2 and SteamID3 to SteamID64 (exact beyond 2^53)", () => {
    // 2 × 32599262 + 0 = 65198524.
    expect(steamId2To64("STEAM_1:0:32599262")).toBe("76561198025464252");
    expect(steamId2To64("STEAM_0:0:32599262")).toBe("76561198025464252");
    expect(steamId3To64("[U:1:65198524]")).toBe("76561198025464252");
    expect(steamId3To64("[U:1:1479357239]")).toBe("76561199439622967");
    expect(steamId2To64("STEAM_1:2:3")).toBeUndefined();
    expect(steamId3To64("[G:1:4430558]")).toBeUndefined();
  });
  test("connected times", () => {
    expect(parseDuration("28:40")).toBe(1720);
    expect(parseDuration("1:34:14")).toBe(5654);
    expect(parseDuration("BOT")).toBeUndefined();
  });
});

describe("status", () => {
  test("L4D2: SteamID2 rows with a slot number, a bot row, header counts kept apart from the table", () => {
    const s = parseStatus(L4D2);
    expect(s).toMatchObject({ variant: "l4d2", hostname: "Lan Party", map: "c2m1_highway", humans: 2, bots: 0, maxPlayers: 8 });
    expect(s.players).toEqual([
      { userId: 7, name: "Ellis", uniqueId: "STEAM_1:0:32599262", steamId64: "76561198025464252", connectedS: 1720, ping: 66, bot: false, state: "active" },
      { userId: 9, name: 'Nick "the" Con', uniqueId: "STEAM_1:1:4", steamId64: "76561197960265737", connectedS: 3723, ping: 12, bot: false, state: "active" },
      { userId: 98, name: "Tank", bot: true, state: "active" },
    ]);
  });

  test("TF2: SteamID3, fixed columns pushed by a long name, hours, SourceTV as a bot", () => {
    const s = parseStatus(TF2);
    expect(s).toMatchObject({ variant: "tf2", hostname: "Lan TF2", map: "pl_pier", humans: 2, bots: 1, maxPlayers: 33 });
    expect(s.players).toEqual([
      { userId: 2, name: "SourceTV", bot: true, state: "active" },
      { userId: 297, name: "Just PYE", uniqueId: "[U:1:1479357239]", steamId64: "76561199439622967", connectedS: 1312, ping: 69, bot: false, state: "active" },
      { userId: 301, name: "a very long player name here", uniqueId: "[U:1:22]", steamId64: "76561197960265750", connectedS: 5654, ping: 120, bot: false, state: "spawning" },
    ]);
  });

  test("CS2: no Steam ids, map from spawngroup 1, max 0 means unknown, the [NoChan] placeholder skipped", () => {
    const s = parseStatus(CS2);
    expect(s).toMatchObject({ variant: "cs2", hostname: "Lan CS2", map: "de_lake", humans: 1, bots: 1, maxPlayers: undefined });
    expect(s.players).toEqual([
      { userId: 0, name: "Romanov", bot: true, connectedS: undefined, ping: 0, state: "active" },
      { userId: 2, name: "dhe'agman", bot: false, connectedS: 125, ping: 14, state: "active" },
    ]);
  });

  test("timestamp prefixes are ignored", () => {
    const stamped = L4D2.split("\n").map((l) => (l ? `Nov 22 02:40:01: ${l}` : l)).join("\n");
    expect(parseStatus(stamped)).toEqual(parseStatus(L4D2));
  });

  test("garbage gives an empty table, not a crash", () => {
    expect(parseStatus("Unknown command \"status\"\n\u0000\u0001").players).toEqual([]);
  });
});
