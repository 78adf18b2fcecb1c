// Every fuzzer finding, as the smallest input that showed it, against the real code. Each test
// failed before its fix (what it did then is in its name).
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MappingsService } from "../../src/director/mappings.ts";
import { EventBus } from "../../src/events/bus.ts";
import { Ingest } from "../../src/events/ingest.ts";
import { EventRing } from "../../src/events/ring.ts";
import { parseEvents } from "../../src/events/ingest.ts";
import { MAX_PER_UNIT } from "../../src/games/adapter.ts";
import { cs2 } from "../../src/games/cs2.ts";
import { loadRegistry, parseAdapterFile } from "../../src/games/declarative.ts";
import { dota2 } from "../../src/games/dota2.ts";
import { lol } from "../../src/games/lol.ts";
import { PayloadReceiver } from "../../src/games/payloads.ts";
import { rocketLeague } from "../../src/games/rocketleague.ts";
import { IntegrationRuntime } from "../../src/games/runtime.ts";
import { webhook } from "../../src/games/webhook.ts";
import { MAX_DECOMPRESSED, queryA2s } from "../../src/servers/a2s.ts";
import { parseStatusFrame, writeVarInt } from "../../src/servers/minecraft.ts";
import { MappingsRepo } from "../../src/store/mappings.ts";
import { openDatabase } from "../../src/store/db.ts";
import type { IntegrationRecord } from "../../src/store/integrations.ts";
import { reservedKeyPath } from "../../src/util/json.ts";
import { loadFixture } from "../games/fixture.ts";
import { tempDir } from "../helpers/box.ts";
import { Bytes, compressedSplit, fakeA2s, infoPayload } from "../servers/fakes.ts";

const steps = (name: string) => loadFixture(name).steps.map((s) => s.payload as any);
/** The adapter's state after the fixture's first `n` payloads. */
function stateAfter(adapter: any, payloads: unknown[], n: number, config = adapter.configSchema.parse({})): any {
  let state: unknown;
  for (const p of payloads.slice(0, n)) state = adapter.step(p, state, config, "gi_test").next;
  return state;
}
const count = (events: { type: string }[], type: string) => events.filter((e) => e.type === type).length;

describe("a counter that jumps: one event per unit, at most MAX_PER_UNIT (it used to count to the new value, one by one)", () => {
  test("Dota 2 kills 0 → 2^32: 64 kills, not four billion (the process hung)", () => {
    const d = steps("dota2-match.json");
    const next = structuredClone(d[5]);
    next.player.kills = 2 ** 32;
    const r = dota2.step(next, stateAfter(dota2, d, 5), {}, "gi_test");
    expect(count(r.events, "kill")).toBe(MAX_PER_UNIT);
  });

  test("Rocket League score 0 → 1e211: the loop ended (1e211 + 1 is 1e211: it never did)", () => {
    const rl = steps("rocketleague-stream.json");
    const config = rocketLeague.configSchema.parse({ playerName: "Octane" });
    const next = structuredClone(rl[5]);
    next.Data.Game.Teams[0].Score = 1e211;
    const r = rocketLeague.step(next, stateAfter(rocketLeague, rl, 5, config), config, "gi_test");
    expect(count(r.events, "objective")).toBeLessThanOrEqual(MAX_PER_UNIT);
    expect(count(r.events, "objective")).toBeGreaterThan(0);
  });

  test("CS2 round kills and assists jumping to 1e12: at most 64 each", () => {
    const c = steps("cs2-round.json");
    const next = structuredClone(c[5]);
    next.player.state.round_kills = 1e12;
    next.player.match_stats.assists = 1e12;
    const r = cs2.step(next, stateAfter(cs2, c, 5), cs2.configSchema.parse({}), "gi_test");
    expect(count(r.events, "kill")).toBe(MAX_PER_UNIT);
    expect(count(r.events, "assist")).toBe(MAX_PER_UNIT);
  });
});

describe("events an adapter made of odd numbers (each was a 500: 'made an invalid event')", () => {
  test("CS2 flashed over 255 is a full flash (intensity 1, not 1.18)", () => {
    const c = steps("cs2-round.json");
    const next = structuredClone(c[5]);
    next.player.state.flashed = 300;
    const r = cs2.step(next, stateAfter(cs2, c, 5), cs2.configSchema.parse({}), "gi_test");
    expect(r.events.find((e) => e.type === "flashbang")).toMatchObject({ intensity: 1 });
  });

  test("Dota 2 hero level 1e21 (not a whole level): no level_up", () => {
    const d = steps("dota2-match.json");
    const next = structuredClone(d[4]);
    next.hero.level = 1e21;
    const r = dota2.step(next, stateAfter(dota2, d, 4), {}, "gi_test");
    expect(count(r.events, "level_up")).toBe(0);
  });

  test("an event id longer than 128 characters (a 300-character match id) is shortened by its digest; a resend still fires nothing", () => {
    const d = steps("dota2-match.json").map((p) => ({ ...p, map: { ...p.map, matchid: "m".repeat(300) } }));
    const ring = new EventRing(64);
    const ingest = new Ingest(new EventBus(() => {}), ring);
    const rec: IntegrationRecord = { id: "gi_test", name: "d", type: "dota2", enabled: true, config: {}, preset: null, record: false, createdAt: "", updatedAt: "" };
    const rt = new IntegrationRuntime(rec, dota2, {}, tempDir());
    const receiver = new PayloadReceiver({ runtime: () => rt, token: () => "t", submit: (e) => ingest.submit(e), changed: () => {} });
    for (const p of d.slice(0, 6)) receiver.feed(rt, p);
    const kills = () => ring.since(0).filter((n) => n.event.type === "kill");
    expect(kills()).toHaveLength(1);
    expect(ring.since(0).every((n) => n.event.id.length <= 128)).toBe(true);
    // The kill payload again, from the state before it: its kill has the same (digest) id and is dropped.
    rt.state = stateAfter(dota2, d, 5);
    receiver.feed(rt, d[5]);
    expect(kills()).toHaveLength(1);
  });
});

describe("an object where a scalar belongs, with a non-function toString (String() of it threw a TypeError)", () => {
  const odd = { toString: 1, valueOf: 2 };

  test("Dota 2 events list: a player id like that", () => {
    const d = steps("dota2-match.json");
    const next = structuredClone(d[9]);
    next.events.push({ event_type: "aegis_picked_up", game_time: 999, player_id: odd });
    expect(() => dota2.step(next, stateAfter(dota2, d, 9), {}, "gi_test")).not.toThrow();
  });

  test("a webhook rule's idPath that reaches one: the event fires without an id from it", () => {
    const config = webhook.configSchema.parse({ rules: [{ event: "custom", on: "always", fields: { name: "x" }, idPath: "match.id" }] });
    const r = webhook.step({ match: { id: odd } }, undefined, config, "gi_test");
    expect(r.events).toEqual([{ type: "custom", name: "x", game: "generic" }]);
  });

  test("a Minecraft status with one as a sample id and the version's name", () => {
    const json = JSON.stringify({ version: { name: odd, protocol: odd }, players: { max: 2, online: 1, sample: [{ name: "Steve", id: odd }] }, description: { text: odd, extra: ["ok"] } });
    const text = new TextEncoder().encode(json);
    const s = parseStatusFrame({ id: 0, data: new Uint8Array([...writeVarInt(text.length), ...text]), at: 3 });
    expect(s).toMatchObject({ version: "", protocol: 0, sample: [{ name: "Steve", id: "" }], motd: "ok" });
  });
});

describe("declarative adapter files", () => {
  test("an alias to no anchor, and an alias bomb, are load errors with the file, not an exception that stopped the start", () => {
    expect(parseAdapterFile("type: x\nrules: [*nothing]\n", "a.yaml")).toEqual({ ok: false, error: "a.yaml:1: YAML: Unresolved alias (the anchor must be set before the alias): nothing" });
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${"bcdefghij"[i]}: &${"bcdefghij"[i]} [${Array(10).fill(`*${"abcdefghij"[i]}`).join(", ")}]`)].join("\n");
    const r = parseAdapterFile(bomb, "bomb.yaml");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^bomb\.yaml:1: YAML: Excessive alias count/);

    const dir = tempDir();
    try {
      mkdirSync(join(dir, "adapters"));
      writeFileSync(join(dir, "adapters", "broken.yaml"), "type: y\nrules: [*nothing]\n");
      const reg = loadRegistry(dir);
      expect(reg.get("minecraft")).toBeDefined();
      expect(reg.loadErrors).toEqual([`${join(dir, "adapters", "broken.yaml")}:1: YAML: Unresolved alias (the anchor must be set before the alias): nothing`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("A2S compressed replies", () => {
  let close: (() => void) | null = null;
  afterEach(() => close?.());

  test(`a split reply claiming more than ${MAX_DECOMPRESSED} bytes is refused before decompressing (decoding up to 358 KB took ~300 ms, many frames)`, async () => {
    const packed = new Uint8Array(readFileSync(join(import.meta.dir, "../servers/fixtures/players.bz2")));
    const INFO = { name: "x", map: "m", folder: "f", game: "g", appId: 1, players: 0, maxPlayers: 1, bots: 0, version: "1" };
    const f = await fakeA2s({
      info: INFO, players: [],
      override: (req) => (req[4] === 0x54 ? infoPayload(INFO) : req.length === 9 && req[5] === 0xff ? new Bytes().i32(-1).u8(0x41, 1, 2, 3, 4).build() : compressedSplit(packed, 100_000, 0, 100)),
    });
    close = f.close;
    const r = await queryA2s("127.0.0.1", f.port);
    expect(r.playersProblem).toBe(`A2S_PLAYER: malformed reply: compressed split reply claims 100000 bytes (at most ${MAX_DECOMPRESSED})`);
  });
});

describe("League of Legends events read as they should be (each made an invalid event)", () => {
  const l = steps("lol-game.json");
  /** Step 4's payload with one more event appended. */
  const withEvent = (e: Record<string, unknown>) => {
    const next = structuredClone(l[4]);
    next.events.Events.push({ EventID: 999, EventTime: next.gameData.gameTime, ...e });
    return lol.step(next, stateAfter(lol, l, 4), lol.configSchema.parse({}), "gi_test").events;
  };

  test('an EventName of "constructor" is no objective (OBJECTIVES["constructor"] is Object, a kind that is no string)', () => {
    expect(withEvent({ EventName: "constructor", KillerName: "Faker" }).filter((e) => e.type === "objective")).toEqual([]);
  });

  test("a multikill's streak is a whole number of at most 64", () => {
    expect(withEvent({ EventName: "Multikill", KillerName: "Faker", KillStreak: 2.5 }).filter((e) => e.type === "multikill")).toHaveLength(1); // step 4's own double kill
    expect(withEvent({ EventName: "Multikill", KillerName: "Faker", KillStreak: 100 }).filter((e) => e.type === "multikill").map((e) => (e as Record<string, unknown>).count)).toEqual([2, 64]);
  });
});

describe("keys that replace an object's conversions (toString, valueOf): zod's own length check compared such an object and threw a TypeError, a 500", () => {
  const hostile = JSON.parse('{"length": {"toString": 1, "valueOf": 2}}');

  test("an event: refused by name", () => {
    expect(parseEvents({ type: "kill", game: hostile })).toEqual({ ok: false, error: "game.length.toString: this key is not allowed" });
    expect(parseEvents([{ type: "assist" }, { type: "custom", name: hostile }])).toEqual({ ok: false, error: "[1].name.length.toString: this key is not allowed" });
  });

  test("a mapping: refused by name", () => {
    const svc = new MappingsService(new MappingsRepo(openDatabase(":memory:")), { load: () => {} }, () => {});
    expect(() => svc.create({ name: hostile, event: "kill", action: { kind: "effect", effect: "flash" } })).toThrow("invalid mapping: name.length.toString: this key is not allowed");
  });

  test("a game payload: refused by name and counted in the integration's status", () => {
    const rl = steps("rocketleague-stream.json");
    const rec: IntegrationRecord = { id: "gi_test", name: "r", type: "rocketleague", enabled: true, config: {}, preset: null, record: false, createdAt: "", updatedAt: "" };
    const config = rocketLeague.configSchema.parse({ playerName: "Octane" });
    const rt = new IntegrationRuntime(rec, rocketLeague, config, tempDir());
    const ingest = new Ingest(new EventBus(() => {}), new EventRing(8));
    const receiver = new PayloadReceiver({ runtime: () => rt, token: () => "t", submit: (e) => ingest.submit(e), changed: () => {} });
    expect(() => receiver.feed(rt, { ...rl[1], Event: hostile })).toThrow("payload: Event.length.toString: this key is not allowed");
    expect(rt.rejected).toBe(1);
  });

  test("a declarative adapter file: a load error with the file and line", () => {
    const r = parseAdapterFile("type: x\nname: X\ngame: x\nsetup: s\nrules:\n  - event: kill\n    toString: 1\n", "t.yaml");
    expect(r).toEqual({ ok: false, error: "t.yaml:7: rules.0.toString: this key is not allowed" });
  });

  test("looking for them visits each object once (YAML aliases share objects: every path of 2^60 was visited)", () => {
    let shared: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 60; i++) shared = { left: shared, right: shared };
    expect(reservedKeyPath(shared)).toBeNull();
  });
});

describe("keys that reach a prototype", () => {
  test("a mapping with its own top-level \"constructor\" key is refused by name (`k in shape` let it through)", () => {
    const svc = new MappingsService(new MappingsRepo(openDatabase(":memory:")), { load: () => {} }, () => {});
    const body = JSON.parse('{"name": "x", "event": "kill", "action": {"kind": "effect", "effect": "flash"}, "constructor": {"name": "y"}}');
    expect(() => svc.create(body)).toThrow("invalid mapping: constructor: this key is not allowed");
    expect(svc.records()).toEqual([]);
  });
});
