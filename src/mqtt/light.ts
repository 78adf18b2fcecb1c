// Home Assistant's JSON light schema ↔ the base layer. HA brightness (1–255) is the base
// layer's level (0–1), not the global settings.light.brightness: the global one is a cap the
// owner sets for the room, HA's slider dims the ambient light under it, and effects keep full
// strength over a dimmed ambient. A light addresses one segment, or every segment ("*").
import { z } from "zod";
import type { RGB } from "../light/color.ts";
import { AMBIENT_KINDS, EffectSpecSchema, type AmbientKind, type BaseChange, type BaseSpec, type EffectSpec } from "../light/specs.ts";

const byte = z.number().min(0).max(255);

/** flash_time_short and flash_time_long in the discovery config: what HA sends as "flash" (seconds). */
export const FLASH_TIMES = { short: 2, long: 10 } as const;
/** HA's light service clamps transitions to this many seconds (VALID_TRANSITION). */
export const MAX_TRANSITION_S = 6553;
/** A flash blinks once a second: on for half of it, then what is beneath. */
const FLASH_HZ = 1;
const WHITE: RGB = [1, 1, 1];

/** A command as HA sends it; keys ledbox does not offer (color_temp, white) are ignored. */
export const HaCommandSchema = z.object({
  state: z.enum(["ON", "OFF"]).optional(),
  brightness: byte.optional(),
  color: z.object({ r: byte, g: byte, b: byte, w: byte.optional() }).optional(),
  /** Seconds (HA sends a float). */
  transition: z.number().min(0).max(MAX_TRANSITION_S).optional(),
  effect: z.string().min(1).max(64).optional(),
  /** Seconds, as HA sends them (flash_time_short or _long); "short" and "long" are taken too. At most an effect's 5 minutes. */
  flash: z.union([z.number().positive().max(300), z.enum(["short", "long"])]).optional(),
});
export type HaCommand = z.infer<typeof HaCommandSchema>;
export type HaColor = { r: number; g: number; b: number; w?: number };

export type LightCommand = { base: BaseChange; preset?: string; unknownEffect?: string };

/**
 * The base change a command asks of `segment`, whose base is `current`, and a preset when its
 * effect names one (applied first, so the command's own fields win). An effect that is neither
 * is returned apart: HA's way is to apply the rest. presetsByName maps effect_list names to ids.
 */
export function commandToChange(cmd: HaCommand, current: BaseSpec, segment: string, presetsByName: ReadonlyMap<string, string>): LightCommand {
  const base: BaseChange = { segment, transitionMs: cmd.transition === undefined ? 500 : Math.round(cmd.transition * 1000) };
  let preset: string | undefined;
  let unknownEffect: string | undefined;
  if (cmd.effect !== undefined) {
    if ((AMBIENT_KINDS as readonly string[]).includes(cmd.effect)) base.effect = cmd.effect as AmbientKind;
    else if (presetsByName.has(cmd.effect)) preset = presetsByName.get(cmd.effect);
    else unknownEffect = cmd.effect;
  }
  if (cmd.state) base.on = cmd.state === "ON";
  if (cmd.brightness !== undefined) base.level = Math.max(0, Math.min(1, cmd.brightness / 255));
  if (cmd.color) base.colors = [mixOf(cmd.color), ...current.colors.slice(1)];
  // "ON" on a light that would stay dark (level 0, or black where its effect draws colour, as after
  // the Racing preset) turns it up to full white, as a lamp would. A preset in the same command is
  // what was asked for, dark or not.
  if (cmd.state === "ON" && !preset) {
    if (cmd.brightness === undefined && current.level === 0) base.level = 1;
    if (!cmd.color && isBlack(current.colors, base.effect ?? current.effect)) base.colors = [WHITE, ...current.colors.slice(1)];
  }
  return { base, preset, unknownEffect };
}

/**
 * HA's flash as a real effect: the light blinks (a strobe, so every "on" passes the
 * photosensitivity guard) for the seconds asked, in the command's colour and brightness or the
 * light's colour at full. The base layer is left as it is, so the light returns to its state.
 */
export function flashEffect(cmd: HaCommand & { flash: NonNullable<HaCommand["flash"]> }, current: BaseSpec, segment: string): EffectSpec {
  const seconds = typeof cmd.flash === "string" ? FLASH_TIMES[cmd.flash] : cmd.flash;
  const color = cmd.color ? mixOf(cmd.color) : isBlack(current.colors, "solid") ? WHITE : current.colors[0];
  return EffectSpecSchema.parse({
    effect: "strobe",
    segment,
    durationMs: Math.round(seconds * 1000),
    hz: FLASH_HZ,
    colors: [color.map((c) => Math.round(c * 255))],
    intensity: cmd.brightness === undefined ? 1 : cmd.brightness / 255,
    priority: 90,
  });
}

/** RGBW: white goes into R, G and B; the pipeline's white extraction takes it out again for the LEDs. */
const mixOf = (c: HaColor): RGB => [c.r, c.g, c.b].map((v) => Math.min(255, v + (c.w ?? 0)) / 255) as unknown as RGB;

/** Whether the colours an ambient effect draws are all black (rainbow draws its own). */
function isBlack(colors: readonly RGB[], effect: AmbientKind): boolean {
  if (effect === "rainbow") return false;
  const drawn = effect === "gradient" ? colors : colors.slice(0, 1);
  return drawn.every((c) => c.every((v) => v === 0));
}

const bytesOf = (c: RGB) => c.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) as unknown as [number, number, number];
/** 8 commands to each of 32 segments. */
const LIMIT = 256;

/**
 * The RGBW colours HA asked for, by segment and the RGB mix each became. HA takes the state as
 * truth, so the state reports an RGBW colour as it was commanded; a mix with no command behind it
 * (set from the page, or before a restart) is reported as R, G, B with W 0. The newest LIMIT are kept.
 */
export class CommandedColors {
  private readonly byMix = new Map<string, HaColor>();

  remember(segment: string, c: HaColor): void {
    const key = keyOf(segment, mixOf(c));
    this.byMix.delete(key);
    this.byMix.set(key, { r: c.r, g: c.g, b: c.b, w: c.w ?? 0 });
    if (this.byMix.size > LIMIT) this.byMix.delete(this.byMix.keys().next().value!);
  }

  rgbwOf(segment: string, c: RGB): HaColor {
    const [r, g, b] = bytesOf(c);
    return this.byMix.get(keyOf(segment, c)) ?? { r, g, b, w: 0 };
  }
}

const keyOf = (segment: string, c: RGB) => `${segment} ${bytesOf(c).join()}`;

export type HaLightState = {
  state: "ON" | "OFF";
  brightness?: number;
  color_mode: "rgb" | "rgbw";
  color: HaColor;
  effect: string;
};

/**
 * The state document HA expects: `state` always, `color_mode` with `color`, brightness 1–255, and
 * the effect shown (a preset's name while the light shows it). `rgbw` is given on RGBW strips,
 * with the segment whose base `b` is.
 */
export function baseToState(b: BaseSpec, effect: string, rgbw?: { colors: CommandedColors; segment: string }): HaLightState {
  const [r, g, bl] = bytesOf(b.colors[0]);
  const brightness = Math.round(b.level * 255);
  const s: HaLightState = {
    state: b.on ? "ON" : "OFF",
    color_mode: rgbw ? "rgbw" : "rgb",
    color: rgbw ? rgbw.colors.rgbwOf(rgbw.segment, b.colors[0]) : { r, g, b: bl },
    effect,
  };
  // HA ignores 0: a level that rounds to 0 leaves brightness out.
  if (brightness > 0) s.brightness = brightness;
  return s;
}
