// Render cost: scene + pipeline per frame at 150/300/1000 LEDs with 8 active effects on 3
// segments, in ns per LED per active layer (target ≤ 25 ns on this machine).
//
// The engine runs with an injected clock that never moves; time passes only through
// engine.renderAt(t), one frame period apart, so the figure is pure compute: no timers, no I/O.
// Time is taken two ways per round: wall clock, and this thread's own time on a CPU from
// /proc/thread-self/schedstat (which also says how long it sat runnable, waiting for a CPU
// other processes held). The verdict uses the on-CPU median: on a shared 2-core machine the
// wall clock also counts other tenants' time slices; both are printed.
// Active layers are counted from what the engine really draws on each segment — the base (when
// on), every meter, and the effect instances alive at the top priority (all 8 share one priority,
// so all 8 are drawn) — weighted by segment length and averaged per LED.
//
//   npx bun test/bench/render.ts [--quick]
import { readFileSync } from "node:fs";
import { SettingsSchema } from "../../src/config/schema.ts";
import { Engine } from "../../src/light/engine.ts";
import { BaseChangeSchema, EffectSpecSchema, MeterSpecSchema } from "../../src/light/specs.ts";
import { atMost, header, info, median, options, report, type Row } from "./lib.ts";

const TARGET_NS = 25;
const PERIOD = 1000 / 60;
const SIZES = [150, 300, 1000];

const opts = options();
header("render: ns per LED per active layer", opts);

/** The effects: 3 + 3 + 2 over segments a, b, c, one priority, every blend mode. */
const EFFECTS = [
  { segment: "a", effect: "flash", colors: ["#ffffff"], intensity: 0.5, fadeOutMs: 0 },
  { segment: "a", effect: "pulse", colors: ["#ff0000"], hz: 1, blend: "add" },
  { segment: "a", effect: "sweep", colors: ["#ffd000", "#ffffff"], hz: 0.5, blend: "max" },
  { segment: "b", effect: "color_shift", colors: ["#ff0000", "#0000ff", "#00ff00"], hz: 0.4 },
  { segment: "b", effect: "breathing", colors: ["#ff2000"], hz: 1, intensity: 0.6 },
  { segment: "b", effect: "strobe", colors: ["#ffd000", "#ff00ff"], hz: 3, blend: "add" },
  { segment: "c", effect: "sweep", colors: ["#00ff40"], hz: 0.8, reverse: true },
  { segment: "c", effect: "pulse", colors: ["#00a0ff"], hz: 2, intensity: 0.8, blend: "max" },
];
/** Effects live 5 minutes (the schema's maximum); frames cycle inside that window. */
const LIFE_MS = 300_000;
const CYCLE_FRAMES = Math.floor((LIFE_MS - 1000) / PERIOD);

function build(ledCount: number) {
  const third = Math.floor(ledCount / 3);
  const settings = SettingsSchema.parse({
    strip: { ledCount },
    segments: [
      { name: "a", start: 0, length: third },
      { name: "b", start: third, length: third, reversed: true },
      { name: "c", start: 2 * third, length: ledCount - 2 * third },
    ],
    // The photosensitivity guard would (rightly) refuse a 5-minute strobe; it has no per-frame cost.
    safety: { flashGuard: false },
  });
  // Pipeline at its defaults: brightness 0.8, power limiter on, gamma 2.2, dithering on, GRB.
  const engine = new Engine(settings, () => 0);
  engine.setBase(BaseChangeSchema.parse({ segment: "a", effect: "solid", colors: ["#102040"], level: 0.2, transitionMs: 0 }), 0);
  engine.setBase(BaseChangeSchema.parse({ segment: "b", effect: "gradient", colors: ["#3020a0", "#00a0ff"], level: 0.3, transitionMs: 0 }), 0);
  engine.setBase(BaseChangeSchema.parse({ segment: "c", effect: "rainbow", level: 0.25, hz: 0.2, transitionMs: 0 }), 0);
  engine.setMeter("health", MeterSpecSchema.parse({ segment: "a", gradient: ["#ff0000", "#ffaa00", "#00ff40"], smoothingMs: 200, timeoutMs: 0 }), 0.62, 0);
  for (const e of EFFECTS) {
    const r = engine.trigger(EffectSpecSchema.parse({ ...e, durationMs: LIFE_MS, fadeInMs: 0, fadeOutMs: 0 }), 0);
    if (!r.ok) throw new Error(`effect ${e.effect} on ${e.segment} refused: ${r.reason}`);
  }
  return engine;
}

/** Layers the engine draws on each segment at tMs, averaged per LED of the strip. */
function layersPerLed(engine: Engine, tMs: number) {
  let weighted = 0;
  const perSegment: string[] = [];
  for (const s of engine.scene.describe(tMs)) {
    const top = Math.max(-1, ...s.effects.map((e) => e.priority));
    const fx = s.effects.filter((e) => e.priority === top).length;
    const layers = (s.base.on ? 1 : 0) + s.meters.length + fx;
    weighted += layers * s.length;
    perSegment.push(`${s.name}=${layers}`);
  }
  return { avg: weighted / engine.settings.strip.ledCount, perSegment: perSegment.join(" ") };
}

/** This thread's ns on a CPU and ns spent runnable but waiting for one (Linux). */
function schedstat(): [number, number] {
  try {
    const f = readFileSync("/proc/thread-self/schedstat", "utf8").split(" ");
    return [Number(f[0]), Number(f[1])];
  } catch {
    return [NaN, NaN];
  }
}

interface Timing { wall: number; cpu: number; wait: number }
/** ns per call of fn(k) for `frames` calls, k continuing from `k0`: wall, on-CPU, waiting. */
function timeFrames(frames: number, k0: number, fn: (k: number) => void): Timing {
  const [c0, w0] = schedstat();
  const t0 = Bun.nanoseconds();
  for (let k = k0; k < k0 + frames; k++) fn(k);
  const wall = Bun.nanoseconds() - t0;
  const [c1, w1] = schedstat();
  // Without schedstat (not Linux), fall back to the wall clock.
  const cpu = Number.isFinite(c1 - c0) ? c1 - c0 : wall;
  return { wall: wall / frames, cpu: cpu / frames, wait: (w1 - w0) / frames };
}

const rows: Row[] = [];
const rounds = opts.quick ? 3 : 9;
const budgetNsPerRound = opts.quick ? 40e6 : 250e6;

for (const n of SIZES) {
  const engine = build(n);
  const { avg, perSegment } = layersPerLed(engine, 1);
  // Cycle time through the effects' lifetime so every phase of every effect is sampled.
  const full = (k: number) => engine.renderAt(1 + (k % CYCLE_FRAMES) * PERIOD, k);
  const strip = (engine as unknown as { strip: Float32Array }).strip;
  const pipe = (k: number) => engine.pipeline.process(strip, k);

  // Warm up (JIT), then size rounds to the budget.
  const warm = timeFrames(2000, 0, full).cpu;
  timeFrames(2000, 0, pipe);
  const frames = Math.max(200, Math.round(budgetNsPerRound / warm));
  const totals: Timing[] = [], pipes: Timing[] = [];
  let k = 2000;
  for (let r = 0; r < rounds; r++) {
    totals.push(timeFrames(frames, k, full));
    // The pipeline alone, on the strip the scene just rendered.
    pipes.push(timeFrames(frames, k, pipe));
    k += frames;
  }
  const perFrame = median(totals.map((x) => x.cpu));
  const best = Math.min(...totals.map((x) => x.cpu));
  const wall = median(totals.map((x) => x.wall));
  const waited = median(totals.map((x) => x.wait / (x.wall || 1)));
  const pipeNs = median(pipes.map((x) => x.cpu));
  // Sanity: the effects are still on at the last time rendered.
  const still = layersPerLed(engine, 1 + ((k - 1) % CYCLE_FRAMES) * PERIOD);
  if (still.avg !== avg) throw new Error(`layer count changed during the run: ${avg} → ${still.avg}`);

  const nsPerLedLayer = perFrame / (n * avg);
  console.log(
    `${String(n).padStart(5)} LEDs: layers per LED ${avg.toFixed(2)} (${perSegment}); ` +
      `frame ${(perFrame / 1000).toFixed(1)} µs on CPU, median of ${rounds}×${frames} (best ${(best / 1000).toFixed(1)} µs; wall ${(wall / 1000).toFixed(1)} µs, ${(100 * waited).toFixed(0)}% of it waiting for a CPU) → ` +
      `${nsPerLedLayer.toFixed(2)} ns/LED/layer (best ${(best / (n * avg)).toFixed(2)}); ` +
      `pipeline alone ${(pipeNs / 1000).toFixed(1)} µs = ${(pipeNs / n).toFixed(1)} ns/LED, ${((100 * pipeNs) / perFrame).toFixed(0)}% of the frame; ` +
      `frame budget used at 60 fps ${((100 * perFrame) / (PERIOD * 1e6)).toFixed(2)}%`,
  );
  rows.push(atMost("render", `${n} LEDs ns/LED/layer`, nsPerLedLayer, "ns", TARGET_NS, `${avg.toFixed(2)} layers/LED; frame ${(perFrame / 1000).toFixed(1)} µs on CPU (wall ${(wall / 1000).toFixed(1)} µs)`));
  rows.push(info("render", `${n} LEDs pipeline share`, (100 * pipeNs) / perFrame, "%", `pipeline ${(pipeNs / n).toFixed(1)} ns/LED`));
}

report(rows, opts);
