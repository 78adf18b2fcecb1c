import { describe, expect, test } from "bun:test";
import { lol } from "../../src/games/lol.ts";
import { VALUE_TYPES } from "../../src/events/schema.ts";
import { expectRestartSafe, expectStableIds, loadFixture, loadSequences, runSequence } from "./fixture.ts";

const { steps } = loadFixture("lol-game.json");
const { sequences } = loadSequences("lol-first-answers.json");
const cfg = lol.configSchema.parse({});

describe("LoL Live Client Data adapter", () => {
  test("a game from the cumulative event list: exact events, each once", () => {
    runSequence(lol, steps);
  });

  for (const seq of sequences) {
    test(`${seq.what}: exact events`, () => {
      runSequence(lol, seq.steps);
    });
  }

  test("triggers carry unique stable ids (EventID with its time)", () => {
    expectStableIds(runSequence(lol, steps), VALUE_TYPES);
    for (const seq of sequences) expectStableIds(runSequence(lol, seq.steps), VALUE_TYPES);
  });

  test("after a restart at any step (state read back from JSON) the rest is exact and a resend fires nothing new", () => {
    expectRestartSafe(lol, steps);
    for (const seq of sequences) expectRestartSafe(lol, seq.steps);
  });

  test("the loading screen's answer says so in the note; the next data has none", () => {
    const all = runSequence(lol, sequences[0].steps);
    expect(all.map((s) => s.note)).toEqual(["the game API answered RESOURCE_NOT_FOUND (loading screen)", "the game API answered RESOURCE_NOT_FOUND (loading screen)", undefined, undefined]);
  });

  test("joining mid-game: the old events are history, only new ones fire", () => {
    const late = structuredClone(steps[6].payload) as any; // the list up to my death at 800 s
    late.gameData.gameTime = 900;
    const r = lol.step(late, undefined, cfg, "s");
    expect(r.events.map((e) => e.type)).toEqual(["health", "mana", "gold"]);
    const next = lol.step(steps[7].payload, r.next, cfg, "s");
    expect(next.events.filter((e) => e.type === "objective").map((e) => (e as any).kind)).toEqual(["inhibitor", "baron"]);
  });

  test("a new game with restarted EventIDs fires again", () => {
    const state = lol.step(steps.at(-1)!.payload, undefined, cfg, "s").next;
    const game2 = structuredClone(steps[1].payload) as any;
    game2.events.Events[0].EventTime = 0.05;
    game2.gameData.gameTime = 3;
    expect(lol.step(game2, state, cfg, "s").events.map((e) => e.type)).toContain("match_start");
  });

  test("the loading and spectator answers fire nothing and say why; wrong types are rejected", () => {
    const r = lol.step({ errorCode: "RPC_ERROR", httpStatus: 400 }, undefined, cfg, "s");
    expect(r.events).toEqual([]);
    expect(r.note).toMatch(/spectator/);
    const bad = structuredClone(steps[1].payload) as any;
    bad.events.Events[0].EventID = "zero";
    expect(() => lol.step(bad, undefined, cfg, "s")).toThrow(/events\.Events\.0\.EventID/);
  });

  test("the poll URL must be http(s)", () => {
    const r = lol.configSchema.safeParse({ mode: "poll", url: "file:///etc/hosts" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(["url"]);
    expect(lol.configSchema.safeParse({ mode: "poll", url: "http://192.168.1.20:2999" }).success).toBe(true);
  });
});
