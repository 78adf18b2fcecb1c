// The light engine: scene → pipeline → drivers, once per frame of a fixed-rate clock.
import type { Settings } from "../config/schema.ts";
import { SettingsRefused } from "../config/service.ts";
import type { OutputDriver } from "../outputs/driver.ts";
import { checkOutputs, createDriver, outputContexts } from "../outputs/index.ts";
import { FrameClock, type Now } from "./clock.ts";
import { Pipeline } from "./pipeline.ts";
import { Scene, type TriggerResult } from "./scene.ts";
import type { BaseChange, BaseSpec, EffectSpec, MeterSpec } from "./specs.ts";
import { round2 } from "./stats.ts";

interface Output {
  driver: OutputDriver;
  start: number;
  length: number;
  view: Uint8Array;
}

export type FrameListener = (engine: Engine) => void;

export class Engine {
  scene!: Scene;
  pipeline!: Pipeline;
  outputs: Output[] = [];
  private strip!: Float32Array;
  private readonly clock: FrameClock;
  /** An array, not a Set: iterating a Set allocates, and this runs every frame. */
  private listeners: FrameListener[] = [];
  /** Engine time of the latest rendered frame. */
  lastFrameMs = 0;
  listenerErrors = 0;
  outputErrors = 0;

  constructor(public settings: Settings, now?: Now, bases?: ReadonlyMap<string, BaseSpec>) {
    this.clock = new FrameClock(settings.render.fps, (t, k) => this.frame(t, k), now);
    this.build(settings, bases);
  }

  now(): number {
    return this.clock.now();
  }

  async start(): Promise<void> {
    await Promise.all(this.outputs.map((o) => o.driver.open()));
    this.clock.start();
  }

  /** Writes black to every output, then closes them. */
  async stop(): Promise<void> {
    this.clock.stop();
    for (const o of this.outputs) {
      o.view.fill(0);
      this.safeWrite(o);
    }
    await Promise.all(this.outputs.map((o) => o.driver.close()));
  }

  /**
   * Applies new settings, redoing only what they change. A change to the strip, segments, render,
   * safety or outputs rebuilds buffers, segments and outputs (bases and meters carry over by name).
   * Light settings alone (the page's brightness slider sends one per step) go to the pipeline between
   * two frames: running effects stay and no output reopens. Other sections are not the engine's.
   */
  async reconfigure(next: Settings): Promise<void> {
    if (builtFrom(next) === builtFrom(this.settings)) {
      this.settings = next;
      this.pipeline.retune(next);
      return;
    }
    // An output a driver can tell is unworkable (missing device, too many LEDs) is refused before anything changes.
    const problem = checkOutputs(next);
    if (problem) throw new SettingsRefused(problem);
    // The loop pauses while drivers change, so no frame reaches a driver before it is open.
    const running = this.clock.running;
    this.clock.stop();
    const old = this.outputs;
    const bases = this.scene.bases();
    const meters = this.scene.segments.flatMap((s) => [...s.meters.values()].map((m) => ({ seg: s.name, m })));
    this.build(next, bases);
    for (const { seg, m } of meters) for (const s of this.scene.targets(seg)) s.adoptMeter(m);
    this.clock.setFps(next.render.fps);
    await Promise.all(old.map((o) => o.driver.close()));
    if (running) {
      await Promise.all(this.outputs.map((o) => o.driver.open()));
      this.clock.start();
    }
  }

  private build(s: Settings, bases?: ReadonlyMap<string, BaseSpec>): void {
    this.settings = s;
    this.scene = new Scene(s, bases);
    this.pipeline = new Pipeline(s);
    this.strip = new Float32Array(s.strip.ledCount * 3);
    const bpl = this.pipeline.bytesPerLed;
    this.outputs = outputContexts(s).map(({ cfg, start, ctx }) => {
      const driver = createDriver(cfg, ctx);
      return { driver, start, length: ctx.ledCount, view: this.pipeline.frame.subarray(start * bpl, (start + ctx.ledCount) * bpl) };
    });
  }

  trigger(spec: EffectSpec, atMs = this.now()): TriggerResult {
    return this.scene.trigger(spec, atMs);
  }

  clear(segment: string, effect?: string): number {
    return this.scene.clear(segment, effect);
  }

  /** Ends one instance a trigger placed (its result's `seq`). */
  end(seq: number): void {
    this.scene.end(seq);
  }

  setBase(change: BaseChange, atMs = this.now()): string[] {
    return this.scene.setBase(change, atMs);
  }

  /** Each segment's base layer, by name. */
  bases(): Map<string, BaseSpec> {
    return this.scene.bases();
  }

  setMeter(name: string, spec: MeterSpec, value: number, atMs = this.now()): string[] {
    return this.scene.setMeter(name, spec, value, atMs);
  }

  /** Renders the frame for time tMs into the pipeline's buffers: pure in scene state and tMs. */
  renderAt(tMs: number, frameIndex = Math.round(tMs / this.clock.period)): void {
    this.scene.render(tMs, this.strip);
    this.pipeline.process(this.strip, frameIndex);
  }

  onFrame(fn: FrameListener): () => void {
    this.listeners = [...this.listeners, fn];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  private frame(tMs: number, k: number): void {
    this.scene.prune(tMs);
    this.renderAt(tMs, k);
    this.lastFrameMs = tMs;
    for (let i = 0; i < this.outputs.length; i++) this.safeWrite(this.outputs[i]);
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i](this);
      } catch {
        this.listenerErrors++;
      }
    }
  }

  /** A throwing driver costs its own frame, never the loop. */
  private safeWrite(o: Output): void {
    try {
      o.driver.write(o.view);
    } catch {
      this.outputErrors++;
    }
  }

  stats() {
    const s = this.clock.stats();
    const p = this.pipeline.power;
    return {
      ...s,
      wireLimitFps: wholeFps(Math.min(...this.outputs.map((o) => o.driver.wireLimitFps()))),
      power: { ma: Math.round(p.ma), requestedMa: Math.round(p.requestedMa), watts: round2(p.watts), limiting: p.limiting },
      guardBlockedFlashes: this.scene.guard.blocked,
      droppedEffects: this.scene.dropped,
    };
  }

  state() {
    return {
      stats: this.stats(),
      strip: this.settings.strip,
      segments: this.scene.describe(this.now()),
      outputs: this.outputs.map((o) => ({
        driver: o.driver.kind, start: o.start, length: o.length, wireLimitFps: wholeFps(o.driver.wireLimitFps()), health: o.driver.health(),
      })),
    };
  }
}

/** A wire limit in whole frames per second; null for none (Infinity). */
const wholeFps = (limit: number) => (Number.isFinite(limit) ? Math.floor(limit) : null);

/** What the scene, buffers, outputs and clock are built from. */
const builtFrom = (s: Settings) => JSON.stringify([s.strip, s.segments, s.render, s.safety, s.outputs]);
