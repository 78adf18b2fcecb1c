// A schedule source as the user configures it: one zod schema for validation, types and the API docs.
import { z } from "zod";

export const SOURCE_KINDS = ["speedgaming", "ical"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const SPEEDGAMING_URL = "https://speedgaming.org";

const HttpUrl = z.url({ protocol: /^https?$/ });

export const SourceInputSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    /** speedgaming = an event's episodes from SpeedGaming's schedule API; ical = any .ics calendar. */
    kind: z.enum(SOURCE_KINDS),
    /** speedgaming: the event's slug, e.g. "alttprleague". */
    event: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an event slug like alttprleague").optional(),
    /** speedgaming: where the API is (a mirror, or a test double). */
    baseUrl: HttpUrl.optional(),
    /** ical: the calendar (webcal:// is taken as https://). Stored, never returned (such URLs often carry a secret); on PUT, leave it out to keep it. */
    url: z.url({ protocol: /^(https?|webcal)$/ }).transform((u) => u.replace(/^webcal:/, "https:")).optional(),
    /** Names that mean you: SpeedGaming display names (players or crew), iCal attendees or words of the summary. */
    names: z.array(z.string().trim().min(1).max(64)).max(16).default([]),
    /** speedgaming: Discord ids that mean you. */
    discordIds: z.array(z.string().regex(/^\d{5,25}$/, "a Discord id (digits)")).max(16).default([]),
    /** Every match of the event or calendar is yours. */
    followAll: z.boolean().default(false),
    /** match_upcoming fires this many minutes before each of your matches. */
    marksMin: z.array(z.int().min(1).max(1440)).max(8).default([15, 5, 1]),
    /** The countdown value runs over this many last minutes. */
    countdownMin: z.int().min(1).max(240).default(15),
    /** How far ahead matches are imported. */
    horizonDays: z.int().min(1).max(365).default(30),
    intervalMs: z.int().min(60_000).max(86_400_000).default(300_000),
    timeoutMs: z.int().min(1000).max(60_000).default(15_000),
    enabled: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    const need = (field: keyof typeof s, why: string) => s[field] === undefined && ctx.addIssue({ code: "custom", path: [field], message: `required ${why}` });
    const only = (field: keyof typeof s, kind: SourceKind) =>
      s.kind !== kind && s[field] !== undefined && ctx.addIssue({ code: "custom", path: [field], message: `only for a ${kind} source` });
    if (s.kind === "speedgaming") need("event", "for a speedgaming source");
    else need("url", "for an ical source");
    only("event", "speedgaming");
    only("baseUrl", "speedgaming");
    only("url", "ical");
    if (s.kind !== "speedgaming" && s.discordIds.length) ctx.addIssue({ code: "custom", path: ["discordIds"], message: "only for a speedgaming source" });
  });

export type SourceInput = z.input<typeof SourceInputSchema>;
export type SourceConfig = z.infer<typeof SourceInputSchema>;
export type SourceWithId = SourceConfig & { id: string };

/** Where a source's matches come from, for reads and messages: never a calendar's full URL. */
export const addressOf = (s: SourceConfig) => (s.kind === "speedgaming" ? `${s.baseUrl ?? SPEEDGAMING_URL} (event ${s.event})` : new URL(s.url!).origin);

/** The `source` of a source's events. */
export const eventSource = (s: SourceConfig) => `schedule:${s.name}`.slice(0, 64);
