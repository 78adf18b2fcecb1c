// API-facing schemas for what can be put on a segment: effects, the base layer, meters.
import { z } from "zod";
import { ColorSchema } from "./color.ts";
import { EFFECT_IDS } from "./effects/index.ts";

export const BLEND_MODES = ["normal", "add", "max"] as const;
export type BlendMode = (typeof BLEND_MODES)[number];
/** "*" targets every segment. */
export const SegmentRef = z.string().regex(/^(\*|[a-z0-9][a-z0-9_-]{0,31})$/, "a segment name or *");

export const EffectSpecSchema = z.strictObject({
  effect: z.enum(EFFECT_IDS),
  segment: SegmentRef.default("*"),
  /** Every instance ends by itself: at most 5 minutes. */
  durationMs: z.int().min(16).max(300_000).optional(),
  fadeInMs: z.int().min(0).max(60_000).optional(),
  fadeOutMs: z.int().min(0).max(60_000).optional(),
  intensity: z.number().min(0).max(1).default(1),
  colors: z.array(ColorSchema).min(1).max(8).optional(),
  priority: z.int().min(0).max(100).default(50),
  blend: z.enum(BLEND_MODES).default("normal"),
  hz: z.number().min(0).max(30).optional(),
  width: z.number().min(0.01).max(1).default(0.25),
  reverse: z.boolean().default(false),
});
export type EffectSpec = z.infer<typeof EffectSpecSchema>;

export const AMBIENT_KINDS = ["solid", "gradient", "rainbow", "breathing"] as const;
export type AmbientKind = (typeof AMBIENT_KINDS)[number];

const baseFields = {
  on: z.boolean(),
  effect: z.enum(AMBIENT_KINDS),
  colors: z.array(ColorSchema).min(1).max(8),
  /** Level of the base layer (0–1), separate from the global brightness. */
  level: z.number().min(0).max(1),
  /** Cycles per second for rainbow and breathing; at most 3, the photosensitivity limit. */
  hz: z.number().min(0).max(3),
};

export const BaseSpecSchema = z.strictObject({
  on: baseFields.on.default(true),
  effect: baseFields.effect.default("solid"),
  colors: baseFields.colors.prefault(["#ff6a00"]),
  level: baseFields.level.default(0.3),
  hz: baseFields.hz.default(0.1),
});
export type BaseSpec = z.infer<typeof BaseSpecSchema>;

/** A change to the base layer: only the fields given change. */
export const BaseChangeSchema = z.strictObject(baseFields).partial().extend({
  segment: SegmentRef.default("*"),
  /** Up to Home Assistant's limit for a light's transition (6553 s): a wake-up fade may take minutes. */
  transitionMs: z.int().min(0).max(6_553_000).default(500),
});
export type BaseChange = z.infer<typeof BaseChangeSchema>;

export const MeterSpecSchema = z.strictObject({
  segment: SegmentRef.default("*"),
  /** forward: fills from the segment start; reverse: from its end; center: outwards from the middle. */
  direction: z.enum(["forward", "reverse", "center"]).default("forward"),
  /** Colour by value: the first stop at 0, the last at 1 (e.g. red→yellow→green for health). */
  gradient: z.array(ColorSchema).min(1).max(8).prefault(["#ff0000", "#ffff00", "#00ff00"]),
  /** Time constant of the exponential smoothing (0 = jump at once). */
  smoothingMs: z.int().min(0).max(10_000).default(150),
  /** With no new value for this long, the meter returns to defaultValue; 0 = never. */
  timeoutMs: z.int().min(0).max(3_600_000).default(10_000),
  defaultValue: z.number().min(0).max(1).default(0),
  /** Drawn where the bar is empty; omitted = the layer beneath shows through. */
  background: ColorSchema.optional(),
  /** The part of the segment the bar occupies, as fractions (e.g. health 0–0.7, mana 0.7–1). */
  from: z.number().min(0).max(1).default(0),
  to: z.number().min(0).max(1).default(1),
});
export type MeterSpec = z.infer<typeof MeterSpecSchema>;
