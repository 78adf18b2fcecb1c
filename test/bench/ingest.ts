// Ingest throughput on loopback with the loop running: target ≥ 20,000 events/s.
//
// The real server (startBox, default settings, FPS Combat preset) runs here with its clock at
// 60 fps; a load generator in its own process (loadgen.ts: plain HTTP/1.1 over keep-alive
// sockets, one request in flight per connection, as wrk does) keeps 8 connections posting as
// fast as answers come back (closed loop), first single events, then batches of 50. Both are
// reported; the target is in events/s. During each phase the loop's frames are recorded through
// engine.onFrame, so an ingest that starves the loop shows up.
//
// Peers, run the same way in the same run: a bare Bun.serve that parses the JSON body and
// answers 202 (the HTTP stack's ceiling with this generator on this machine) and a bare Elysia
// route (the framework's). If `wrk` is installed (optional), single events are also posted
// with wrk -t1, for a second opinion from a generator written in C.
//
//   npx bun test/bench/ingest.ts [--quick]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import { parseEvents } from "../../src/events/ingest.ts";
import { startBox } from "../helpers/box.ts";
import { atLeast, delivery, header, info, options, report, runChild, sleep, type Row, watchLoad } from "./lib.ts";

const opts = options();
const SECONDS = opts.quick ? 2 : 8;
const CONNS = 8;
const TARGET = 20_000;
const FPS = 60;
header(`ingest: events/s over loopback HTTP, ${CONNS} keep-alive connections, loop at ${FPS} fps`, opts);

interface LoadResult {
  seconds: number; requests: number; okRequests: number; errors: number; firstError: string | null;
  events: number; eventsPerSec: number; requestsPerSec: number; status: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
}

async function loadgen(url: string, batch: number): Promise<LoadResult> {
  const args = ["--url", url, "--seconds", String(SECONDS), "--rate", "0", "--conns", String(CONNS), "--batch", String(batch)];
  const r = await runChild<LoadResult>("loadgen.ts", args, (SECONDS + 30) * 1000);
  if (!r.result) throw new Error(`load generator failed (exit ${r.code}): ${r.stderr}`);
  return r.result;
}

const WRK = Bun.which("wrk");
/** wrk -t1, single events; answers other than 2xx are counted as failures, not as throughput. */
async function wrk(url: string): Promise<{ rps: number; non2xx: number; errors: string } | null> {
  if (!WRK) return null;
  const dir = mkdtempSync(join(tmpdir(), "ledbox-bench-wrk-"));
  const script = join(dir, "post.lua");
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '{"type":"health","game":"cs2","value":42}'\n`);
  const p = Bun.spawn([WRK, "-t", "1", "-c", String(CONNS), "-d", `${SECONDS}s`, "-s", script, `${url}/api/v1/events`], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => p.kill("SIGKILL"), (SECONDS + 20) * 1000);
  const out = await new Response(p.stdout).text();
  await p.exited;
  clearTimeout(killer);
  rmSync(dir, { recursive: true, force: true });
  const m = /Requests\/sec:\s*([\d.]+)/.exec(out);
  if (!m) throw new Error(`wrk output not understood:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s*(\d+)/.exec(out)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(m[1]) * (total > 0 ? (total - non2xx) / total : 1);
  return { rps, non2xx, errors: /Socket errors:.*/.exec(out)?.[0] ?? "" };
}

const rows: Row[] = [];
const t = await startBox();
const engine = t.box.engine;
const { frames: rec, window: seen, reset } = watchLoad(t.box, (SECONDS * 4 + 60) * FPS * 2);
await sleep(500);

/** Runs one load phase against ledbox and checks the loop over the window it covered. */
async function phase<T>(name: string, run: () => Promise<T>) {
  reset();
  const before = t.box.ingest.accepted;
  const r = await run();
  const d = delivery(rec.between(seen.first, seen.last), seen.first, seen.last, FPS);
  const loop = `loop meanwhile: ${d.frames} of ${d.expected.toFixed(0)} frames (${(100 * d.ratio).toFixed(2)}%), interval p50 ${d.interval.p50.toFixed(2)} p99 ${d.interval.p99.toFixed(2)} max ${d.interval.max.toFixed(2)} ms`;
  rows.push(atLeast("ingest", `${name}: loop frames`, 100 * d.ratio, "%", 99.5, `interval p99 ${d.interval.p99.toFixed(2)} ms, max ${d.interval.max.toFixed(1)} ms`));
  return { r, accepted: t.box.ingest.accepted - before, loop };
}

const results: Record<number, LoadResult> = {};
for (const batch of [1, 50]) {
  const { r, accepted, loop } = await phase(`batch ${batch}`, () => loadgen(t.url, batch));
  results[batch] = r;
  console.log(
    `batch ${String(batch).padStart(2)}: ${r.eventsPerSec.toFixed(0)} events/s (${r.requestsPerSec.toFixed(0)} requests/s) over ${r.seconds.toFixed(1)} s; ` +
      `server accepted ${accepted} (generator counted ${r.events}); errors ${r.errors}, status ${JSON.stringify(r.status)}${r.firstError ? `, first error ${r.firstError}` : ""}; ` +
      `response p50 ${r.latencyMs.p50.toFixed(2)} p99 ${r.latencyMs.p99.toFixed(2)} max ${r.latencyMs.max.toFixed(1)} ms\n          ${loop}`,
  );
  rows.splice(rows.length - 1, 0, atLeast("ingest", `batch ${batch} events/s`, r.eventsPerSec, "ev/s", TARGET, `${r.requestsPerSec.toFixed(0)} requests/s, response p99 ${r.latencyMs.p99.toFixed(2)} ms`));
  if (accepted !== r.events) rows.push(info("ingest", `batch ${batch}: events lost`, r.events - accepted, "", "the generator's count differs from the server's"));
}

let wrkLedbox: Awaited<ReturnType<typeof wrk>> = null;
if (WRK) {
  const { r, accepted, loop } = await phase("wrk batch 1", () => wrk(t.url));
  wrkLedbox = r;
  console.log(`wrk -t1 -c${CONNS}, single events: ${r!.rps.toFixed(0)} events/s accepted (server counted ${accepted}); non-2xx ${r!.non2xx}${r!.errors ? `; ${r!.errors}` : ""}\n          ${loop}`);
  rows.splice(rows.length - 1, 0, atLeast("ingest", "wrk batch 1 events/s", r!.rps, "ev/s", TARGET, "wrk -t1 -c8"));
} else console.log("wrk not installed: skipped (optional; apt-get install -y wrk)");
const stats = engine.stats();
console.log(`engine stats (last 10 s): delivered ${stats.deliveredFps} fps, interval p99 ${stats.intervalMs.p99} ms, render p99 ${stats.renderMs.p99} ms, overruns ${stats.overruns}`);

// In-process cost per event, no HTTP: JSON.parse + validation (parseEvents) + accept (ring, bus,
// director, scene). Next to the HTTP peers, this splits a request's cost between stack and ledbox.
{
  const mix = [{ type: "health", game: "cs2", value: 42 }, { type: "kill", game: "cs2" }, { type: "damage_taken", game: "cs2", amount: 10 }, { type: "ammo", game: "cs2", value: 3 }];
  const bodies = mix.map((e) => JSON.stringify(e));
  const n = opts.quick ? 20_000 : 100_000;
  const time = (fn: (i: number) => void) => {
    for (let i = 0; i < 5000; i++) fn(i);
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < n; i++) fn(i);
    return (Bun.nanoseconds() - t0) / n / 1000;
  };
  const parseUs = time((i) => parseEvents(JSON.parse(bodies[i & 3])));
  const fullUs = time((i) => {
    const r = parseEvents(JSON.parse(bodies[i & 3]));
    if (r.ok) t.box.ingest.accept(r.events);
  });
  console.log(`in-process, no HTTP: parse+validate ${parseUs.toFixed(2)} µs/event, parse+validate+accept ${fullUs.toFixed(2)} µs/event (≈ ${(1e6 / fullUs).toFixed(0)} events/s on one core)`);
  rows.push(info("ingest", "in-process µs/event", fullUs, "µs", `validation ${parseUs.toFixed(2)} µs, accept (bus, director, scene) ${(fullUs - parseUs).toFixed(2)} µs`));
}
await t.stop();

// The peers, single events, same generators.
const share = (ledbox: number, peer: number) => `ledbox = ${((100 * ledbox) / peer).toFixed(0)}% of it`;
const bare = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    const body = await req.json();
    return Response.json({ accepted: Array.isArray(body) ? body.length : 1 }, { status: 202 });
  },
});
const bareUrl = `http://127.0.0.1:${bare.port}`;
const peerServe = await loadgen(bareUrl, 1);
const peerServeWrk = await wrk(bareUrl);
await bare.stop(true);
const app = new Elysia()
  .post("/api/v1/events", ({ body, set }) => {
    set.status = 202;
    return { accepted: Array.isArray(body) ? body.length : 1 };
  })
  .listen({ port: 0, hostname: "127.0.0.1" });
const elysiaUrl = `http://127.0.0.1:${app.server!.port}`;
const peerElysia = await loadgen(elysiaUrl, 1);
const peerElysiaWrk = await wrk(elysiaUrl);
await app.stop(true);

const l1 = results[1].requestsPerSec;
console.log(`peer bare Bun.serve + JSON parse: loadgen ${peerServe.requestsPerSec.toFixed(0)} requests/s (${share(l1, peerServe.requestsPerSec)})` +
  (peerServeWrk ? `; wrk ${peerServeWrk.rps.toFixed(0)} (${share(wrkLedbox!.rps, peerServeWrk.rps)})` : ""));
console.log(`peer bare Elysia route, no schema: loadgen ${peerElysia.requestsPerSec.toFixed(0)} requests/s (${share(l1, peerElysia.requestsPerSec)})` +
  (peerElysiaWrk ? `; wrk ${peerElysiaWrk.rps.toFixed(0)} (${share(wrkLedbox!.rps, peerElysiaWrk.rps)})` : ""));
rows.push(info("ingest", "peer Bun.serve req/s", peerServe.requestsPerSec, "req/s", `loadgen, batch 1: ${share(l1, peerServe.requestsPerSec)}`));
rows.push(info("ingest", "peer Elysia req/s", peerElysia.requestsPerSec, "req/s", `loadgen, batch 1: ${share(l1, peerElysia.requestsPerSec)}`));
if (peerServeWrk && peerElysiaWrk && wrkLedbox) {
  rows.push(info("ingest", "peer Bun.serve req/s (wrk)", peerServeWrk.rps, "req/s", share(wrkLedbox.rps, peerServeWrk.rps)));
  rows.push(info("ingest", "peer Elysia req/s (wrk)", peerElysiaWrk.rps, "req/s", share(wrkLedbox.rps, peerElysiaWrk.rps)));
}

report(rows, opts);
process.exit(0);
