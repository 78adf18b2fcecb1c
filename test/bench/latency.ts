// Event-to-frame latency: from the request's receipt to the first output write that contains
// its effect. Target: p99 ≤ one frame period + 3 ms (16.67 + 3 = 19.67 ms at 60 fps).
//
// In-process, real server (startBox) with its real clock at 60 fps. A probe mapping is added
// through the store (a "custom" event named "latency-probe" → a 40 ms pure-blue flash at
// priority 100, above anything a preset uses), so probes can be told apart from everything
// else on the strip. Receipt is stamped where the HTTP handler hands the parsed events to
// ingest (box.ingest.accept is wrapped); the client's send time is kept too, as an upper bound
// that adds the client and the HTTP stack. The frame is caught in the virtual driver's onWrite:
// the first write whose first LED is pure blue (wire order taken from the settings).
//
// The photosensitivity guard is switched off for this bench (settings safety.flashGuard=false):
// probes come every ~110 ms, faster than the 3 flashes/s it allows. Samples are spaced at random
// (40–70 ms after the previous probe has left the strip), so they fall at every phase of the
// frame. Two passes: the server otherwise idle, then with the soak's 2,000 events/s load
// generator running in another process. During each pass the loop's frame intervals are
// recorded and a bare FrameClock runs in its own process as the peer: when a late frame makes
// a sample late, they show whether the machine (the peer is late too) or ledbox is to blame.
//
//   npx bun test/bench/latency.ts [--quick]
import { startBox } from "../helpers/box.ts";
import { atMost, BENCH_DIR, BUN, FrameRecorder, header, info, intervals, options, report, sleep, probeTimer, startChild, summary, type Row } from "./lib.ts";

const opts = options();
const SAMPLES = opts.quick ? 30 : 300;
const SAMPLES_LOADED = opts.quick ? 30 : 200;
const FPS = 60;
const PERIOD = 1000 / FPS;
const TARGET = PERIOD + 3;
const PROBE = "latency-probe";
header(`latency: event receipt → first output write with the effect, ${SAMPLES} + ${SAMPLES_LOADED} samples`, opts);

const t = await startBox({ settings: { safety: { flashGuard: false }, render: { fps: FPS } } });
const box = t.box;
// Stamps: client send, handler receipt, frame start, write.
const samples = { handler: [] as number[], client: [] as number[], wait: [] as number[], render: [] as number[] };
const rec = new FrameRecorder(FPS * 600);
box.engine.onFrame((e) => rec.push(e.lastFrameMs));
const timedProbe = probeTimer(box, PROBE, "Latency probe", (h) => {
  samples.handler.push(h.writtenAt - h.receivedAt);
  samples.client.push(h.writtenAt - h.sentAt);
  samples.wait.push(h.frameAt - h.receivedAt);
  samples.render.push(h.writtenAt - h.frameAt);
});

const body = JSON.stringify({ type: "custom", name: PROBE, game: "bench" });
const probe = () =>
  timedProbe(async () => {
    const res = await fetch(`${t.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`probe answered ${res.status}`);
  });

interface PeerResult { ratio: number; intervalMs: ReturnType<typeof summary> }

async function pass(name: string, n: number) {
  const peer = startChild<PeerResult>("peer-clock.ts", ["--seconds", "600", "--fps", String(FPS)], 700_000);
  for (let i = 0; i < 5; i++) await probe(); // warm-up, not counted
  for (const k of Object.keys(samples) as (keyof typeof samples)[]) samples[k] = [];
  const from = performance.now();
  let lost = 0;
  while (samples.handler.length < n && lost < n) if (!(await probe())) lost++;
  const loop = summary(intervals(rec.between(from, performance.now())));
  const p = await peer.stop();
  return { name, s: { ...samples }, lost, loop, peer: p.result };
}

const rows: Row[] = [];
function record(p: Awaited<ReturnType<typeof pass>>) {
  const h = summary(p.s.handler), c = summary(p.s.client), w = summary(p.s.wait), r = summary(p.s.render);
  const late = p.s.handler.filter((x) => x > TARGET).length;
  const peer = p.peer ? `peer FrameClock (own process, same time): interval p99 ${p.peer.intervalMs.p99.toFixed(2)} max ${p.peer.intervalMs.max.toFixed(2)} ms` : "peer FrameClock: no result";
  console.log(
    `${p.name}: ${h.n} samples, ${p.lost} probes never seen (1 s timeout), ${late} over ${TARGET.toFixed(2)} ms\n` +
      `  handler receipt → write: p50 ${h.p50.toFixed(2)} p99 ${h.p99.toFixed(2)} max ${h.max.toFixed(2)} ms (min ${h.min.toFixed(2)}, mean ${h.mean.toFixed(2)})\n` +
      `  client send     → write: p50 ${c.p50.toFixed(2)} p99 ${c.p99.toFixed(2)} max ${c.max.toFixed(2)} ms\n` +
      `  of which: receipt → frame start p50 ${w.p50.toFixed(2)} p99 ${w.p99.toFixed(2)} max ${w.max.toFixed(2)} ms; frame start → write p50 ${r.p50.toFixed(3)} p99 ${r.p99.toFixed(3)} ms\n` +
      `  loop during the pass: interval p50 ${p.loop.p50.toFixed(2)} p99 ${p.loop.p99.toFixed(2)} max ${p.loop.max.toFixed(2)} ms; ${peer}`,
  );
  rows.push(atMost("latency", `${p.name}: p50`, h.p50, "ms", TARGET));
  rows.push(atMost("latency", `${p.name}: p99`, h.p99, "ms", TARGET, `max ${h.max.toFixed(2)} ms; from client send p99 ${c.p99.toFixed(2)} ms; loop interval max ${p.loop.max.toFixed(1)} ms, peer's ${p.peer?.intervalMs.max.toFixed(1) ?? "?"} ms`));
  if (p.lost) rows.push(info("latency", `${p.name}: probes lost`, p.lost, "", "never reached the output within 1 s"));
}

record(await pass("idle server", SAMPLES));

// Second pass: the same probes while the soak's load generator posts 2,000 events/s.
const seconds = Math.ceil(SAMPLES_LOADED * 0.3 + 10); // ample: it is stopped as soon as the pass ends
const gen = Bun.spawn([BUN, `${BENCH_DIR}/loadgen.ts`, "--url", t.url, "--seconds", String(seconds), "--rate", "2000", "--conns", "4"], { stdout: "pipe", stderr: "pipe" });
await sleep(1000);
const loaded = await pass("under 2,000 ev/s", SAMPLES_LOADED);
gen.kill();
await gen.exited;
record(loaded);

await t.stop();
report(rows, opts);
process.exit(0);
