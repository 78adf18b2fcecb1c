// One segment's layer stack: base (ambient) → meters → effect instances of the top priority.
import type { Segment } from "../config/schema.ts";
import { renderAmbient } from "./ambient.ts";
import type { EffectDef, EffectParams } from "./effects/types.ts";
import { Meter } from "./meter.ts";
import type { BaseSpec, BlendMode, MeterSpec } from "./specs.ts";

export interface Instance {
  readonly seq: number;
  readonly def: EffectDef;
  readonly params: EffectParams;
  readonly startMs: number;
  readonly endMs: number;
  readonly fadeInMs: number;
  readonly fadeOutMs: number;
  readonly intensity: number;
  readonly priority: number;
  readonly blend: BlendMode;
}

export class SegmentStack {
  /** Pixels rendered: half the segment (rounded up) when mirrored. */
  readonly n: number;
  private readonly buf: Float32Array;
  private readonly rgb: Float32Array;
  private readonly alpha: Float32Array;
  private readonly prevBuf: Float32Array;
  private readonly instances: Instance[] = [];
  readonly meters = new Map<string, Meter>();
  /** The same meters as an array: iterating a Map allocates, and render runs every frame. */
  private readonly meterList: Meter[] = [];
  base: BaseSpec;
  private prevBase: BaseSpec | null = null;
  private transitionStartMs = 0;
  private transitionMs = 0;

  constructor(readonly seg: Segment, base: BaseSpec, private readonly capacity: number) {
    this.n = seg.mirrored ? Math.ceil(seg.length / 2) : seg.length;
    this.buf = new Float32Array(this.n * 3);
    this.rgb = new Float32Array(this.n * 3);
    this.alpha = new Float32Array(this.n);
    this.prevBuf = new Float32Array(this.n * 3);
    this.base = base;
  }

  get name() {
    return this.seg.name;
  }

  setBase(next: BaseSpec, atMs: number, transitionMs: number): void {
    // A change during a transition starts from the old target: close enough, and never a jump to black.
    this.prevBase = transitionMs > 0 ? this.base : null;
    this.base = next;
    this.transitionStartMs = atMs;
    this.transitionMs = transitionMs;
  }

  meter(name: string, spec: MeterSpec): Meter {
    let m = this.meters.get(name);
    if (!m) {
      this.meters.set(name, (m = new Meter(name, spec)));
      this.meterList.push(m);
    } else m.spec = spec;
    return m;
  }

  /** Takes over a meter (with its value and timing) from the segment of the same name before a rebuild. */
  adoptMeter(m: Meter): void {
    if (!this.meters.has(m.name)) this.meterList.push(m);
    else this.meterList[this.meterList.indexOf(this.meters.get(m.name)!)] = m;
    this.meters.set(m.name, m);
  }

  /** Adds an instance; when full, the oldest of the lowest priority (possibly this one) is dropped. */
  add(inst: Instance): boolean {
    if (this.instances.length >= this.capacity) {
      // One that is over by the time this one starts goes first: frames prune ended instances,
      // but a trigger can arrive between frames (or with the clock stopped), and an ended
      // high-priority instance must not keep a new one out.
      let victim = this.instances.findIndex((i) => i.endMs <= inst.startMs);
      if (victim < 0) {
        victim = 0;
        for (let i = 1; i < this.instances.length; i++) if (this.instances[i].priority < this.instances[victim].priority) victim = i;
        if (inst.priority < this.instances[victim].priority) return false;
      }
      this.instances.splice(victim, 1);
    }
    this.instances.push(inst);
    return true;
  }

  /** Ends the instances of one effect (or all) at once; returns how many. */
  clear(effect?: string): number {
    return this.keep((inst) => effect !== undefined && inst.def.id !== effect);
  }

  /** Ends one instance at once. */
  end(seq: number): void {
    this.keep((inst) => inst.seq !== seq);
  }

  /** Keeps the instances `pred` accepts, in order; returns how many went. */
  private keep(pred: (inst: Instance) => boolean): number {
    const before = this.instances.length;
    let k = 0;
    for (const inst of this.instances) if (pred(inst)) this.instances[k++] = inst;
    this.instances.length = k;
    return before - k;
  }

  /** Drops instances that have ended, keeping start order. */
  prune(tMs: number): void {
    let k = 0;
    for (let i = 0; i < this.instances.length; i++) if (this.instances[i].endMs > tMs) this.instances[k++] = this.instances[i];
    this.instances.length = k;
  }

  active(tMs: number): readonly Instance[] {
    return this.instances.filter((i) => i.startMs <= tMs && tMs < i.endMs);
  }

  /** Renders the stack at tMs and writes it into the strip buffer (3 floats per LED). */
  render(tMs: number, strip: Float32Array): void {
    const { n, buf } = this;
    renderAmbient(this.base, tMs, n, buf);
    const elapsed = tMs - this.transitionStartMs;
    if (this.prevBase && elapsed < this.transitionMs) {
      renderAmbient(this.prevBase, tMs, n, this.prevBuf);
      const u = elapsed <= 0 ? 0 : elapsed / this.transitionMs;
      for (let o = 0; o < n * 3; o++) buf[o] = this.prevBuf[o] + (buf[o] - this.prevBuf[o]) * u;
    }
    for (let i = 0; i < this.meterList.length; i++) this.meterList[i].draw(tMs, n, buf, this.rgb);
    this.renderEffects(tMs);
    this.blit(strip);
  }

  private renderEffects(tMs: number): void {
    let top = -1;
    for (let i = 0; i < this.instances.length; i++) {
      const inst = this.instances[i];
      if (inst.startMs <= tMs && tMs < inst.endMs && inst.priority > top) top = inst.priority;
    }
    if (top < 0) return;
    const { n, buf, rgb, alpha } = this;
    for (let i = 0; i < this.instances.length; i++) {
      const inst = this.instances[i];
      if (inst.priority !== top || tMs < inst.startMs || tMs >= inst.endMs) continue;
      const local = tMs - inst.startMs;
      const env = envelope(inst, local);
      if (env <= 0) continue;
      inst.def.render(inst.params, local, n, rgb, alpha);
      blend(inst.blend, env, n, buf, rgb, alpha);
    }
  }

  /** Copies the rendered pixels to the strip, applying reversed and mirrored. */
  private blit(strip: Float32Array): void {
    const { start, length, reversed, mirrored } = this.seg;
    for (let j = 0; j < length; j++) {
      const k = reversed ? length - 1 - j : j;
      const src = (mirrored ? Math.min(k, length - 1 - k) : k) * 3;
      const dst = (start + j) * 3;
      strip[dst] = this.buf[src]; strip[dst + 1] = this.buf[src + 1]; strip[dst + 2] = this.buf[src + 2];
    }
  }
}

/** Intensity × linear fade in × linear fade out. */
export function envelope(inst: Instance, localMs: number): number {
  const dur = inst.endMs - inst.startMs;
  let e = inst.intensity;
  if (inst.fadeInMs > 0 && localMs < inst.fadeInMs) e *= localMs / inst.fadeInMs;
  const left = dur - localMs;
  if (inst.fadeOutMs > 0 && left < inst.fadeOutMs) e *= left / inst.fadeOutMs;
  return e;
}

function blend(mode: BlendMode, env: number, n: number, dst: Float32Array, rgb: Float32Array, alpha: Float32Array): void {
  // One loop per mode: the mode is fixed for the call, so it is not tested per channel.
  if (mode === "normal") {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const a = alpha[i] * env;
      if (a <= 0) continue;
      dst[o] += (rgb[o] - dst[o]) * a;
      dst[o + 1] += (rgb[o + 1] - dst[o + 1]) * a;
      dst[o + 2] += (rgb[o + 2] - dst[o + 2]) * a;
    }
  } else if (mode === "add") {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const a = alpha[i] * env;
      if (a <= 0) continue;
      dst[o] += rgb[o] * a;
      dst[o + 1] += rgb[o + 1] * a;
      dst[o + 2] += rgb[o + 2] * a;
    }
  } else {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const a = alpha[i] * env;
      if (a <= 0) continue;
      for (let c = o; c < o + 3; c++) if (rgb[c] * a > dst[c]) dst[c] = rgb[c] * a;
    }
  }
}
