// The standard GameEvent vocabulary: every input turns its payload into these.
import { z } from "zod";

/** Continuous values: a number, optionally with its own range (defaults in DEFAULT_RANGE). */
export const VALUE_TYPES = [
  "health", "armor", "shield", "mana", "energy", "ammo", "gold", "money",
  "fuel", "speed", "boost", "flash", "respawn_seconds", "players", "countdown",
] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** The range a value is normalised against when the event gives no min/max. */
export const DEFAULT_RANGE: Record<ValueType, [number, number]> = {
  health: [0, 100], armor: [0, 100], shield: [0, 100], mana: [0, 100], energy: [0, 100],
  ammo: [0, 30], gold: [0, 10_000], money: [0, 16_000], fuel: [0, 100], speed: [0, 300],
  boost: [0, 100], flash: [0, 255], respawn_seconds: [0, 60],
  // A game server's humans; its pollers send max = the server's max players.
  players: [0, 32],
  // The part of a countdown left, 1 (all of it) down to 0 (the start): the range runs backwards, so
  // mappings see the part gone and a meter fills up as the moment nears.
  countdown: [1, 0],
};

const common = {
  /** Unique per occurrence; assigned on ingest when absent. Used to drop redeliveries. */
  id: z.string().min(1).max(128).optional(),
  source: z.string().min(1).max(64).default("api"),
  game: z.string().min(1).max(32).default("generic"),
  /** Wall-clock time of the occurrence (ms since epoch); set on ingest when absent. */
  time: z.number().int().positive().optional(),
};
const finite = z.number().finite();
const result = z.enum(["win", "loss", "draw"]);

const valueEvent = (type: ValueType) =>
  z.object({ type: z.literal(type), ...common, value: finite, min: finite.optional(), max: finite.optional() })
    // Against the type's default range where one is left out: {health, min: 100} divided by zero.
    .refine((e) => (e.min ?? DEFAULT_RANGE[type][0]) !== (e.max ?? DEFAULT_RANGE[type][1]), {
      message: `min and max must differ (where left out, ${type} uses ${DEFAULT_RANGE[type].join("–")})`,
      path: ["max"],
    });

/** Discrete occurrences, each with its own fields. */
const TRIGGERS = {
  kill: { headshot: z.boolean().default(false) },
  multikill: { count: z.int().min(2).max(64) },
  death: {},
  assist: {},
  respawn: {},
  damage_taken: { amount: finite.min(0) },
  damage_dealt: { amount: finite.min(0) },
  flashbang: { intensity: z.number().min(0).max(1) },
  match_start: {},
  /** A scheduled match is this many minutes away. */
  match_upcoming: { minutes: z.int().min(0).max(1440), title: z.string().max(200).optional() },
  match_end: { result },
  round_start: {},
  round_end: { result },
  bomb_planted: {},
  bomb_defused: {},
  bomb_exploded: {},
  objective: { kind: z.string().min(1).max(64), ally: z.boolean() },
  level_up: { level: z.int().min(0).optional() },
  first_blood: {},
  ace: {},
  player_joined: { name: z.string().max(128).optional() },
  player_left: { name: z.string().max(128).optional() },
  map_changed: { map: z.string().max(128) },
  server_online: {},
  server_offline: {},
  server_full: {},
  server_empty: {},
  custom: { name: z.string().min(1).max(64), value: finite.optional() },
} satisfies Record<string, z.ZodRawShape>;

export const GameEventSchema = z.discriminatedUnion("type", [
  ...VALUE_TYPES.map(valueEvent),
  ...Object.entries(TRIGGERS).map(([type, shape]) => z.object({ type: z.literal(type), ...common, ...shape })),
] as unknown as [z.ZodObject, ...z.ZodObject[]]);

export type GameEventInput = z.input<typeof GameEventSchema>;
/** An event after ingest: id and time are always present. */
export type GameEvent = z.infer<typeof GameEventSchema> & { id: string; time: number; type: EventType; [k: string]: unknown };

/** Derived from the two lists above, so a type cannot be in the schema but unknown to ingest. */
export const EVENT_TYPES = [...VALUE_TYPES, ...(Object.keys(TRIGGERS) as (keyof typeof TRIGGERS)[])];
export type EventType = (typeof EVENT_TYPES)[number];

export const MAX_BATCH = 500;
/** Largest body of events taken, over HTTP or MQTT. */
export const MAX_EVENTS_BODY = 256 * 1024;
/** One event or a batch: the body of POST /api/v1/events and of the MQTT event topic. */
export const EventBatchSchema = z.union([GameEventSchema, z.array(GameEventSchema).min(1).max(MAX_BATCH)]);

export const isValueType = (t: string): t is ValueType => (VALUE_TYPES as readonly string[]).includes(t);

/** The number a mapping condition compares: a value's normalised 0–1 fraction, or a trigger's magnitude. */
export function numericOf(e: GameEvent): number | undefined {
  if (isValueType(e.type)) return normalise(e);
  for (const k of ["amount", "count", "intensity", "level", "minutes", "value"] as const) {
    const v = e[k];
    if (typeof v === "number") return v;
  }
  return undefined;
}

export function normalise(e: GameEvent): number {
  const [dmin, dmax] = DEFAULT_RANGE[e.type as ValueType];
  const min = (e.min as number | undefined) ?? dmin;
  const max = (e.max as number | undefined) ?? dmax;
  const f = ((e.value as number) - min) / (max - min);
  // NaN (from ranges so wide their span overflows to Infinity) counts as 0: a NaN meter value stops the render loop.
  return f > 0 ? (f < 1 ? f : 1) : 0;
}
