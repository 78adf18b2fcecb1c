// The scene: every segment's layer stack, and the one place effects are admitted.
import { effectiveSegments, type Settings } from "../config/schema.ts";
import { toHex } from "./color.ts";
import { effectById } from "./effects/index.ts";
import { FLASH_BOOKINGS, FlashGuard } from "./flashguard.ts";
import { SegmentStack, type Instance } from "./segment.ts";
import { round3 } from "./stats.ts";
import { BaseSpecSchema, type BaseChange, type BaseSpec, type EffectSpec, type MeterSpec } from "./specs.ts";

/** A placed effect names its instance (`seq`), so the one who placed it can end it early. */
export type TriggerResult = { ok: true; segments: string[]; seq: number } | { ok: false; reason: string; unknownSegment?: true };

export class Scene {
  readonly segments: SegmentStack[];
  readonly guard: FlashGuard;
  private seq = 0;
  dropped = 0;

  constructor(readonly settings: Settings, bases: ReadonlyMap<string, BaseSpec> = new Map()) {
    const fallback = BaseSpecSchema.parse({});
    this.segments = effectiveSegments(settings).map(
      (s) => new SegmentStack(s, bases.get(s.name) ?? fallback, settings.render.maxEffectsPerSegment),
    );
    this.guard = new FlashGuard(settings.safety.flashGuard, settings.safety.maxFlashesPerSecond);
  }

  /** The segments a reference names: "*" is all of them; an unknown name is none. */
  targets(ref: string): SegmentStack[] {
    return ref === "*" ? this.segments : this.segments.filter((s) => s.name === ref);
  }

  trigger(spec: EffectSpec, atMs: number): TriggerResult {
    const def = effectById.get(spec.effect)!;
    const targets = this.targets(spec.segment);
    if (targets.length === 0) return { ok: false, reason: `no segment named "${spec.segment}"`, unknownSegment: true };
    const d = def.defaults;
    const durationMs = spec.durationMs ?? d.durationMs;
    // Any periodic effect is capped to the guard's rate: fast smooth cycling flickers too.
    const hz = this.guard.capHz(spec.hz ?? d.hz);
    // Switched off, the guard books nothing, so its booking capacity limits nothing either.
    if (def.flashes !== "no" && this.guard.enabled) {
      // A flash is one "on"; a strobe or pulse one per cycle, and at 0 Hz (steadily on) still one:
      // booking none would let 0 Hz strobes through the guard at any rate.
      const count = def.flashes === "per-cycle" && hz > 0 ? Math.ceil((durationMs * hz) / 1000) : 1;
      if (count > FLASH_BOOKINGS) return { ok: false, reason: `photosensitivity guard: ${count} flashes is more than it can book (${FLASH_BOOKINGS}); shorten the effect` };
      const times = Array.from({ length: count }, (_, k) => atMs + (k === 0 ? 0 : (k * 1000) / hz));
      if (!this.guard.admit(times, atMs)) return { ok: false, reason: "photosensitivity guard: flash rate limit reached" };
    }
    // Fades longer than the effect share its duration in proportion.
    let fadeInMs = spec.fadeInMs ?? d.fadeInMs, fadeOutMs = spec.fadeOutMs ?? d.fadeOutMs;
    if (fadeInMs + fadeOutMs > durationMs) {
      const k = durationMs / (fadeInMs + fadeOutMs);
      fadeInMs *= k;
      fadeOutMs *= k;
    }
    const inst: Instance = {
      seq: ++this.seq,
      def,
      params: { colors: spec.colors ?? d.colors, durationMs, hz, width: spec.width, reverse: spec.reverse },
      startMs: atMs,
      endMs: atMs + durationMs,
      fadeInMs,
      fadeOutMs,
      intensity: spec.intensity,
      priority: spec.priority,
      blend: spec.blend,
    };
    const placed: string[] = [];
    for (const s of targets) {
      if (s.add(inst)) placed.push(s.name);
      else this.dropped++;
    }
    return placed.length ? { ok: true, segments: placed, seq: inst.seq } : { ok: false, reason: "segment full of higher-priority effects" };
  }

  /** Ends running instances of an effect (or all effects) on the segments a reference names. */
  clear(ref: string, effect?: string): number {
    let n = 0;
    for (const s of this.targets(ref)) n += s.clear(effect);
    return n;
  }

  /** Ends one instance (on every segment it was placed on) at once, e.g. a held effect whose condition stopped holding. */
  end(seq: number): void {
    for (const s of this.segments) s.end(seq);
  }

  setBase(change: BaseChange, atMs: number): string[] {
    const { segment, transitionMs, ...fields } = change;
    const targets = this.targets(segment);
    const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    for (const s of targets) s.setBase({ ...s.base, ...given }, atMs, transitionMs);
    return targets.map((s) => s.name);
  }

  setMeter(name: string, spec: MeterSpec, value: number, atMs: number): string[] {
    const targets = this.targets(spec.segment);
    for (const s of targets) s.meter(name, spec).set(value, atMs);
    return targets.map((s) => s.name);
  }

  /** Renders every segment at tMs into strip (3 floats per LED); LEDs outside segments stay dark. */
  render(tMs: number, strip: Float32Array): void {
    strip.fill(0);
    for (let i = 0; i < this.segments.length; i++) this.segments[i].render(tMs, strip);
  }

  prune(tMs: number): void {
    for (let i = 0; i < this.segments.length; i++) this.segments[i].prune(tMs);
  }

  bases(): Map<string, BaseSpec> {
    return new Map(this.segments.map((s) => [s.name, s.base]));
  }

  /** What is on each segment at tMs, for the state API (not the hot path). */
  describe(tMs: number) {
    return this.segments.map((s) => ({
      ...s.seg,
      base: { ...s.base, colors: s.base.colors.map(toHex) },
      meters: [...s.meters.values()].map((m) => ({ name: m.name, value: round3(m.valueAt(tMs)) })),
      effects: s.active(tMs).map((i) => ({
        effect: i.def.id, priority: i.priority, blend: i.blend, remainingMs: Math.round(i.endMs - tMs),
      })),
    }));
  }
}
