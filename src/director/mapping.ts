// A mapping: when an event of a type (optionally from one game, optionally meeting a condition)
// arrives, play an effect on a segment, or drive a meter with the event's value — or, held, keep
// an effect running for as long as the event's value meets the condition.
import { z } from "zod";
import { EVENT_TYPES, isValueType } from "../events/schema.ts";
import { EFFECT_IDS } from "../light/effects/index.ts";
import { compareValues, CompareOpSchema } from "./compare.ts";
import { EffectSpecSchema, MeterSpecSchema, SegmentRef } from "../light/specs.ts";

const ComparisonSchema = z.strictObject({
  op: CompareOpSchema,
  /** Compared with a value event's 0–1 fraction, or a trigger's amount/count/intensity/level. */
  value: z.number().finite(),
});
/** One comparison, or several that must all hold (a range: `[{">", 0}, {"<", 0.25}]`). */
export const ConditionSchema = z.union([ComparisonSchema, z.array(ComparisonSchema).min(1).max(4)]);
export type Condition = z.infer<typeof ConditionSchema>;

/** A held effect with no new value for this long ends: the game has gone quiet (quit, crashed). */
export const HOLD_TIMEOUT_MS = 60_000;

export const MappingActionSchema = z.discriminatedUnion("kind", [
  EffectSpecSchema.extend({
    kind: z.literal("effect"),
    /** Scale intensity by the event's 0–1 number (e.g. a flashbang's intensity). */
    scaleByValue: z.boolean().default(false),
  }),
  MeterSpecSchema.extend({
    kind: z.literal("meter"),
    /** Meters are keyed by name on a segment; defaults to the event type (e.g. "health"). */
    meter: z.string().regex(/^[a-z0-9_-]{1,32}$/).optional(),
  }),
  EffectSpecSchema.extend({
    /**
     * Plays the effect while the event's value meets the mapping's condition: it starts when the
     * condition becomes true, runs on (durationMs at a time, rounded to whole cycles) and ends when
     * a value fails the condition or none has come for timeoutMs.
     */
    kind: z.literal("hold"),
    timeoutMs: z.int().min(1000).max(3_600_000).default(HOLD_TIMEOUT_MS),
  }),
  z.strictObject({
    /** Ends running effects at once, e.g. the bomb's breathing when it is defused. */
    kind: z.literal("clear"),
    segment: SegmentRef.default("*"),
    /** Only this effect; omitted = every effect on the segment. */
    effect: z.enum(EFFECT_IDS).optional(),
  }),
]);

export const MappingInputSchema = z
  .object({
    name: z.string().min(1).max(64),
    enabled: z.boolean().default(true),
    event: z.enum(EVENT_TYPES),
    /** Only events from this game ("cs2", "dota2", …); omitted = any game. */
    game: z.string().min(1).max(32).optional(),
    /** Only events whose fields equal these, e.g. {"result": "win"}, {"headshot": true}, {"name": "door"}. */
    match: z.record(z.string().regex(/^[a-z_]{1,32}$/), z.union([z.string().max(128), z.number(), z.boolean()]))
      .refine((r) => Object.keys(r).length <= 8, "at most 8 fields").optional(),
    /** After firing, ignore further matches for this long (e.g. a low-health warning). */
    cooldownMs: z.int().min(0).max(600_000).default(0),
    condition: ConditionSchema.optional(),
    action: MappingActionSchema,
  })
  .refine((m) => m.action.kind !== "meter" || isValueType(m.event) || m.event === "custom", {
    message: "a meter needs a continuous value event (health, ammo, …) or a custom event with a value",
    path: ["action", "kind"],
  })
  .refine((m) => m.action.kind !== "hold" || isValueType(m.event) || m.event === "custom", {
    message: "a hold needs a continuous value event (health, fuel, …) or a custom event with a value",
    path: ["action", "kind"],
  })
  .refine((m) => m.action.kind !== "hold" || m.condition !== undefined, {
    message: "a hold needs a condition: the effect runs while the value meets it",
    path: ["condition"],
  })
  .refine((m) => m.action.kind !== "hold" || m.cooldownMs === 0, {
    message: "a hold has no cooldown: it runs while its condition holds",
    path: ["cooldownMs"],
  });
export type MappingInput = z.input<typeof MappingInputSchema>;
export type Mapping = z.infer<typeof MappingInputSchema> & { id: string; preset: string | null };

export const compare = (c: Condition, x: number): boolean => (Array.isArray(c) ? c : [c]).every((k) => compareValues(k.op, x, k.value));
