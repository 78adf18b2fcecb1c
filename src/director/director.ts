// The director turns events into effect instances and meter values, following the mappings.
import { numericOf, type GameEvent } from "../events/schema.ts";
import type { TriggerResult } from "../light/scene.ts";
import type { EffectSpec, MeterSpec } from "../light/specs.ts";
import { compare, type Mapping } from "./mapping.ts";

/** What the director does to the light: play, clear and drive meters, on the engine's clock. */
export interface Stage {
  now(): number;
  trigger(spec: EffectSpec): TriggerResult;
  clear(segment: string, effect?: string): number;
  setMeter(name: string, spec: MeterSpec, value: number): string[];
}

export class Director {
  private byEvent = new Map<string, Mapping[]>();
  private lastFired = new Map<string, number>();
  triggered = 0;
  skipped = 0;
  lastProblem: string | null = null;

  constructor(private readonly engine: Stage, mappings: Mapping[] = []) {
    this.load(mappings);
  }

  load(mappings: Mapping[]): void {
    const by = new Map<string, Mapping[]>();
    for (const m of mappings) {
      if (!m.enabled) continue;
      by.set(m.event, [...(by.get(m.event) ?? []), m]);
    }
    this.byEvent = by;
    this.lastFired.clear();
  }

  handle = (e: GameEvent): void => {
    const list = this.byEvent.get(e.type);
    if (!list) return;
    const x = numericOf(e);
    for (const m of list) {
      if (m.game && m.game !== e.game) continue;
      if (m.match && !matches(m.match, e)) continue;
      if (m.condition && (x === undefined || !compare(m.condition, x))) continue;
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
    const { kind, scaleByValue, ...spec } = a;
    const scale = scaleByValue && x !== undefined ? Math.min(1, Math.max(0, x)) : 1;
    const r = this.engine.trigger(scale === 1 ? spec : { ...spec, intensity: spec.intensity * scale });
    if (r.ok) this.triggered++;
    else {
      this.skipped++;
      this.lastProblem = `mapping "${m.name}": ${r.reason}`;
    }
  }
}

const matches = (want: Record<string, unknown>, e: GameEvent) => Object.entries(want).every(([k, v]) => e[k] === v);
