// Games bench. 1) The cost of each adapter's pure core per payload, and of the whole ingest path
// without HTTP (token check, adapter, validation, dedupe, bus, director). 2) 20 CS2 integrations
// each posting at 64 Hz over loopback HTTP (a generator in its own process) while the loop runs
// at 60 fps: target no loss of delivered frames (≥ 99.5%, as the other benches) and every answer 2xx.
//
//   npx bun test/bench/games.ts [--quick]
import { cs2 } from "../../src/games/cs2.ts";
import { dota2 } from "../../src/games/dota2.ts";
import { lol } from "../../src/games/lol.ts";
import { rocketLeague } from "../../src/games/rocketleague.ts";
import type { Adapter } from "../../src/games/adapter.ts";
import { loadFixture } from "../games/fixture.ts";
import { call, startBox } from "../helpers/box.ts";
import { atLeast, atMost, delivery, header, info, options, report, runChild, sleep, watchLoad, type Row } from "./lib.ts";

const opts = options();
const SECONDS = opts.quick ? 3 : 20;
const INTEGRATIONS = 20;
const RATE = 64;
const FPS = 60;
header(`games: adapter cost per payload; ${INTEGRATIONS} CS2 integrations × ${RATE} Hz over HTTP, loop at ${FPS} fps`, opts);
const rows: Row[] = [];

/** µs per payload: the fixture sequence fed round and round through one evolving state. */
function stepCost(adapter: Adapter, fixture: string, config: unknown): number {
  const steps = loadFixture(fixture).steps.map((s) => s.payload);
  let state: unknown;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) state = adapter.step(steps[i % steps.length], state, config, "bench").next;
  };
  run(2000); // warm up the JIT
  const n = opts.quick ? 20_000 : 100_000;
  const t0 = performance.now();
  run(n);
  return ((performance.now() - t0) * 1000) / n;
}

for (const [a, f, cfg] of [[cs2, "cs2-round.json", {}], [dota2, "dota2-match.json", {}], [lol, "lol-game.json", {}], [rocketLeague, "rocketleague-stream.json", { playerName: "Octane" }]] as const) {
  const us = stepCost(a as Adapter, f, (a as Adapter).configSchema.parse(cfg));
  rows.push(info("games", `${a.type} adapter step`, us, "µs/payload", "pure core: parse with zod, diff against saved state"));
  console.log(`${a.type}: ${us.toFixed(2)} µs per payload`);
}

const t = await startBox();
const admin = { cookie: await t.admin() };
const targets: { id: string; token: string }[] = [];
for (let i = 0; i < INTEGRATIONS; i++) {
  const c = await call(t.url, "POST", "/api/v1/integrations", { name: `bench-${i}`, type: "cs2" }, admin);
  const s = await call(t.url, "GET", `/api/v1/integrations/${c.body.id}/setup`, undefined, admin);
  targets.push({ id: c.body.id, token: s.body.token });
}

// The whole ingest path in-process (no HTTP): CS2 payloads as JS objects, one integration.
{
  const payloads = t.box.integrations.payloads;
  const bodies = loadFixture("cs2-round.json").steps.map((s) => ({ ...(s.payload as object), auth: { token: targets[0].token } }));
  const n = opts.quick ? 5000 : 30_000;
  const rt = payloads.admit(targets[0].id); // the rate limit is per request; here the path after it is timed
  for (let i = 0; i < 1000; i++) payloads.receive(rt, bodies[i % bodies.length], undefined);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) payloads.receive(rt, bodies[i % bodies.length], undefined);
  const us = ((performance.now() - t0) * 1000) / n;
  rows.push(atMost("games", "cs2 whole ingest path (no HTTP)", us, "µs/payload", 200, "token check, adapter, event validation, dedupe, bus, director"));
  console.log(`cs2 whole ingest path: ${us.toFixed(2)} µs per payload`);
}

const { frames, window: seen, reset } = watchLoad(t.box, (SECONDS + 30) * FPS * 2);
await sleep(1000);
reset();
const before = t.box.ingest.accepted;
const r = await runChild<{ sent: number; missed: number; perSec: number; status: Record<string, number>; latencyMs: { p50: number; p99: number; max: number } }>(
  "games-load.ts", ["--url", t.url, "--seconds", String(SECONDS), "--rate", String(RATE), "--targets", JSON.stringify(targets)], (SECONDS + 30) * 1000);
if (!r.result) throw new Error(`load generator failed (exit ${r.code}): ${r.stderr}`);
const d = delivery(frames.between(seen.first, seen.last), seen.first, seen.last, FPS);
const load = r.result;
console.log(`load: ${load.sent} payloads (${load.perSec.toFixed(0)}/s), missed slots ${load.missed}, statuses ${JSON.stringify(load.status)}, answer p50 ${load.latencyMs.p50.toFixed(2)} p99 ${load.latencyMs.p99.toFixed(2)} max ${load.latencyMs.max.toFixed(1)} ms`);
console.log(`events accepted meanwhile: ${t.box.ingest.accepted - before}; loop: ${d.frames} of ${d.expected.toFixed(0)} frames, interval p99 ${d.interval.p99.toFixed(2)} ms`);
rows.push(atLeast("games", `${INTEGRATIONS}×${RATE} Hz CS2: loop frames`, 100 * d.ratio, "%", 99.5, `interval p99 ${d.interval.p99.toFixed(2)} ms, max ${d.interval.max.toFixed(1)} ms`));
rows.push(atLeast("games", `${INTEGRATIONS}×${RATE} Hz CS2: payloads answered 2xx`, (100 * (load.status["200"] ?? 0)) / Math.max(1, load.sent), "%", 100, `${load.perSec.toFixed(0)} payloads/s, ${load.missed} slots missed by the generator`));
rows.push(info("games", `${INTEGRATIONS}×${RATE} Hz CS2: answer latency p99`, load.latencyMs.p99, "ms", `p50 ${load.latencyMs.p50.toFixed(2)} ms`));
await t.stop();
report(rows, opts);
