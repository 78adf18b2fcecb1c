import { describe, expect, test } from "bun:test";
import { dota2 } from "../../src/games/dota2.ts";
import { VALUE_TYPES } from "../../src/events/schema.ts";
import { expectRestartSafe, expectStableIds, loadFixture, runSequence } from "./fixture.ts";

const { steps } = loadFixture("dota2-match.json");
const damage = loadFixture("dota2-damage.json").steps;

describe("Dota 2 GSI adapter", () => {
  test("a match: damage, level-up, kill, death with countdown, respawn, Roshan/aegis, victory — exact events", () => {
    runSequence(dota2, steps);
  });

  test("damage taken: health lost while alive, with the amount; not a change of max health, death, respawn or a resend", () => {
    runSequence(dota2, damage);
  });

  test("triggers carry unique stable ids", () => {
    expectStableIds(runSequence(dota2, steps), VALUE_TYPES);
    expectStableIds(runSequence(dota2, damage), VALUE_TYPES);
  });

  test("after a restart at any step (state read back from JSON) the rest is exact and a resend fires nothing new", () => {
    expectRestartSafe(dota2, steps);
    expectRestartSafe(dota2, damage);
  });

  test("a hit without the game clock still fires once, without an id to dedupe on", () => {
    const s = dota2.step(damage[0].payload, undefined, {}, "x").next;
    const p = structuredClone(damage[1].payload) as any;
    delete p.map.game_time;
    expect(dota2.step(p, s, {}, "x").events).toEqual([{ type: "health", value: 450, max: 600 }, { type: "damage_taken", amount: 150 }]);
  });

  test("spectating (team-keyed player blocks) changes nothing about me", () => {
    const base = dota2.step(steps[3].payload, undefined, {}, "x").next;
    const p = structuredClone(steps[6].payload) as any; // a death, but seen as a spectator
    p.player = { team2: { player0: p.player } };
    p.hero = { team2: { player0: p.hero } };
    const r = dota2.step(p, base, {}, "x");
    expect(r.events).toEqual([]);
    expect(r.note).toContain("spectating");
  });

  test("an enemy Roshan is an enemy objective; a new match resets the baseline", () => {
    const s = dota2.step(steps[3].payload, undefined, {}, "x").next;
    const p = structuredClone(steps[3].payload) as any;
    p.events = [{ game_time: 900, event_type: "roshan_killed", killed_by_team: "dire", killer_player_id: 7 }];
    expect(dota2.step(p, s, {}, "x").events).toMatchObject([{ type: "objective", kind: "roshan", ally: false }]);
    const other = structuredClone(p);
    other.map.matchid = "999";
    other.player.kills = 5;
    expect(dota2.step(other, s, {}, "x").events.filter((e) => e.type !== "health" && e.type !== "mana")).toEqual([]);
  });

  test("wrong-typed fields are rejected naming the path", () => {
    const p = structuredClone(steps[0].payload) as any;
    p.hero.alive = "yes";
    expect(() => dota2.step(p, undefined, {}, "x")).toThrow(/hero\.alive/);
  });
});
