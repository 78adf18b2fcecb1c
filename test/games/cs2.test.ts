import { describe, expect, test } from "bun:test";
import { cs2 } from "../../src/games/cs2.ts";
import { PayloadError } from "../../src/games/adapter.ts";
import { VALUE_TYPES } from "../../src/events/schema.ts";
import { expectRestartSafe, expectStableIds, loadFixture, loadSequences, runSequence } from "./fixture.ts";

const { steps } = loadFixture("cs2-round.json");
const CONTINUOUS = [...VALUE_TYPES, "custom"];
const cfg = cs2.configSchema.parse({});

describe("CS2 GSI adapter", () => {
  test("a round: damage, headshot, flash and fade, bomb, death, spectating, round win, heartbeats — exact events", () => {
    runSequence(cs2, steps);
  });

  test("every trigger has its own stable id", () => {
    expectStableIds(runSequence(cs2, steps), CONTINUOUS);
  });

  test("replaying the whole sequence again fires no trigger a second time (same ids)", () => {
    const first = runSequence(cs2, steps).flatMap((s) => s.events.map((e) => e.id)).filter(Boolean);
    const second = runSequence(cs2, steps).flatMap((s) => s.events.map((e) => e.id)).filter(Boolean);
    expect(second).toEqual(first); // a fresh state gives the same ids, so the core's dedupe drops them
  });

  test("spectating is explained in the note", () => {
    const all = runSequence(cs2, steps);
    const spect = all.find((s) => s.step.startsWith("spectating"))!;
    expect(spect.note).toContain("spectated player");
    expect(all.find((s) => s.step === "dies")!.note).toBeUndefined();
  });

  test("without smokeAndFire no custom smoke/burn values are sent", () => {
    const r = cs2.step(steps[0].payload, undefined, { smokeAndFire: false }, "x");
    expect(r.events.map((e) => e.type)).toEqual(["health", "armor", "money", "flash", "ammo"]);
  });

  test("a new flash while the last one is still fading fires a second flashbang; a fade never does", () => {
    let state = cs2.step(steps[0].payload, undefined, { smokeAndFire: false }, "x").next;
    const flashed = (v: number) => {
      const p = structuredClone(steps[0].payload) as any;
      p.player.state.flashed = v;
      const r = cs2.step(p, state, { smokeAndFire: false }, "x");
      state = r.next;
      return r.events.filter((e) => e.type === "flashbang").length;
    };
    expect([flashed(200), flashed(255), flashed(120), flashed(60), flashed(230), flashed(0)]).toEqual([1, 0, 0, 0, 1, 0]);
  });

  test("several kills in one POST: one kill each, headshots counted, multikill once", () => {
    const s0 = cs2.step(steps[6].payload, undefined, { smokeAndFire: false }, "x").next; // 1 kill, 1 hs
    const p = structuredClone(steps[6].payload) as any;
    Object.assign(p.player.state, { round_kills: 4, round_killhs: 2 });
    const ev = cs2.step(p, s0, { smokeAndFire: false }, "x").events.filter((e) => e.type !== "money");
    expect(ev.map((e) => [e.type, (e as any).headshot ?? (e as any).count ?? null])).toEqual([
      ["kill", true], ["kill", false], ["kill", false], ["multikill", 4],
    ]);
  });

  test("a defuse: bomb_defused before the round end, which is a loss for the T side", () => {
    const planted = steps.find((s) => s.what === "bomb planted")!.payload as any;
    let state = cs2.step(planted, undefined, { smokeAndFire: false }, "x").next;
    const defused = structuredClone(planted);
    defused.round = { phase: "over", bomb: "defused", win_team: "CT" };
    defused.map.team_ct.score = 1;
    const r = cs2.step(defused, state, { smokeAndFire: false }, "x");
    expect(r.events.map((e) => [e.type, (e as any).result])).toEqual([["bomb_defused", undefined], ["round_end", "loss"]]);
    state = r.next;
    expect(cs2.step(defused, state, { smokeAndFire: false }, "x").events).toEqual([]);
  });

  test("a payload with no steamid, neither the provider's nor the player's, is not about me", () => {
    // Two missing ids are not the same player: such a block must fire none of my values or
    // triggers, and teach no team (which would turn someone's round into my win or loss).
    const anonymous = (p: any) => {
      const q = structuredClone(p);
      delete q.provider.steamid;
      delete q.player.steamid;
      return q;
    };
    const first = cs2.step(anonymous(steps[0].payload), undefined, { smokeAndFire: true }, "x");
    expect(first.events).toEqual([]);
    expect(first.note).toBe("payload is from a spectated player (steamid unknown): nothing about you changed");
    expect(first.next.team).toBeUndefined();
    expect(first.next.me).toEqual({});
    // From a state that knows me, the anonymous block's damage and kill are not mine either.
    const known = cs2.step(steps[4].payload, undefined, { smokeAndFire: false }, "x").next;
    const hit = anonymous(steps[6].payload);
    Object.assign(hit.player.state, { health: 40, round_kills: 3 });
    const r = cs2.step(hit, known, { smokeAndFire: false }, "x");
    expect(r.events).toEqual([]);
    expect(r.next.me).toEqual(known.me);
  });

  test("starting while spectating: no team known, so no round result is guessed", () => {
    const spect = steps.find((s) => s.what.startsWith("spectating"))!.payload as any;
    const state = cs2.step(spect, undefined, { smokeAndFire: false }, "x").next;
    const over = structuredClone(spect);
    over.round = { phase: "over", win_team: "T" };
    const r = cs2.step(over, state, { smokeAndFire: false }, "x");
    expect(r.events).toEqual([]);
    expect(r.note).toContain("spectated");
  });

  test("wrong-typed fields are a PayloadError naming the path; non-objects too", () => {
    const p = structuredClone(steps[0].payload) as any;
    p.player.state.health = "full";
    expect(() => cs2.step(p, undefined, { smokeAndFire: true }, "x")).toThrow(/player\.state\.health/);
    expect(() => cs2.step("hello", undefined, { smokeAndFire: true }, "x")).toThrow(PayloadError);
    expect(() => cs2.step({ map: {} }, undefined, { smokeAndFire: true }, "x")).toThrow(/provider/);
  });

  test("the setup file is a GSI config with the URL, token and the data sections", () => {
    const f = cs2.setupFile!({ url: "http://192.168.1.50:8080/api/v1/integrations/gi_1/event", token: "tok123", name: "desk" });
    expect(f.filename).toBe("gamestate_integration_ledbox.cfg");
    expect(f.path).toContain("game/csgo/cfg");
    expect(f.content).toContain(`"uri" "http://192.168.1.50:8080/api/v1/integrations/gi_1/event"`);
    expect(f.content).toContain(`"auth" { "token" "tok123" }`);
    for (const d of ["provider", "map", "round", "player_id", "player_state", "player_weapons", "player_match_stats"]) expect(f.content).toContain(`"${d}" "1"`);
    expect(f.content).toMatch(/"heartbeat" "10.0"/);
  });
});

describe("CS2 GSI adapter without saved state (a new integration)", () => {
  const { sequences } = loadSequences("cs2-first-payload.json");

  for (const seq of sequences) {
    test(`${seq.what}: exact events`, () => {
      runSequence(cs2, seq.steps);
    });
  }

  test("the transition's triggers carry stable ids: the same payloads again give the same ids", () => {
    for (const seq of sequences) {
      const ids = () => runSequence(cs2, seq.steps).flatMap((s) => s.events.map((e) => e.id)).filter(Boolean);
      const first = ids();
      expect(ids()).toEqual(first);
      expectStableIds(runSequence(cs2, seq.steps), CONTINUOUS);
    }
  });

  test("the round start from a first payload has the id the round's start has in a continuous run", () => {
    // The round before, then the freeze time: the id of the round start is the same either way.
    const fz = sequences[0].steps[0].payload as any;
    const { previously, ...plain } = fz;
    const before = structuredClone(plain);
    before.round = { phase: "over", bomb: "exploded", win_team: "T" };
    const s0 = cs2.step(before, undefined, cfg, "x");
    const continuous = cs2.step(plain, s0.next, cfg, "x").events.find((e) => e.type === "round_start")!;
    const fresh = cs2.step(fz, undefined, cfg, "x").events.find((e) => e.type === "round_start")!;
    expect(fresh.id).toBe(continuous.id!);
  });

  test("a previously block that does not read as a payload leaves the payload a baseline", () => {
    const p = structuredClone(sequences[0].steps[0].payload) as any;
    p.previously = { round: "over" };
    expect(cs2.step(p, undefined, cfg, "x").events.map((e) => e.type)).toEqual(["health", "armor", "money", "flash", "custom", "custom", "ammo"]);
  });

  test("after a restart at any step (state read back from JSON) the rest is exact and a resend fires nothing new", () => {
    expectRestartSafe(cs2, steps);
    for (const seq of sequences) expectRestartSafe(cs2, seq.steps);
  });
});
