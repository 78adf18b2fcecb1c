// Held effects: an effect that runs while a value meets a mapping's condition — a low-health
// warning for as long as health stays low. It plays as back-to-back runs of its duration (rounded
// to whole cycles, so beats stay evenly spaced across runs), each booked shortly before the last
// one ends, rather than as one long instance: the photosensitivity guard books every flash of an
// effect when it starts, so one long pulse would book minutes of flashes that stay booked after it
// ends (crowding out every other flash) and could be refused outright; a run books a few. Booking
// late also keeps the hold to one of the segment's effect slots most of the time. A run that is
// refused (the guard: others are flashing just then; a segment full of higher priorities) is tried
// again RETRY_MS later, so the warning comes back as soon as there is room. The hold ends — its runs
// removed at once — when a value fails the condition, none has come for the action's timeoutMs, or
// its mapping changes.
import { effectById } from "../light/effects/index.ts";
import type { TriggerResult } from "../light/scene.ts";
import type { EffectSpec } from "../light/specs.ts";
import type { Mapping } from "./mapping.ts";

const RETRY_MS = 250;
/** The next run is booked this long before it is due, or two frames if frames come slower. */
const LEAD_MS = 250;

/** What holds need of the light: its clock, placing a run at a time, and ending one. */
export interface HoldStage {
  now(): number;
  trigger(spec: EffectSpec, atMs: number): TriggerResult;
  end(seq: number): void;
}

type HoldAction = Extract<Mapping["action"], { kind: "hold" }>;

interface Hold {
  mapping: Mapping;
  /** The mapping as it was when the hold began: a changed mapping ends it. */
  def: string;
  /** The first run fades in; the others continue it seamlessly; none fades out (the next one follows). */
  first: EffectSpec;
  rest: EffectSpec;
  runMs: number;
  timeoutMs: number;
  /** Runs placed and not yet over (the current one and the one booked ahead). */
  runs: number[];
  /** When the next run starts: the end of the last one booked. */
  next: number;
  lastValueAt: number;
  retryAt: number;
  refused: boolean;
}

/** A run: the effect's duration in whole cycles of its rate (as given, for effects without one). */
export function runLength(spec: EffectSpec): number {
  const d = effectById.get(spec.effect)!.defaults;
  const ms = spec.durationMs ?? d.durationMs;
  const hz = spec.hz ?? d.hz;
  if (!(hz > 0)) return ms;
  const period = 1000 / hz;
  return Math.max(1, Math.round(ms / period)) * period;
}

export class Holds {
  /** An array: tick runs every frame, and iterating a Map allocates. */
  private list: Hold[] = [];
  private lastTick = -Infinity;

  constructor(private readonly stage: HoldStage, private readonly refused: (m: Mapping, reason: string) => void) {}

  /** A value for a held mapping: starts its hold when it meets the condition, ends it when not. */
  value(m: Mapping, meets: boolean): void {
    const h = this.list.find((x) => x.mapping.id === m.id);
    const now = this.stage.now();
    if (!meets) {
      if (h) this.release(h);
      return;
    }
    if (h) {
      h.lastValueAt = now;
      return;
    }
    const { kind, timeoutMs, ...spec } = m.action as HoldAction;
    const runMs = runLength(spec);
    const first = { ...spec, durationMs: runMs, fadeOutMs: 0 };
    const hold: Hold = {
      mapping: m, def: JSON.stringify(m), first, rest: { ...first, fadeInMs: 0 }, runMs, timeoutMs,
      runs: [], next: now, lastValueAt: now, retryAt: now, refused: false,
    };
    this.list.push(hold);
    this.book(hold, now, LEAD_MS);
  }

  /** Once a frame: books the next runs, ends holds whose value has gone quiet. */
  tick(): void {
    const now = this.stage.now();
    const lead = Math.max(LEAD_MS, 2 * (now - this.lastTick));
    this.lastTick = now;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const h = this.list[i];
      if (now - h.lastValueAt >= h.timeoutMs) this.release(h);
      else if (now >= h.retryAt) this.book(h, now, lead);
    }
  }

  /** The mappings in force changed: holds of unchanged mappings go on, the others end. */
  reload(mappings: readonly Mapping[]): void {
    const defs = new Map(mappings.map((m) => [m.id, JSON.stringify(m)]));
    for (const h of [...this.list]) if (defs.get(h.mapping.id) !== h.def) this.release(h);
  }

  private book(h: Hold, now: number, lead: number): void {
    // Each run starts where the last ends (or now, after a refusal); at most one is booked ahead.
    while (h.next <= now + Math.min(lead, h.runMs)) {
      const at = Math.max(h.next, now);
      const r = this.stage.trigger(h.runs.length ? h.rest : h.first, at);
      if (!r.ok) {
        h.retryAt = now + RETRY_MS;
        if (!h.refused) this.refused(h.mapping, r.reason);
        h.refused = true;
        return;
      }
      h.refused = false;
      h.runs.push(r.seq);
      if (h.runs.length > 2) h.runs.shift(); // the oldest has ended
      h.next = at + h.runMs;
    }
  }

  private release(h: Hold): void {
    for (const seq of h.runs) this.stage.end(seq);
    this.list.splice(this.list.indexOf(h), 1);
  }
}
