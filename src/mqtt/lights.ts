// The lights Home Assistant sees: one for the whole strip ("*") and, when the strip has more than
// one segment, one per segment. Commands go to the base layer (or, for a flash, the engine);
// configs of segments' lights and every light's state are retained documents kept in step with
// the scene, so a renamed or deleted segment's light goes away.
import { PRESETS, presetById } from "../director/presets.ts";
import type { SceneControl } from "../director/scene-control.ts";
import type { Engine } from "../light/engine.ts";
import type { BaseSpec } from "../light/specs.ts";
import { AMBIENT_KINDS } from "../light/specs.ts";
import { lightConfig, type DeviceInfo } from "./discovery.ts";
import { baseToState, commandToChange, CommandedColors, flashEffect, type HaCommand } from "./light.ts";
import { RetainedSet, type Publish } from "./retained.ts";
import type { Topics } from "./topics.ts";

export interface LightPorts {
  scene: Pick<SceneControl, "bases" | "setBase" | "applyPreset" | "presetOn">;
  engine: Pick<Engine, "trigger">;
}

/** Preset names (effect_list, the select's options) and ids → preset ids. */
export const presetIdByName = new Map(PRESETS.flatMap((p) => [[p.name, p.id], [p.id, p.id]]));
const EFFECT_NAMES = [...AMBIENT_KINDS, ...PRESETS.map((p) => p.name)].join(", ");

export class Lights {
  private readonly colors = new CommandedColors();
  private readonly retained: RetainedSet;
  /** State topics owed a reply: HA waits for a state after each command, changed or not. */
  private readonly replies = new Set<string>();

  constructor(private readonly ports: LightPorts, publish: Publish) {
    this.retained = new RetainedSet(publish);
  }

  /** After a (re)connect every light is published again. */
  reset(): void {
    this.retained.reset();
  }

  /**
   * Applies an HA command to a light ("*" or a segment). Returns the problems to report: an unknown
   * segment changes nothing; an unknown effect or a flash the guard refuses leave the rest applied.
   */
  command(t: Topics, light: string, cmd: HaCommand): string[] {
    const { scene, engine } = this.ports;
    const bases = scene.bases();
    const current = light === "*" ? bases.get(shownSegment(bases)) : bases.get(light);
    if (!current) return [`no segment named "${light}" (have: ${[...bases.keys()].join(", ")})`];
    this.replies.add(t.light(light).state);
    if (cmd.flash !== undefined) {
      const r = engine.trigger(flashEffect({ ...cmd, flash: cmd.flash }, current, light));
      return r.ok ? [] : [`flash: ${r.reason}`];
    }
    const c = commandToChange(cmd, current, light, presetIdByName);
    if (c.preset) scene.applyPreset(presetById.get(c.preset)!);
    const changed = scene.setBase(c.base);
    if (cmd.color?.w !== undefined) for (const s of changed) this.colors.remember(s, cmd.color);
    return c.unknownEffect ? [`effect: unknown effect "${c.unknownEffect}" (have: ${EFFECT_NAMES}); the rest of the command was applied`] : [];
  }

  /** Publishes the segments' light configs and every light's state that changed, and the replies owed. */
  sync(t: Topics, d: DeviceInfo): void {
    const { scene } = this.ports;
    const bases = scene.bases();
    const segments = bases.size > 1 ? [...bases.keys()] : [];
    const docs = new Map<string, string>();
    for (const s of segments) {
      const c = lightConfig(t, d, s);
      docs.set(c.topic, JSON.stringify(c.payload));
    }
    for (const light of ["*", ...segments]) {
      const segment = light === "*" ? shownSegment(bases) : light;
      const b = bases.get(segment)!;
      const state = baseToState(b, scene.presetOn(segment)?.name ?? b.effect, d.rgbw ? { colors: this.colors, segment } : undefined);
      docs.set(t.light(light).state, JSON.stringify(state));
    }
    this.retained.sync(docs, this.replies);
    this.replies.clear();
  }
}

/** The segment whose base the whole-strip light reports: the first that is on, else the first. */
function shownSegment(bases: ReadonlyMap<string, BaseSpec>): string {
  for (const [name, b] of bases) if (b.on) return name;
  return bases.keys().next().value!;
}
