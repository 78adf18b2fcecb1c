// The effect registry: adding an effect means one file here and one line below.
import { breathing } from "./breathing.ts";
import { colorShift } from "./color_shift.ts";
import { flash } from "./flash.ts";
import { pulse } from "./pulse.ts";
import { strobe } from "./strobe.ts";
import { sweep } from "./sweep.ts";
import type { EffectDef } from "./types.ts";

export const EFFECTS = [flash, pulse, sweep, colorShift, breathing, strobe] as const satisfies readonly EffectDef[];
export const EFFECT_IDS = ["flash", "pulse", "sweep", "color_shift", "breathing", "strobe"] as const;
export const effectById = new Map<string, EffectDef>(EFFECTS.map((e) => [e.id, e]));
