// Replays a golden case (settings + timed actions) against the real engine and returns the
// frame bytes of each requested frame. Shared by make.ts (writes fixtures) and golden.test.ts
// (compares against them), so both run exactly the same inputs.
import { SettingsSchema, type SettingsInput } from "../../../src/config/schema.ts";
import { Engine } from "../../../src/light/engine.ts";
import { BaseChangeSchema, EffectSpecSchema, MeterSpecSchema } from "../../../src/light/specs.ts";

export type Action =
  | { at: number; trigger: Record<string, unknown>; expect?: "ok" | "rejected" }
  | { at: number; base: Record<string, unknown> }
  | { at: number; meter: { name: string; spec: Record<string, unknown>; value: number } };

export interface GoldenCase {
  name: string;
  about: string;
  settings: SettingsInput;
  actions: Action[];
  /** Frames to render: engine time in ms and the frame index (drives dithering). */
  frames: { t: number; frame: number }[];
}

export interface GoldenFrame {
  t: number;
  frame: number;
  limiting: boolean;
  /** The frame's bytes, R G B (W) per LED: one hex group per LED, space-separated. */
  bytes: string;
}

export interface GoldenFile extends GoldenCase {
  generatedBy: string;
  output: GoldenFrame[];
}

/**
 * Applies each action when engine time reaches it, as the running engine would: scene state keeps
 * only what is needed from "now" on (a meter's latest target, a base's latest transition), so
 * frames are rendered in time order with the actions due by then already applied.
 */
export function replay(c: GoldenCase): GoldenFrame[] {
  const s = SettingsSchema.parse(c.settings);
  const e = new Engine(s, () => 0);
  const bpl = e.pipeline.bytesPerLed;
  const actions = [...c.actions].sort((a, b) => a.at - b.at);
  let next = 0;
  const apply = (a: Action) => {
    if ("trigger" in a) {
      const r = e.trigger(EffectSpecSchema.parse(a.trigger), a.at);
      const want = a.expect ?? "ok";
      if ((want === "ok") !== r.ok) throw new Error(`${c.name}: trigger at ${a.at} expected ${want}, got ${JSON.stringify(r)}`);
    } else if ("base" in a) e.setBase(BaseChangeSchema.parse(a.base), a.at);
    else e.setMeter(a.meter.name, MeterSpecSchema.parse(a.meter.spec), a.meter.value, a.at);
  };
  let last = -Infinity;
  return c.frames.map(({ t, frame }) => {
    if (t < last) throw new Error(`${c.name}: frames must be in time order`);
    last = t;
    while (next < actions.length && actions[next].at <= t) apply(actions[next++]);
    e.renderAt(t, frame);
    const bytes: string[] = [];
    for (let i = 0; i < s.strip.ledCount; i++) bytes.push(Buffer.from(e.pipeline.frame.subarray(i * bpl, (i + 1) * bpl)).toString("hex"));
    return { t, frame, limiting: e.pipeline.power.limiting, bytes: bytes.join(" ") };
  });
}
