import { describe, expect, test } from "bun:test";
import { RuleSchema, runRules } from "../../src/games/rules.ts";
import { webhook, WebhookConfigSchema } from "../../src/games/webhook.ts";

const rules = (list: unknown[]) => list.map((r) => RuleSchema.parse(r));

/** Feeds payloads in order; returns the events of each (without ids) and the last problem. */
function run(rs: ReturnType<typeof rules>, payloads: unknown[]) {
  let state: Record<string, unknown> | undefined;
  return payloads.map((p) => {
    const r = runRules(rs, p, state, "src");
    state = r.next;
    return { events: r.events, problem: r.problem };
  });
}

describe("rule engine", () => {
  test("values show on the first payload and on change; triggers wait for a baseline", () => {
    const rs = rules([
      { event: "health", path: "hp", fields: { max: { path: "maxHp" } } },
      { event: "kill", path: "stats.kills", on: "increase", perUnit: true },
    ]);
    const out = run(rs, [
      { hp: 20, maxHp: 20, stats: { kills: 3 } },
      { hp: 20, maxHp: 20, stats: { kills: 3 } },
      { hp: 14, maxHp: 20, stats: { kills: 5 } },
    ]).map((x) => x.events);
    expect(out).toEqual([[{ type: "health", value: 20, max: 20 }], [], [{ type: "health", value: 14, max: 20 }, { type: "kill" }, { type: "kill" }]]);
  });

  test("becomes fires on the edge only; decrease gives $delta; literals and $value fill fields", () => {
    const rs = rules([
      { event: "death", path: "p.hp", on: "becomes", when: { op: "<=", value: 0 } },
      { event: "damage_taken", path: "p.hp", on: "decrease", fields: { amount: "$delta" } },
      { event: "map_changed", path: "map", fields: { map: "$value" } },
      { event: "round_end", path: "score.us", on: "increase", fields: { result: "win" } },
    ]);
    const out = run(rs, [
      { p: { hp: 10 }, map: "a", score: { us: 0 } },
      { p: { hp: 0 }, map: "a", score: { us: 1 } },
      { p: { hp: 0 }, map: "b", score: { us: 1 } },
    ]).map((x) => x.events);
    expect(out).toEqual([
      [],
      [{ type: "death" }, { type: "damage_taken", amount: 10 }, { type: "round_end", result: "win" }],
      [{ type: "map_changed", map: "b" }],
    ]);
  });

  test("always-rules with idPath give stable ids, so the core drops redeliveries", () => {
    const rs = rules([{ event: "custom", on: "always", fields: { name: { path: "kind" } }, idPath: "deliveryId" }]);
    const a = runRules(rs, { kind: "doorbell", deliveryId: 42 }, undefined, "gi_x");
    expect(a.events).toEqual([{ type: "custom", name: "doorbell", id: "gi_x:42" }]);
  });

  test("a wrong-typed value or an event the vocabulary rejects becomes a problem naming the rule and path", () => {
    const rs = rules([
      { event: "kill", path: "kills", on: "increase" },
      { event: "round_end", path: "score", on: "increase", fields: { result: "victory" } },
    ]);
    const [, second] = run(rs, [{ kills: 1, score: 0 }, { kills: "two", score: 1 }]);
    expect(second.events).toEqual([]);
    expect(second.problem).toMatch(/rule 1 \(kill\): kills is "two", not a number/);
    expect(second.problem).toMatch(/rule 2 \(round_end at score\): result/);
  });
});

describe("generic webhook", () => {
  test("without rules the body must be standard events; the integration's game is filled in", () => {
    const cfg = WebhookConfigSchema.parse({ game: "doorbell" });
    const r = webhook.step([{ type: "custom", name: "ring" }, { type: "kill", game: "quake" }], undefined, cfg, "s");
    expect(r.events.map((e) => [e.type, e.game])).toEqual([["custom", "doorbell"], ["kill", "quake"]]);
    expect(() => webhook.step({ type: "teleport" }, undefined, cfg, "s")).toThrow(/unknown event type "teleport"/);
  });

  test("with rules any JSON maps to events", () => {
    const cfg = WebhookConfigSchema.parse({ game: "sim", rules: [{ event: "speed", path: "car.kmh", fields: { max: 320 } }] });
    expect(webhook.step({ car: { kmh: 200 } }, undefined, cfg, "s").events).toEqual([{ type: "speed", value: 200, max: 320, game: "sim" }]);
    expect(() => webhook.step("text", undefined, cfg, "s")).toThrow(/JSON object/);
  });

  test("bad rules are rejected by the config schema, naming the field", () => {
    const r = WebhookConfigSchema.safeParse({ rules: [{ event: "teleport", path: "x" }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues[0].path)).toBe('["rules",0,"event"]');
  });

  test("a rule that compares between payloads without a path is rejected, naming the field", () => {
    const r = WebhookConfigSchema.safeParse({ rules: [{ event: "kill", on: "increase" }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues[0].path)).toBe('["rules",0,"on"]');
    expect(r.error!.issues[0].message).toMatch(/give the rule a path/);
    expect(WebhookConfigSchema.safeParse({ rules: [{ event: "custom", on: "always", fields: { name: "x" } }] }).success).toBe(true);
  });
});
