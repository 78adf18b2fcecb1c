// Scene control: the base (ambient) layer and presets, whoever asks — the page, Home Assistant,
// an integration saved with a preset. Keeps the base for the next start and tells listeners of
// every change (Home Assistant's state follows it).
import type { BaseChange, BaseSpec } from "../light/specs.ts";
import { BaseChangeSchema } from "../light/specs.ts";
import { notFound } from "../util/errors.ts";
import type { MappingsService } from "./mappings.ts";
import { PRESETS, presetById, type Preset } from "./presets.ts";

/** The scene as this service sees it. */
export interface BaseLayers {
  setBase(change: BaseChange): string[];
  bases(): Map<string, BaseSpec>;
}

export interface BaseStore {
  saveBases(bases: ReadonlyMap<string, BaseSpec>): void;
}

export class SceneControl {
  private listeners: (() => void)[] = [];
  /**
   * Per segment, the preset whose ambient it shows (set when one is applied, cleared when the
   * segment's effect is changed by anything else). A segment not in it (since a restart, or new)
   * shows the active preset while its base is the preset's.
   */
  private shown = new Map<string, string | null>();

  constructor(private readonly layers: BaseLayers, private readonly store: BaseStore, private readonly mappings: MappingsService) {
    // The active preset is read from the mappings: a change there is a change of the scene's state.
    mappings.onChange(() => this.changed());
  }

  /** Each segment's base layer, by name. */
  bases(): Map<string, BaseSpec> {
    return this.layers.bases();
  }

  /** Changes the base layer and keeps it for the next start; returns the segments changed. */
  setBase(change: BaseChange): string[] {
    return this.changeBase(change, null);
  }

  /** Its mappings replace the previous preset's (the user's own stay); its base fades in. */
  applyPreset(p: Preset, transition = true): number {
    const n = this.mappings.replacePresetMappings(p.id, p.mappings);
    if (p.base) this.changeBase(BaseChangeSchema.parse({ ...p.base, ...(transition ? {} : { transitionMs: 0 }) }), p.id);
    return n;
  }

  /** The active preset, if the segment still shows its ambient (Home Assistant reports it as the light's effect). */
  presetOn(segment: string): Preset | null {
    const p = this.activePreset();
    if (!p) return null;
    const mark = this.shown.get(segment);
    if (mark !== undefined) return mark === p.id ? p : null;
    const base = this.layers.bases().get(segment);
    return base && p.base && shows(base, p.base) ? p : null;
  }

  /** A preset by id, or a not-found error naming the ones there are. */
  preset(id: string): Preset {
    return presetById.get(id) ?? notFound(`no preset "${id}" (have: ${PRESETS.map((x) => x.id).join(", ")})`);
  }

  activePreset(): Preset | null {
    return presetById.get(this.mappings.activePreset() ?? "") ?? null;
  }

  /** Called after the base layer or the mappings (so the active preset) change. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changeBase(change: BaseChange, preset: string | null): string[] {
    const segments = this.layers.setBase(change);
    if (change.effect !== undefined || preset) for (const s of segments) this.shown.set(s, preset);
    if (segments.length) {
      this.store.saveBases(this.layers.bases());
      this.changed();
    }
    return segments;
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

/** Whether a base is what a preset's base change made it (every field the preset sets). */
function shows(base: BaseSpec, preset: NonNullable<Preset["base"]>): boolean {
  const { segment, transitionMs, ...fields } = BaseChangeSchema.parse(preset);
  return Object.entries(fields).every(([k, v]) => v === undefined || JSON.stringify(v) === JSON.stringify(base[k as keyof BaseSpec]));
}
