// Shared helpers for the benchmarks (not a bench itself): options, statistics, the result table.
// A bench prints its raw figures and one row per target; `--json FILE` also writes the rows
// there for test/bench/run.ts to collect into the summary.
import { MappingInputSchema, type MappingInput } from "../../src/director/mapping.ts";
import type { Ledbox } from "../../src/ledbox.ts";
import type { VirtualDriver } from "../../src/outputs/virtual.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Row {
  bench: string;
  metric: string;
  /** The measured figure, in `unit`. */
  value: number;
  unit: string;
  /** The target in words, e.g. "≤ 25". */
  target: string;
  /** value ÷ target for ≤ targets, target ÷ value for ≥ targets: below 1 is headroom. */
  ratio: number | null;
  /** null: informational, no target. */
  pass: boolean | null;
  note?: string;
}

export interface Options {
  quick: boolean;
  json: string | null;
  /** Positional arguments (run.ts: bench names). */
  rest: string[];
}

export function options(argv = process.argv.slice(2)): Options {
  const i = argv.indexOf("--json");
  const json = i >= 0 ? argv[i + 1] ?? null : null;
  const rest = argv.filter((a, k) => !a.startsWith("--") && !(i >= 0 && k === i + 1));
  return { quick: argv.includes("--quick") || process.env.LEDBOX_BENCH_QUICK === "1", json, rest };
}

/** A row for a "value ≤ limit" target. */
export function atMost(bench: string, metric: string, value: number, unit: string, limit: number, note?: string): Row {
  return { bench, metric, value, unit, target: `≤ ${fmt(limit)}`, ratio: value / limit, pass: value <= limit, note };
}

/** A row for a "value ≥ floor" target. */
export function atLeast(bench: string, metric: string, value: number, unit: string, floor: number, note?: string): Row {
  return { bench, metric, value, unit, target: `≥ ${fmt(floor)}`, ratio: value > 0 ? floor / value : Infinity, pass: value >= floor, note };
}

export function info(bench: string, metric: string, value: number, unit: string, note?: string): Row {
  return { bench, metric, value, unit, target: "—", ratio: null, pass: null, note };
}

/** Prints the rows as a table and writes them to --json when asked. */
export function report(rows: Row[], opts: Options): void {
  console.log("\n" + table(rows));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(rows));
}

export function table(rows: Row[], withNotes = true): string {
  const head = ["bench", "metric", "measured", "target", "ratio", "verdict"];
  const body = rows.map((r) => [
    r.bench,
    r.metric,
    `${fmt(r.value)} ${r.unit}`.trim(),
    r.pass === null ? "—" : `${r.target} ${r.unit}`.trim(),
    r.ratio === null ? "" : r.ratio.toFixed(2),
    r.pass === null ? "info" : r.pass ? "PASS" : "MISS",
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c >= 2 && c <= 4 ? s.padStart(w[c]) : s.padEnd(w[c]))).join("  ");
  const notes = rows.filter((r) => withNotes && r.note).map((r) => `  · ${r.bench} ${r.metric}: ${r.note}`);
  const legend = "  ratio: measured ÷ target for ≤ targets, target ÷ measured for ≥ targets (below 1 = headroom)";
  return [line(head), line(w.map((n) => "-".repeat(n))), ...body.map(line), ...notes, legend].join("\n");
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Nearest-rank percentile of unsorted samples (q in 0–1). */
export function percentile(samples: ArrayLike<number>, q: number): number {
  const v = Float64Array.from(samples as ArrayLike<number>).sort();
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

export function summary(samples: ArrayLike<number>) {
  const v = Float64Array.from(samples as ArrayLike<number>).sort();
  const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] : NaN);
  let sum = 0;
  for (const x of v) sum += x;
  return { n: v.length, min: v[0] ?? NaN, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: v[v.length - 1] ?? NaN, mean: v.length ? sum / v.length : NaN };
}

export const median = (xs: number[]) => percentile(xs, 0.5);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
export const BUN = process.execPath;
export const BENCH_DIR = import.meta.dir;

/** The machine, for the header of every bench: figures only mean something next to it. */
export function machine(): string {
  let cpu = "unknown CPU";
  try {
    const m = /model name\s*:\s*(.+)/.exec(require("node:fs").readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1];
  } catch {}
  const load = require("node:os").loadavg().map((x: number) => x.toFixed(2)).join(" ");
  return `bun ${Bun.version}, ${navigator.hardwareConcurrency} cores (${cpu}), load average ${load}`;
}

export function header(title: string, opts: Options): void {
  console.log(`== ${title}${opts.quick ? " (--quick: short smoke run, figures are rough)" : ""}`);
  console.log(`   ${machine()}`);
}

/** Records frame start times from engine.onFrame into a preallocated buffer (no allocation per frame). */
export class FrameRecorder {
  readonly times: Float64Array;
  n = 0;
  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
  }
  push(t: number): void {
    if (this.n < this.times.length) this.times[this.n++] = t;
  }
  /** Frame start times within [from, to). */
  between(from: number, to: number): Float64Array {
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.times[i] >= from && this.times[i] < to) out.push(this.times[i]);
    return Float64Array.from(out);
  }
}

/** Intervals between successive times. */
export function intervals(times: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, times.length - 1));
  for (let i = 1; i < times.length; i++) out[i - 1] = times[i] - times[i - 1];
  return out;
}

/** Frame delivery over a window: frames seen vs. frames due at fps. */
export function delivery(times: Float64Array, from: number, to: number, fps: number) {
  const expected = ((to - from) / 1000) * fps;
  const iv = summary(intervals(times));
  return { frames: times.length, expected, ratio: times.length / expected, interval: iv };
}

export interface ChildResult<T> {
  code: number;
  result: T | null;
  stderr: string;
}

/**
 * Runs one of the helper scripts in its own process; it prints one JSON line starting with
 * RESULT at the end. Killed if it outlives `timeoutMs` (the scripts also stop by themselves).
 */
/** A helper script started now and stopped later with SIGTERM, when it prints its RESULT line. */
export function startChild<T>(script: string, args: string[], timeoutMs: number) {
  const p = Bun.spawn([BUN, join(BENCH_DIR, script), ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const killer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const out = new Response(p.stdout).text();
  const err = new Response(p.stderr).text();
  return {
    async stop(): Promise<ChildResult<T>> {
      p.kill("SIGTERM");
      const code = await p.exited;
      clearTimeout(killer);
      const line = (await out).split("\n").find((l) => l.startsWith("RESULT "));
      return { code, result: line ? (JSON.parse(line.slice(7)) as T) : null, stderr: (await err).trim() };
    },
  };
}

export async function runChild<T>(script: string, args: string[], timeoutMs: number): Promise<ChildResult<T>> {
  const p = Bun.spawn([BUN, join(BENCH_DIR, script), ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const killer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const code = await p.exited;
  clearTimeout(killer);
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  return { code, result: line ? (JSON.parse(line.slice(7)) as T) : null, stderr: err.trim() };
}

/**
 * Watches a running ledbox under load: every frame's time, and the load window as the server
 * saw it (first and last accepted request), so delivery is judged over exactly that span.
 */
export function watchLoad(box: Ledbox, frameCapacity: number) {
  const frames = new FrameRecorder(frameCapacity);
  box.engine.onFrame((e) => frames.push(e.lastFrameMs));
  const window = { first: -1, last: -1 };
  const accept = box.ingest.accept.bind(box.ingest);
  box.ingest.accept = (events) => {
    const now = performance.now();
    if (window.first < 0) window.first = now;
    window.last = now;
    return accept(events);
  };
  return {
    frames,
    window,
    reset: () => {
      window.first = window.last = -1;
    },
  };
}

/** When a probe was sent, received by ingest, and first written to the output, and its frame's time. */
export interface ProbeHit {
  sentAt: number;
  receivedAt: number;
  writtenAt: number;
  frameAt: number;
}

/**
 * Times probes end to end: a `custom` event named `name` is mapped to a 40 ms pure-blue flash at
 * the top priority, its receipt is stamped at ingest, and the first write to the (virtual) output
 * that shows it is caught. Returns `probe(send)`, which sends one probe at a time once the last
 * has left the strip and says whether a frame showed it within 1 s.
 */
export function probeTimer(box: Ledbox, name: string, label: string, onHit: (h: ProbeHit) => void, onAccept?: (events: number) => void) {
  const mapping: MappingInput = {
    name: label, event: "custom", match: { name },
    action: { kind: "effect", effect: "flash", colors: ["#0000ff"], durationMs: 40, fadeInMs: 0, fadeOutMs: 0, priority: 100 },
  };
  MappingInputSchema.parse(mapping);
  box.mappings.create(mapping);
  // Blue on, red and green off, wherever the colour order puts them.
  const order = box.settings.get().strip.colorOrder;
  const [oR, oG, oB] = ["R", "G", "B"].map((c) => order.indexOf(c));
  const shows = (f: Uint8Array) => f[oB] > 0 && f[oR] === 0 && f[oG] === 0;

  let sentAt = 0, receivedAt = 0, waiting = false, lastShowed = false;
  let resolveHit: (() => void) | null = null;
  const accept = box.ingest.accept.bind(box.ingest);
  box.ingest.accept = (events) => {
    onAccept?.(events.length);
    if (waiting && receivedAt === 0 && events.some((e) => e.type === "custom" && e.name === name)) receivedAt = performance.now();
    return accept(events);
  };
  (box.engine.outputs[0].driver as VirtualDriver).onWrite = (frame) => {
    const writtenAt = performance.now();
    const seen = shows(frame);
    if (waiting && receivedAt > 0 && seen) {
      waiting = false;
      onHit({ sentAt, receivedAt, writtenAt, frameAt: box.engine.lastFrameMs });
      resolveHit?.();
    }
    lastShowed = seen;
  };
  return async function probe(send: () => Promise<void>): Promise<boolean> {
    for (let i = 0; i < 50 && lastShowed; i++) await sleep(5);
    await sleep(40 + Math.random() * 30);
    receivedAt = 0;
    waiting = true;
    const hit = new Promise<boolean>((resolve) => {
      resolveHit = () => resolve(true);
      setTimeout(() => resolve(false), 1000);
    });
    sentAt = performance.now();
    await send();
    const ok = await hit;
    waiting = false;
    return ok;
  };
}
