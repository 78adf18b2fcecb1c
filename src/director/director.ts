// The director turns events into effect instances and meter values, following the mappings;
// held mappings keep an effect running while a value meets their condition (holds.ts).
import { numericOf, type GameEvent } from "../events/schema.ts";
import type { TriggerResult } from "../light/scene.ts";
import type { EffectSpec, MeterSpec } from "../light/specs.ts";
import { Holds } from "./holds.ts";
import { compare, type Mapping } from "./mapping.ts";

/** What the director does to the light: play (now or at a time), end, clear and drive meters, on the engine's clock. */
export interface Stage {
  now(): number;
  trigger(spec: EffectSpec, atMs?: number): TriggerResult;
  end(seq: number): void;
  clear(segment: string, effect?: string): number;
  setMeter(name: string, spec: MeterSpec, value: number): string[];
}

export class Director {
  private byEvent = new Map<string, Mapping[]>();
  private lastFired = new Map<string, number>();
  private readonly holds: Holds;
  triggered = 0;
  skipped = 0;
  lastProblem: string | null = null;

  constructor(private readonly engine: Stage, mappings: Mapping[] = []) {
    this.holds = new Holds(engine, (m, reason) => this.refused(m, reason));
    this.load(mappings);
  }

  load(mappings: Mapping[]): void {
    const by = new Map<string, Mapping[]>();
    const enabled = mappings.filter((m) => m.enabled);
    for (const m of enabled) by.set(m.event, [...(by.get(m.event) ?? []), m]);
    this.byEvent = by;
    this.lastFired.clear();
    this.holds.reload(enabled);
  }

  /** Once a frame (the engine's frame listener): keeps held effects running, ends the ones gone quiet. */
  tick = (): void => {
    this.holds.tick();
  };

  handle = (e: GameEvent): void => {
    const list = this.byEvent.get(e.type);
    if (!list) return;
    const x = numericOf(e);
    for (const m of list) {
      if (m.game && m.game !== e.game) continue;
      if (m.match && !matches(m.match, e)) continue;
      const meets = !m.condition || (x !== undefined && compare(m.condition, x));
      if (m.action.kind === "hold") {
        // An event without a number (a custom one without value) says nothing about the hold.
        if (x !== undefined) this.holds.value(m, meets);
        continue;
      }
      if (!meets) continue;
      if (m.cooldownMs > 0) {
        const now = this.engine.now();
        if (now - (this.lastFired.get(m.id) ?? -Infinity) < m.cooldownMs) continue;
        this.lastFired.set(m.id, now);
      }
      this.apply(m, e, x);
    }
  };

  private apply(m: Mapping, e: GameEvent, x: number | undefined): void {
    const a = m.action;
    if (a.kind === "clear") {
      this.engine.clear(a.segment, a.effect);
      return;
    }
    if (a.kind === "meter") {
      if (x === undefined) return;
      const { kind, meter, ...spec } = a;
      this.engine.setMeter(meter ?? e.type, spec, x);
      return;
    }
    if (a.kind !== "effect") return;
    const { kind, scaleByValue, ...spec } = a;
    const scale = scaleByValue && x !== undefined ? Math.min(1, Math.max(0, x)) : 1;
    const r = this.engine.trigger(scale === 1 ? spec : { ...spec, intensity: spec.intensity * scale });
    if (r.ok) this.triggered++;
    else this.refused(m, r.reason);
  }

  private refused(m: Mapping, reason: string): void {
    this.skipped++;
    this.lastProblem = `mapping "${m.name}": ${reason}`;
  }
}

const matches = (want: Record<string, unknown>, e: GameEvent) => Object.entries(want).every(([k, v]) => e[k] === v);
