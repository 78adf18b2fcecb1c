// Fuzz bench, the long run of test/fuzz/: 100,000 cases per entry point in-process on a real
// device (its engine rendering at 60 fps in the same process all along), then mutated HTTP
// requests to a ledbox process and MQTT messages through a real broker. Per entry point: cases,
// time, findings, how many were refused, the slowest case, cases longer than a frame, the render
// loop's frames (delivered of those due, stalled; beside the fuzzer alone, which shares the
// thread), and memory before, at its peak and after.
// Targets (issue 11): 0 findings; 0 stalled frames in the ledbox process (its own core, the
// fuzzing client and broker on the others, as on a LAN); memory bounded: in-process, the live
// heap left after a collection within RETAINED_BOUND_MB of the start; through the ledbox process,
// its peak RSS within RSS_BOUND_MB of its start.
//
//   npx bun test/bench/fuzz.ts [--quick] [--cases N] [--through N] [--seed S] [--only NAME] [--case I] [--attribute]
//
// --only NAME --case I replays one case of one entry point and prints its whole input and answer.
import { heapStats } from "bun:jsc";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Engine } from "../../src/light/engine.ts";
import { BROKERS } from "../helpers/brokers.ts";
import { call } from "../helpers/box.ts";
import { startProcess } from "../helpers/process.ts";
import { caseInput, fuzz, FRAME_MS, preview, type Target } from "../fuzz/lib.ts";
import { ADAPTER_CONFIGS, ADAPTER_SEEDS, deviceTargets, harness, parserTargets } from "../fuzz/targets.ts";
import { fuzzHttp, fuzzMqtt, type Integration, type ThroughResult } from "../fuzz/through.ts";
import { atMost, fmt, header, info, options, report, tempDir, type Row } from "./lib.ts";

const opts = options();
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const CASES = Number(arg("cases") ?? (opts.quick ? 2000 : 100_000));
const THROUGH = Number(arg("through") ?? (opts.quick ? 500 : 20_000));
const SEED = Number(arg("seed") ?? 20261129);
const only = arg("only");
/** --attribute: read the device's skipped frames after every HTTP case (slower), to say which cases cost frames. */
const attribute = process.argv.includes("--attribute");
const replay = arg("case");

header(`fuzz: ${CASES.toLocaleString("en-US")} cases per entry point in-process, ${THROUGH.toLocaleString("en-US")} through HTTP and MQTT, seed ${SEED}`, opts);
const rssMb = () => {
  Bun.gc(true);
  return process.memoryUsage().rss / 1024 / 1024;
};
/** The live JS heap after a full collection: what the device keeps, without the pages the allocator holds on to. */
const heapMb = () => {
  Bun.gc(true);
  return heapStats().heapSize / 1024 / 1024;
};

/**
 * How far above the RSS at the start of a part its peak may go: what a 512 MB board (Pi Zero 2 W,
 * Pi 3 A+) has left once the system and ledbox itself are running. A case's input is at most
 * 1 MiB, but its garbage waits for the collector and a parse may take many times the input (a
 * YAML file of anchors); a leak grows the peak with the number of cases, so the long run shows it.
 */
const RSS_BOUND_MB = 256;
/** What 2.1 million in-process cases may leave in the live heap after a collection: a leak of a few bytes a case exceeds it. */
const RETAINED_BOUND_MB = 64;

/**
 * The peak RSS of a process from now on: the kernel's high-water mark (VmHWM), reset here
 * through /proc/<pid>/clear_refs (Linux ≥ 4.0); where that cannot be written, VmRSS sampled
 * every 20 ms (a shorter spike can then be missed).
 */
function peakRss(pid: number | "self" = "self") {
  const mb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  let kernel = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    kernel = false;
  }
  let sampled = mb("VmRSS");
  const timer = kernel ? null : setInterval(() => void (sampled = Math.max(sampled, mb("VmRSS"))), 20);
  return {
    now: () => mb("VmRSS"),
    peak(): number {
      if (timer) clearInterval(timer);
      return kernel ? mb("VmHWM") : Math.max(sampled, mb("VmRSS"));
    },
  };
}

/**
 * The render loop's frames while a target runs, counted from the frames themselves rather than
 * from the clock's own overrun count: over each stretch at one rate, round(span × fps) frames
 * were due after its first and every one not rendered is a stalled frame (a frame rendered late
 * still counts for its deadline). A stretch ends at an engine reconfigure: an accepted settings
 * change pauses the loop while outputs reopen, by design, and may change the rate.
 */
class FrameWatch {
  delivered = 0;
  due = 0;
  longestGapMs = 0;
  private on = false;
  private rebuilt = false;
  private first = -1;
  private last = -1;
  private fps = 0;
  private n = 0;

  constructor(engine: Engine) {
    engine.onFrame((e) => this.frame(e.lastFrameMs, e.settings.render.fps));
    const reconfigure = engine.reconfigure.bind(engine);
    engine.reconfigure = async (next) => {
      this.rebuilt = true;
      try {
        return await reconfigure(next);
      } finally {
        this.rebuilt = true;
      }
    };
  }

  start(): void {
    this.delivered = this.due = this.longestGapMs = this.n = 0;
    this.first = -1;
    this.on = true;
  }

  stop() {
    this.close();
    this.on = false;
    return { delivered: this.delivered, due: this.due, stalled: Math.max(0, this.due - this.delivered), longestGapMs: this.longestGapMs };
  }

  private frame(t: number, fps: number): void {
    if (!this.on) return;
    if (this.first < 0 || this.rebuilt || fps !== this.fps) {
      this.close();
      this.first = this.last = t;
      this.fps = fps;
      this.rebuilt = false;
      return;
    }
    this.longestGapMs = Math.max(this.longestGapMs, t - this.last);
    this.last = t;
    this.n++;
  }

  private close(): void {
    if (this.first >= 0) {
      this.delivered += this.n;
      this.due += Math.round(((this.last - this.first) * this.fps) / 1000);
    }
    this.first = -1;
    this.n = 0;
  }
}

/**
 * Pins the ledbox process (every thread) to the last CPU and this one (the client, the broker) to
 * the others, with taskset; says what it did.
 */
function pinApart(pid: number): string {
  const n = availableParallelism();
  const taskset = Bun.which("taskset");
  if (n < 2 || !taskset) return `not pinned (${n < 2 ? "one CPU" : "no taskset: apt-get install -y util-linux"}): the client shares ledbox's CPUs`;
  const set = (cpus: string, p: number) => Bun.spawnSync([taskset, "-a", "-p", "-c", cpus, String(p)]).exitCode === 0;
  const device = String(n - 1), others = n === 2 ? "0" : `0-${n - 2}`;
  return set(device, pid) && set(others, process.pid) ? `ledbox pinned to CPU ${device}, the client and broker to CPU ${others}` : "not pinned (taskset refused): the client shares ledbox's CPUs";
}

const h = await harness();
const targets: Target[] = [...parserTargets(), ...deviceTargets(h)].filter((t) => !only || t.name.includes(only));

if (replay !== undefined) {
  for (const t of targets) {
    const input = caseInput(t, SEED, Number(replay));
    console.log(`${t.name}, case ${replay}:\n${JSON.stringify(input, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v))}`);
    try {
      console.log("returned:", preview(await t.run(input)));
    } catch (err) {
      console.log(`threw (${t.expected(err) ? "an expected answer" : "a FINDING"}):`, err);
    }
    console.log("check:", t.check?.(input) ?? "ok");
  }
  await h.stop();
  process.exit(0);
}

const rows: Row[] = [];
let total = 0, totalFindings = 0;
const watch = new FrameWatch(h.t.box.engine);
const frames = { delivered: 0, due: 0, stalled: 0, skipped: 0, worst: "", worstStalled: 0, alone: 0, aloneDue: 0 };
const rssStart = rssMb();
const heapStart = heapMb();
let rssPeak = rssStart, rssPeakAt = "";
console.log(`\n${"entry point".padEnd(48)} ${"cases".padStart(8)} ${"s".padStart(6)} ${"findings".padStart(8)} ${"refused".padStart(8)} ${"slowest".padStart(9)} ${">frame".padStart(7)} ${"frames".padStart(15)} ${"stalled".padStart(7)} ${"alone".padStart(7)} ${"skipped".padStart(7)} ${"RSS MB".padStart(14)} ${"heap MB".padStart(9)}`);
for (const t of targets) {
  const rss0 = rssMb();
  const heap0 = heapMb();
  await Bun.sleep(100); // the frames the collection held up are past before counting
  const o0 = h.t.box.engine.stats().overruns;
  const mem = peakRss();
  watch.start();
  const r = await fuzz(t, { cases: CASES, seed: SEED });
  const f = watch.stop();
  const peak = mem.peak();
  const skipped = h.t.box.engine.stats().overruns - o0;
  const rss1 = rssMb();
  const heap1 = heapMb();
  // The peer: the same cases made, checked for size and yielded to the same way, without the
  // device. In-process the loop shares its thread with the fuzzer, and this is what the fuzzer's
  // own work (and its garbage's collections) costs the frames.
  let alone = { stalled: 0, due: 0 };
  if (!t.beforeLoop) {
    await Bun.sleep(100);
    watch.start();
    await fuzz({ ...t, run: () => undefined, check: undefined }, { cases: CASES, seed: SEED });
    alone = watch.stop();
    heapMb();
  }
  total += r.cases;
  totalFindings += r.findings.length;
  if (!t.beforeLoop) {
    frames.delivered += f.delivered, frames.due += f.due, frames.stalled += f.stalled, frames.skipped += skipped;
    frames.alone += alone.stalled, frames.aloneDue += alone.due;
    if (f.stalled > frames.worstStalled) (frames.worstStalled = f.stalled), (frames.worst = t.name);
  }
  if (peak > rssPeak) (rssPeak = peak), (rssPeakAt = t.name);
  console.log(`${t.name.padEnd(48)} ${fmt(r.cases).padStart(8)} ${(r.ms / 1000).toFixed(1).padStart(6)} ${String(r.findings.length).padStart(8)} ${`${Math.round((100 * r.refused) / r.cases)}%`.padStart(8)} ${`${r.maxCaseMs.toFixed(1)} ms`.padStart(9)} ${String(r.overFrame).padStart(7)} ${(t.beforeLoop ? "at start-up" : `${f.delivered}/${f.due}`).padStart(15)} ${(t.beforeLoop ? "—" : String(f.stalled)).padStart(7)} ${(t.beforeLoop ? "—" : String(alone.stalled)).padStart(7)} ${String(skipped).padStart(7)} ${`${rss0.toFixed(0)}→${peak.toFixed(0)}→${rss1.toFixed(0)}`.padStart(14)} ${`${heap0.toFixed(0)}→${heap1.toFixed(0)}`.padStart(9)}`);
  for (const x of r.findings.slice(0, 5)) console.log(`   FINDING case ${x.case}: ${x.error}\n     ${x.input}`);
  const note = `${fmt(r.cases)} cases in ${(r.ms / 1000).toFixed(1)} s, ${Math.round((100 * r.refused) / r.cases)}% refused; slowest ${r.maxCaseMs.toFixed(1)} ms, ${r.overFrame} over ${FRAME_MS.toFixed(1)} ms; frames ${f.delivered} of ${f.due} due, ${f.stalled} stalled (longest gap ${f.longestGapMs.toFixed(1)} ms; the clock skipped ${skipped}; the fuzzer alone ${alone.stalled} of ${alone.due}); RSS ${rss0.toFixed(0)} → peak ${peak.toFixed(0)} → ${rss1.toFixed(0)} MB, live heap ${heap0.toFixed(0)} → ${heap1.toFixed(0)} MB`;
  rows.push(atMost("fuzz", `${t.name}: findings`, r.findings.length, "", 0, note));
}
const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(2)}%` : "—");
const count = (n: number) => n.toLocaleString("en-US");
rows.push(
  info("fuzz", "in-process cases, all entry points", total, "cases"),
  // Shown beside its peer, the fuzzer alone: in-process both share one thread. The device's own
  // frames are measured through the process below, with a core of its own.
  info("fuzz", "in-process: stalled frames", frames.stalled, "frames", `${count(frames.delivered)} of ${count(frames.due)} due delivered (${pct(frames.delivered, frames.due)})${frames.worstStalled ? `; most in ${frames.worst} (${frames.worstStalled})` : ""}; the clock counted ${frames.skipped} skipped; the fuzzer alone, no device: ${count(frames.alone)} of ${count(frames.aloneDue)} stalled`),
  // In-process the peak holds the harness's own inputs (up to 1 MiB each) until a collection, and
  // the allocator keeps pages the collection freed: what the device keeps is the live heap after
  // one. RSS is shown; through the process, its peak is the target.
  atMost("fuzz", "in-process: live heap kept after a collection", heapMb() - heapStart, "MB", RETAINED_BOUND_MB, `live heap ${heapStart.toFixed(0)} → ${heapMb().toFixed(0)} MB; RSS ${rssStart.toFixed(0)} → ${rssMb().toFixed(0)} MB, peak ${rssPeak.toFixed(0)} MB${rssPeakAt ? ` (during ${rssPeakAt})` : ""}`),
);
await h.stop();

// Through the real edges: a ledbox process, its HTTP server and a broker.
if (!only && THROUGH > 0) {
  const dir = tempDir("ledbox-fuzz-");
  const broker = await BROKERS[0].start();
  const box = await startProcess(dir);
  // On a LAN the fuzzing client and the broker are other machines: ledbox gets a core of its own,
  // so the frames it stalls are its own doing, not the client's.
  const pinned = pinApart(box.proc.pid!);
  console.log(`\nthrough the process: ${pinned}`);
  try {
    const cookie = await box.admin();
    const authorization = `Bearer ${(await call(box.url, "POST", "/api/v1/auth/tokens", { name: "fuzz" }, { cookie })).body.token}`;
    const auth = { authorization };
    await call(box.url, "PUT", "/api/v1/settings", { mqtt: { enabled: true, url: broker.url } }, auth);
    const integrations: Integration[] = [];
    for (const type of Object.keys(ADAPTER_SEEDS)) {
      const id = (await call(box.url, "POST", "/api/v1/integrations", { name: `fuzz ${type}`, type, config: ADAPTER_CONFIGS[type] ?? {} }, auth)).body.id;
      integrations.push({ id, type, token: (await call(box.url, "GET", `/api/v1/integrations/${id}/setup`, undefined, auth)).body.token });
    }
    const deadline = performance.now() + 10_000;
    while ((await call(box.url, "GET", "/api/v1/mqtt/status", undefined, auth)).body.state !== "connected" && performance.now() < deadline) await Bun.sleep(100);
    // Each part starts from these settings: the HTTP part's accepted changes (a frame rate, 10,000
    // LEDs) would otherwise be the next part's loop.
    const baseline = (await call(box.url, "GET", "/api/v1/settings", undefined, auth)).body;
    const loop = async () => {
      const s = (await call(box.url, "GET", "/api/v1/settings", undefined, auth)).body;
      return `${s.strip.ledCount} LEDs at ${s.render.fps} fps, ${s.outputs.length} outputs`;
    };
    const through = async (name: string, run: () => Promise<ThroughResult>) => {
      const reset = await call(box.url, "PUT", "/api/v1/settings", baseline, auth);
      if (reset.status !== 200) throw new Error(`the baseline settings were refused: ${reset.text}`);
      const loopAtStart = await loop();
      const mem = peakRss(box.proc.pid!);
      const rss0 = mem.now();
      const r = await run();
      const peak = mem.peak();
      const rss1 = mem.now();
      const statuses = Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(", ");
      // From outside the process, the device's own count is what there is: frames rendered, and
      // frames its clock skipped (due, not rendered) while its loop ran.
      const frameNote = `${count(r.frames)} of ${count(r.frames + r.overruns)} due delivered (${pct(r.frames, r.frames + r.overruns)}), as the device counts them`;
      console.log(`\n${name}: ${fmt(r.cases)} in ${(r.ms / 1000).toFixed(1)} s; ${statuses}; ${r.findings.length} findings; frames ${frameNote}, ${r.overruns} stalled; process RSS ${rss0.toFixed(0)} → peak ${peak.toFixed(0)} → ${rss1.toFixed(0)} MB; the loop: ${loopAtStart} at the start, ${await loop()} at the end`);
      if (r.skippedBy) console.log(`   skipped frames by kind of case: ${JSON.stringify(r.skippedBy.kind)}${r.skippedBy.cases.map((c) => `\n   ${c}`).join("")}`);
      for (const f of r.findings.slice(0, 5)) console.log(`   FINDING ${f}`);
      rows.push(
        atMost("fuzz", `${name}: findings`, r.findings.length, "", 0, `${fmt(r.cases)} in ${(r.ms / 1000).toFixed(1)} s (${statuses})`),
        atMost("fuzz", `${name}: stalled frames`, r.overruns, "frames", 0, frameNote),
        atMost("fuzz", `${name}: peak RSS above start`, peak - rss0, "MB", RSS_BOUND_MB, `process RSS ${rss0.toFixed(0)} → peak ${peak.toFixed(0)} → ${rss1.toFixed(0)} MB`),
      );
      totalFindings += r.findings.length;
    };
    await through("HTTP to a ledbox process", () => fuzzHttp(box.url, authorization, integrations, THROUGH, SEED, attribute));
    await through("MQTT through a broker", () => fuzzMqtt(box.url, authorization, broker.url, integrations, THROUGH, SEED));
    if (box.proc.exitCode !== null) throw new Error(`the ledbox process exited (${box.proc.exitCode}): ${box.err()}`);
  } finally {
    await box.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\n${fmt(total)} in-process cases, ${totalFindings} findings`);
report(rows, opts);
process.exit(0);
