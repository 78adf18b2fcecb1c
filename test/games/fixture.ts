// Runs a fixture sequence through an adapter's pure core and checks the exact events of each step.
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Adapter } from "../../src/games/adapter.ts";
import { GameEventSchema } from "../../src/events/schema.ts";

export interface Step {
  what: string;
  payload: unknown;
  expect: Record<string, unknown>[];
}

export const loadFixture = (name: string): { adapter: string; steps: Step[] } =>
  JSON.parse(readFileSync(join(import.meta.dir, "fixtures", name), "utf8"));

/** A fixture of several sequences, each starting from no saved state (a new integration). */
export const loadSequences = (name: string): { adapter: string; sequences: { what: string; steps: Step[] }[] } =>
  JSON.parse(readFileSync(join(import.meta.dir, "fixtures", name), "utf8"));

/** Feeds every step; returns all events (with ids) so callers can check ids and notes. */
export function runSequence(adapter: Adapter, steps: Step[], config: unknown = adapter.configSchema.parse({}), source = "gi_test", from?: unknown) {
  let state: unknown = from;
  const all: { step: string; events: Record<string, unknown>[]; note?: string }[] = [];
  for (const s of steps) {
    const r = adapter.step(s.payload, state, config, source);
    state = r.next;
    const withoutIds = r.events.map((e) => {
      const { id, ...rest } = e as Record<string, unknown>;
      return rest;
    });
    expect({ step: s.what, events: withoutIds }).toEqual({ step: s.what, events: s.expect });
    for (const e of r.events) expect(GameEventSchema.safeParse(e).success).toBe(true);
    all.push({ step: s.what, events: r.events as Record<string, unknown>[], note: r.note });
  }
  return all;
}

/** Triggers (not values) must carry ids, all different: the core's dedupe then never drops a real one. */
export function expectStableIds(all: { events: Record<string, unknown>[] }[], valueTypes: readonly string[]) {
  const ids = all.flatMap((s) => s.events.filter((e) => !valueTypes.includes(e.type as string)).map((e) => e.id));
  for (const id of ids) expect(typeof id).toBe("string");
  expect(new Set(ids).size).toBe(ids.length);
}

/**
 * A restart after any step: the state read back from its JSON (as the store keeps it) gives the
 * rest of the sequence exactly, and the payload resent to it fires no value and no new trigger
 * (only ids fired before, which the kept ids make the dedupe drop).
 */
export function expectRestartSafe(adapter: Adapter, steps: Step[], config: unknown = adapter.configSchema.parse({}), source = "gi_test") {
  for (let k = 0; k < steps.length; k++) {
    const before = runSequence(adapter, steps.slice(0, k + 1), config, source);
    const fired = new Set(before.flatMap((s) => s.events.map((e) => e.id)).filter(Boolean));
    let state: unknown;
    for (const s of steps.slice(0, k + 1)) state = adapter.step(s.payload, state, config, source).next;
    const restored = JSON.parse(JSON.stringify(state));
    const resend = adapter.step(steps[k].payload, restored, config, source).events;
    expect({ after: steps[k].what, resend: resend.filter((e) => !fired.has((e as { id?: string }).id)) }).toEqual({ after: steps[k].what, resend: [] });
    runSequence(adapter, steps.slice(k + 1), config, source, JSON.parse(JSON.stringify(state)));
  }
}
