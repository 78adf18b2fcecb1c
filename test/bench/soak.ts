// Soak: the real server (startBox: HTTP, director, live hub, virtual output) with its real clock
// at 60 fps for 60 s while a bounded load generator in another process posts 2,000 events/s
// over loopback HTTP. Targets: ≥ 99.5% of frames delivered; frame interval p99 within 2 ms of
// 16.67 ms. Intervals are recorded here through engine.onFrame (every frame, not the engine's
// 10-second stats window); the engine's own stats are printed next to them. A bare FrameClock
// in a third process runs at the same time as the peer: the machine's own timer jitter.
//
//   npx bun test/bench/soak.ts [--quick]     (--quick: 5 s instead of 60 s)
import { startBox } from "../helpers/box.ts";
import { atLeast, atMost, delivery, header, info, options, report, runChild, summary, type Row, watchLoad } from "./lib.ts";

const opts = options();
const SECONDS = opts.quick ? 5 : 60;
const RATE = 2000;
const FPS = 60;
const PERIOD = 1000 / FPS;
header(`soak: ${FPS} fps for ${SECONDS} s under ${RATE} events/s`, opts);

interface LoadResult {
  seconds: number; requests: number; okRequests: number; errors: number; skipped: number; firstError: string | null;
  eventsPerSec: number; status: Record<string, number>; latencyMs: { p50: number; p99: number; max: number };
}
interface PeerResult { frames: number; expected: number; ratio: number; intervalMs: ReturnType<typeof summary>; overruns: number }

const t = await startBox();
const engine = t.box.engine;
const { frames: rec, window: seen } = watchLoad(t.box, Math.ceil((SECONDS + 30) * FPS * 1.2));

const accepted0 = t.box.ingest.accepted;
const overruns0 = engine.stats().overruns;

const [load, peer] = await Promise.all([
  runChild<LoadResult>("loadgen.ts", ["--url", t.url, "--seconds", String(SECONDS), "--rate", String(RATE), "--conns", "4", "--batch", "1"], (SECONDS + 30) * 1000),
  runChild<PeerResult>("peer-clock.ts", ["--seconds", String(SECONDS + 1), "--fps", String(FPS)], (SECONDS + 30) * 1000),
]);
const stats = engine.stats();
const director = { triggered: t.box.director.triggered, skipped: t.box.director.skipped };
const accepted = t.box.ingest.accepted - accepted0;
await t.stop();

if (!load.result) throw new Error(`load generator failed (exit ${load.code}): ${load.stderr}`);
if (!peer.result) throw new Error(`peer clock failed (exit ${peer.code}): ${peer.stderr}`);
const L = load.result, P = peer.result;

// Frames whose start fell inside the load window, against 60 per second of it.
const frames = rec.between(seen.first, seen.last);
const d = delivery(frames, seen.first, seen.last, FPS);
const windowS = (seen.last - seen.first) / 1000;
const iv = d.interval;

console.log(`load: ${L.okRequests} requests in ${L.seconds.toFixed(1)} s = ${L.eventsPerSec.toFixed(0)} events/s (target ${RATE}); ` +
  `errors ${L.errors}, skipped slots ${L.skipped}, status ${JSON.stringify(L.status)}${L.firstError ? `, first error ${L.firstError}` : ""}; ` +
  `response p50 ${L.latencyMs.p50.toFixed(2)} ms p99 ${L.latencyMs.p99.toFixed(2)} ms max ${L.latencyMs.max.toFixed(1)} ms`);
console.log(`server: accepted ${accepted} events; director triggered ${director.triggered}, skipped ${director.skipped} (photosensitivity guard and full segments); guard blocked ${stats.guardBlockedFlashes}`);
console.log(`frames in the ${windowS.toFixed(1)} s load window: ${d.frames} of ${d.expected.toFixed(0)} due (${(100 * d.ratio).toFixed(2)}%); ` +
  `interval p50 ${iv.p50.toFixed(2)} p99 ${iv.p99.toFixed(2)} max ${iv.max.toFixed(2)} min ${iv.min.toFixed(2)} ms; overruns ${stats.overruns - overruns0}`);
console.log(`engine stats (last 10 s): delivered ${stats.deliveredFps} fps, interval p50 ${stats.intervalMs.p50} p99 ${stats.intervalMs.p99} max ${stats.intervalMs.max} ms, render p99 ${stats.renderMs.p99} ms`);
console.log(`peer (bare FrameClock, own process, same time): ${(100 * P.ratio).toFixed(2)}% of frames, interval p50 ${P.intervalMs.p50.toFixed(2)} p99 ${P.intervalMs.p99.toFixed(2)} max ${P.intervalMs.max.toFixed(2)} ms`);

const rows: Row[] = [
  atLeast("soak", "load achieved", L.eventsPerSec, "ev/s", RATE * 0.99, "precondition: the generator kept the 2,000 events/s"),
  atLeast("soak", "frames delivered", 100 * d.ratio, "%", 99.5, `${d.frames} of ${d.expected.toFixed(0)} in ${windowS.toFixed(1)} s`),
  atMost("soak", "interval p99 − 16.67", Math.abs(iv.p99 - PERIOD), "ms", 2, `p99 ${iv.p99.toFixed(2)} ms, max ${iv.max.toFixed(2)} ms`),
  info("soak", "peer frames delivered", 100 * P.ratio, "%", "bare FrameClock in its own process"),
  info("soak", "peer interval p99", P.intervalMs.p99, "ms", `max ${P.intervalMs.max.toFixed(2)} ms`),
];
report(rows, opts);
process.exit(0);
