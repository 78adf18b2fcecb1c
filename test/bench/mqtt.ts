// MQTT: event → frame latency and sustained throughput through a real broker on loopback.
// Targets: latency p99 ≤ one frame period + 5 ms (21.67 ms at 60 fps); 5,000 events/s over MQTT
// for the whole run with ≥ 99.5% of frames delivered and every acknowledged event ingested.
//
// The broker is Debian's mosquitto in its own process (set_tcp_nodelay) when installed, else (or with --aedes)
// an in-process aedes (which then shares ledbox's event loop: a harsher setting). ledbox runs in
// this process (startBox) at 60 fps with the photosensitivity guard off (probes come every
// ~110 ms). A probe is a "custom" event mapped to a pure-blue 40 ms flash at priority 100,
// published (QoS 1) by a client in this process; latency runs from just before the publish to
// the first virtual-output write whose first LED is pure blue. Receipt (where the MQTT unit
// hands the events to ingest) is stamped too, to split broker transit from the wait for a frame.
// Pass 1: idle. Pass 2: the same probes while mqtt-loadgen.ts (another process) publishes
// 5,000 events/s; frames are recorded over that window and a bare FrameClock runs as the peer.
//
//   npx bun test/bench/mqtt.ts [--quick] [--aedes]     (--aedes: the in-process broker even when mosquitto is installed)
import { existsSync } from "node:fs";
import mqtt from "mqtt";
import { startBox, until } from "../helpers/box.ts";
import { BROKERS, MOSQUITTO } from "../helpers/brokers.ts";
import { atLeast, atMost, delivery, FrameRecorder, header, info, options, report, sleep, startChild, summary, probeTimer, type Row } from "./lib.ts";

const opts = options();
const SAMPLES = opts.quick ? 30 : 300;
const LOAD_SECONDS = opts.quick ? 5 : 30;
const RATE = 5000;
const FPS = 60;
const PERIOD = 1000 / FPS;
const TARGET = PERIOD + 5;
const PROBE = "mqtt-probe";
const kind = BROKERS.find((b) => b.name === (existsSync(MOSQUITTO) && !process.argv.includes("--aedes") ? "mosquitto" : "aedes"))!;
header(`mqtt (${kind.name} broker): event publish → first output write, ${SAMPLES} samples idle + under ${RATE} ev/s for ${LOAD_SECONDS} s`, opts);

const broker = await kind.start();
const t = await startBox({ settings: { safety: { flashGuard: false }, render: { fps: FPS }, mqtt: { enabled: true, url: broker.url, deviceId: "bench0001" } } });
const box = t.box;
await until(() => box.mqtt.link.connected, "ledbox connected", 5000);
const topic = `ledbox/bench0001/event`;
const samples = { total: [] as number[], transit: [] as number[] };
const rec = new FrameRecorder(FPS * 600);
box.engine.onFrame((e) => rec.push(e.lastFrameMs));
let accepted = 0;
const timedProbe = probeTimer(box, PROBE, "MQTT probe", (h) => {
  samples.total.push(h.writtenAt - h.sentAt);
  samples.transit.push(h.receivedAt - h.sentAt);
}, (n) => (accepted += n));

const relay = await mqtt.connectAsync(broker.url, { clientId: "ledbox-bench-probe" });
const body = JSON.stringify({ type: "custom", name: PROBE, game: "bench" });
const probe = () =>
  timedProbe(async () => {
    await relay.publishAsync(topic, body, { qos: 1 });
  });

async function probes(n: number, until: () => boolean = () => false) {
  for (let i = 0; i < 5; i++) await probe(); // warm-up, not counted
  samples.total = [];
  samples.transit = [];
  let lost = 0;
  while (samples.total.length < n && lost < n && !until()) if (!(await probe())) lost++;
  return { total: summary(samples.total), transit: summary(samples.transit), lost };
}

const rows: Row[] = [];
const latencyRows = (name: string, p: Awaited<ReturnType<typeof probes>>) => {
  console.log(`${name}: ${p.total.n} samples, ${p.lost} lost; publish → write p50 ${p.total.p50.toFixed(2)} p99 ${p.total.p99.toFixed(2)} max ${p.total.max.toFixed(2)} ms; ` +
    `of which publish → ingest p50 ${p.transit.p50.toFixed(2)} p99 ${p.transit.p99.toFixed(2)} ms`);
  rows.push(atMost("mqtt", `${name}: latency p99`, p.total.p99, "ms", TARGET, `p50 ${p.total.p50.toFixed(2)} ms, max ${p.total.max.toFixed(2)} ms; broker transit p99 ${p.transit.p99.toFixed(2)} ms`));
  if (p.lost) rows.push(info("mqtt", `${name}: probes lost`, p.lost, "", "never reached the output within 1 s"));
};

latencyRows("idle", await probes(SAMPLES));

// Pass 2: the load generator publishes for LOAD_SECONDS; probes run meanwhile.
interface LoadResult { seconds: number; sent: number; acked: number; errors: number; skippedSlots: number; perSec: number }
interface PeerResult { ratio: number; intervalMs: ReturnType<typeof summary> }
const peer = startChild<PeerResult>("peer-clock.ts", ["--seconds", String(LOAD_SECONDS + 30), "--fps", String(FPS)], (LOAD_SECONDS + 60) * 1000);
const accepted0 = accepted;
const from = performance.now();
const gen = startChild<LoadResult>("mqtt-loadgen.ts", ["--url", broker.url, "--topic", topic, "--seconds", String(LOAD_SECONDS), "--rate", String(RATE)], (LOAD_SECONDS + 30) * 1000);
const genDone = sleep(LOAD_SECONDS * 1000 + 500);
let loadOver = false;
void genDone.then(() => (loadOver = true));
await sleep(500);
const loaded = await probes(SAMPLES, () => loadOver);
await genDone;
const to = performance.now();
const load = await gen.stop();
await sleep(500); // let the last acknowledged messages reach ingest
const got = accepted - accepted0 - loaded.total.n - loaded.lost - 5;
const p = await peer.stop();
latencyRows(`under ${RATE} ev/s`, loaded);

await relay.endAsync();
await t.stop();
await broker.stop();
if (!load.result) throw new Error(`load generator failed (exit ${load.code}): ${load.stderr}`);
const L = load.result;
const d = delivery(rec.between(from + 1000, to - 500), from + 1000, to - 500, FPS);
console.log(`load: ${L.acked} of ${L.sent} acknowledged in ${L.seconds.toFixed(1)} s = ${L.perSec.toFixed(0)} ev/s; ${L.skippedSlots} slots skipped, ${L.errors} errors; ledbox ingested ${got}`);
console.log(`frames during the load: ${d.frames} of ${d.expected.toFixed(0)} due (${(100 * d.ratio).toFixed(2)}%), interval p50 ${d.interval.p50.toFixed(2)} p99 ${d.interval.p99.toFixed(2)} max ${d.interval.max.toFixed(2)} ms`);
if (p.result) console.log(`peer (bare FrameClock, own process): ${(100 * p.result.ratio).toFixed(2)}% of frames, interval p99 ${p.result.intervalMs.p99.toFixed(2)} max ${p.result.intervalMs.max.toFixed(2)} ms`);
rows.push(
  atLeast("mqtt", "load achieved", L.perSec, "ev/s", RATE * 0.99, `${L.acked} events acknowledged by the ${kind.name} broker`),
  atLeast("mqtt", "acknowledged events ingested", (100 * got) / Math.max(1, L.acked), "%", 100, `${got} of ${L.acked}`),
  atLeast("mqtt", "frames delivered under load", 100 * d.ratio, "%", 99.5, `interval p99 ${d.interval.p99.toFixed(2)} ms, max ${d.interval.max.toFixed(2)} ms`),
);
if (p.result) rows.push(info("mqtt", "peer frames delivered", 100 * p.result.ratio, "%", `bare FrameClock; interval max ${p.result.intervalMs.max.toFixed(2)} ms`));
report(rows, opts);
process.exit(0);
