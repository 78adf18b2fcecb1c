// Home Assistant's JSON light schema ↔ the base layer. HA brightness (1–255) is the base
// layer's level (0–1), not the global settings.light.brightness: the global one is a cap the
// owner sets for the room, HA's slider dims the ambient light under it, and effects keep full
// strength over a dimmed ambient. The light addresses every segment ("*"); its state is the first
// segment's base.
import { z } from "zod";
import type { RGB } from "../light/color.ts";
import { AMBIENT_KINDS, type AmbientKind, type BaseChange, type BaseSpec } from "../light/specs.ts";

const byte = z.number().min(0).max(255);

/** A command as HA sends it; keys ledbox does not offer (flash, color_temp, white) are ignored. */
export const HaCommandSchema = z.object({
  state: z.enum(["ON", "OFF"]).optional(),
  brightness: byte.optional(),
  color: z.object({ r: byte, g: byte, b: byte, w: byte.optional() }).optional(),
  /** Seconds (HA sends a float). */
  transition: z.number().min(0).max(60).optional(),
  effect: z.string().min(1).max(64).optional(),
});
export type HaCommand = z.infer<typeof HaCommandSchema>;

export type LightCommand = { base: BaseChange; preset?: string };

/**
 * The base change a command asks for, and a preset when its effect names one (applied first, so
 * the command's own fields win). presetsByName maps effect_list names to preset ids.
 */
export function commandToChange(cmd: HaCommand, current: BaseSpec, presetsByName: ReadonlyMap<string, string>): LightCommand | { error: string } {
  const base: BaseChange = { segment: "*", transitionMs: cmd.transition === undefined ? 500 : Math.round(cmd.transition * 1000) };
  let preset: string | undefined;
  if (cmd.effect !== undefined) {
    if ((AMBIENT_KINDS as readonly string[]).includes(cmd.effect)) base.effect = cmd.effect as AmbientKind;
    else if (presetsByName.has(cmd.effect)) preset = presetsByName.get(cmd.effect);
    else return { error: `effect: unknown effect "${cmd.effect}"` };
  }
  if (cmd.state) base.on = cmd.state === "ON";
  if (cmd.brightness !== undefined) base.level = Math.max(0, Math.min(1, cmd.brightness / 255));
  // "ON" on a light whose level is 0 would stay dark: turn it up to full, as a lamp would.
  else if (cmd.state === "ON" && current.level === 0 && !preset) base.level = 1;
  if (cmd.color) {
    const w = cmd.color.w ?? 0;
    // RGBW: white goes back into R, G and B; the pipeline's white extraction takes it out again.
    const rgb: RGB = [cmd.color.r, cmd.color.g, cmd.color.b].map((c) => Math.min(255, c + w) / 255) as unknown as RGB;
    base.colors = [rgb, ...current.colors.slice(1)];
  }
  return { base, preset };
}

export type HaLightState = {
  state: "ON" | "OFF";
  brightness?: number;
  color_mode: "rgb" | "rgbw";
  color: { r: number; g: number; b: number; w?: number };
  effect: string;
};

/** The state document HA expects: `state` always, `color_mode` with `color`, brightness 1–255. */
export function baseToState(b: BaseSpec, rgbw: boolean): HaLightState {
  const [r, g, bl] = b.colors[0].map((c) => Math.round(Math.min(1, Math.max(0, c)) * 255));
  const brightness = Math.round(b.level * 255);
  const s: HaLightState = { state: b.on ? "ON" : "OFF", color_mode: rgbw ? "rgbw" : "rgb", color: { r, g, b: bl }, effect: b.effect };
  if (rgbw) {
    const w = Math.min(r, g, bl);
    s.color = { r: r - w, g: g - w, b: bl - w, w };
  }
  // HA ignores 0: a level that rounds to 0 leaves brightness out.
  if (brightness > 0) s.brightness = brightness;
  return s;
}
