import { afterEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { defaultSettings } from "../../src/config/schema.ts";
import { Director } from "../../src/director/director.ts";
import { MappingInputSchema, type Mapping } from "../../src/director/mapping.ts";
import { presetById } from "../../src/director/presets.ts";
import { parseEvents } from "../../src/events/ingest.ts";
import { EFFECT_IDS } from "../../src/light/effects/index.ts";
import { Engine } from "../../src/light/engine.ts";
import { DEMO_PATH, demoRecording } from "../../src/tools/record-demo.ts";
import { parseRecording, replay, type Entry } from "../../src/tools/replay.ts";
import { startBox, until, type TestBox } from "../helpers/box.ts";

let t: TestBox | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

function entries(): Entry[] {
  const r = parseRecording(readFileSync(DEMO_PATH, "utf8"));
  if (!r.ok) throw new Error(r.error);
  return r.entries;
}

/** What the scene shows over time: every effect seen, every health and blind meter value. */
class Seen {
  effects = new Set<string>();
  health: number[] = [];
  blind: number[] = [];
  add(segments: { effects: { effect: string }[]; meters: { name: string; value: number }[] }[]): void {
    for (const s of segments) {
      for (const e of s.effects) this.effects.add(e.effect);
      for (const m of s.meters) {
        if (m.name === "health") this.health.push(m.value);
        if (m.name === "blind") this.blind.push(m.value);
      }
    }
  }
}

test("demo.jsonl is what record-demo.ts generates, and is 30–40 s of valid requests with comments", () => {
  const text = readFileSync(DEMO_PATH, "utf8");
  expect(text).toBe(demoRecording());
  const list = entries();
  const span = list.at(-1)!.at;
  expect(span).toBeGreaterThanOrEqual(30_000);
  expect(span).toBeLessThanOrEqual(40_000);
  expect(text.split("\n").filter((l) => l.startsWith("# ")).length).toBeGreaterThanOrEqual(10);
  // No event ids: the server would drop a second (looped) replay as redeliveries.
  expect(text).not.toContain('"id"');
});

test("at its real timing on FPS Combat, the demo shows every effect and both meters, and the flash guard never blocks", () => {
  // The real scene and director on an injected clock: engine time = recording time.
  let now = 0;
  const engine = new Engine(defaultSettings(), () => now);
  const preset = presetById.get("fps-combat")!;
  const mappings: Mapping[] = preset.mappings.map((m, i) => ({ ...MappingInputSchema.parse(m), id: `m${i}`, preset: preset.id }));
  const director = new Director(engine, mappings);
  const seen = new Seen();
  const list = entries();
  let k = 0;
  for (now = 0; now <= list.at(-1)!.at + 1000; now += 10) {
    while (k < list.length && list[k].at <= now) {
      const p = parseEvents(list[k++].body);
      if (!p.ok) throw new Error(p.error);
      for (const e of p.events) director.handle(e);
    }
    engine.scene.prune(now);
    seen.add(engine.scene.describe(now));
  }
  expect([...seen.effects].sort()).toEqual([...EFFECT_IDS].sort());
  expect(engine.scene.guard.blocked).toBe(0);
  expect(director.skipped).toBe(0);
  expect(director.lastProblem).toBeNull();
  // Health steps down near empty and back to full, smoothly (no jump of 10 % between samples).
  expect(Math.min(...seen.health.slice(100))).toBeLessThan(0.15);
  expect(Math.max(...seen.health)).toBeGreaterThan(0.99);
  expect(new Set(seen.health).size).toBeGreaterThan(100);
  let biggestJump = 0;
  for (let i = 1; i < seen.health.length; i++) biggestJump = Math.max(biggestJump, Math.abs(seen.health[i] - seen.health[i - 1]));
  expect(biggestJump).toBeLessThan(0.1);
  // The flashbang meter opens fully and fades through intermediate values.
  expect(Math.max(...seen.blind)).toBeGreaterThan(0.99);
  expect(seen.blind.filter((v) => v > 0.2 && v < 0.8).length).toBeGreaterThan(20);
});

test("replayed fast against a real server, the demo puts every effect on the strip and moves the health meter", async () => {
  // The guard counts flashes in real time; at 50x the demo's flashes are ~20 ms apart, so it is
  // off here (the test above checks the demo keeps to it at its own pace).
  t = await startBox({ settings: { safety: { flashGuard: false } } });
  const seen = new Seen();
  const off = t.box.engine.onFrame((e) => seen.add(e.scene.describe(e.lastFrameMs)));
  const r = await replay(readFileSync(DEMO_PATH, "utf8"), { url: t.url, speed: 50, log: () => {} });
  // Every request has been answered: a frame rendered from now on shows what the last one did.
  const frames = t.box.engine.stats().frames;
  await until(() => t!.box.engine.stats().frames > frames + 1, "a frame after the last request");
  off();
  expect(r).toMatchObject({ ok: true, failed: 0, sent: entries().length });
  expect([...seen.effects].sort()).toEqual([...EFFECT_IDS].sort());
  expect(new Set(seen.health).size).toBeGreaterThan(10);
  expect(Math.max(...seen.blind)).toBeGreaterThan(0.2);
  // At 50x the demo's effects pile up in the segment's 8 slots: the held low-health warning, the
  // lowest priority (hidden under them anyway), may then wait for a slot. Nothing else is refused.
  expect([null, 'mapping "Low health warning": segment full of higher-priority effects']).toContain(t.box.director.lastProblem);
});
