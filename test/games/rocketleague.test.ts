import { describe, expect, test } from "bun:test";
import { rocketLeague } from "../../src/games/rocketleague.ts";
import { JsonSplitter } from "../../src/games/rl-client.ts";
import { VALUE_TYPES } from "../../src/events/schema.ts";
import { expectRestartSafe, expectStableIds, loadFixture, runSequence } from "./fixture.ts";

const { steps } = loadFixture("rocketleague-stream.json");
const reconnect = loadFixture("rocketleague-reconnect.json").steps;
const cfg = rocketLeague.configSchema.parse({ playerName: "Octane" });

describe("Rocket League Stats API adapter", () => {
  test("a match: goals for and against, demolitions, boost, kickoff, result — exact events", () => {
    runSequence(rocketLeague, steps, cfg);
  });

  test("a stream resumed mid-match after a reconnect repeats no goal — exact events", () => {
    runSequence(rocketLeague, reconnect, cfg);
  });

  test("triggers carry unique stable ids", () => {
    expectStableIds(runSequence(rocketLeague, steps, cfg), VALUE_TYPES);
    expectStableIds(runSequence(rocketLeague, reconnect, cfg), VALUE_TYPES);
  });

  test("after a restart at any step (state read back from JSON) the rest is exact and a resend fires nothing new", () => {
    expectRestartSafe(rocketLeague, steps, cfg);
    expectRestartSafe(rocketLeague, reconnect, cfg);
  });

  test("without playerName: no goals or boost, and the note says what to set", () => {
    const noName = rocketLeague.configSchema.parse({});
    const r = rocketLeague.step(steps[1].payload, undefined, noName, "s");
    expect(r.events).toEqual([]);
    expect(r.note).toMatch(/playerName/);
  });

  test("Data that is a broken JSON string, or a message without Event, is rejected", () => {
    expect(() => rocketLeague.step({ Event: "MatchEnded", Data: "{oops" }, undefined, cfg, "s")).toThrow(/Data/);
    expect(() => rocketLeague.step({ Data: {} }, undefined, cfg, "s")).toThrow(/Event/);
  });
});

describe("JSON stream splitter", () => {
  test("concatenated objects split anywhere, braces inside strings, whitespace between", () => {
    const text = steps.map((s) => JSON.stringify(s.payload)).join("\n") + '{"Event":"X","Data":"{\\"a\\":\\"}{\\"}"}';
    for (const size of [1, 7, 64, 100_000]) {
      const sp = new JsonSplitter();
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...sp.push(text.slice(i, i + size)).map((t) => JSON.parse(t)));
      expect(out.length).toBe(steps.length + 1);
      expect(out[0]).toEqual(steps[0].payload);
      expect(out.at(-1)).toEqual({ Event: "X", Data: '{"a":"}{"}' });
    }
  });
});
