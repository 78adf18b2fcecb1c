// SpeedGaming's public schedule API: GET <base>/api/schedule/?event=<slug>&from=<ISO>&to=<ISO>
// answers a JSON list of episodes. SpeedGaming publishes no schema; the field names are those
// public clients read: tcprescott/sahabot2, application/services/speedgaming/speedgaming_service.py
// (episode id, title, when, length in minutes, approved, event, match1/match2 with id, title, note
// and players [{id, displayName, discordId, discordTag, publicStream, streamingFrom}], channels,
// commentators/trackers/broadcasters [{displayName, discordId, approved, ready, language}]), and
// what such clients note of the live feed: JSON comes as text/html, an unknown event is a 200
// with {"error": "…"}, unset strings are "" (not null; match2 is null), the episode title is
// usually empty and a side's note ("Swiss Round 5") is then the only label.
import { z } from "zod";
import { isObject } from "../util/json.ts";
import { describeIssues } from "../util/validation.ts";
import { clip, sameName, type Extracted, type MatchData, type Me } from "./match.ts";

export const scheduleUrl = (base: string, event: string, from: number, to: number) =>
  `${base.replace(/\/+$/, "")}/api/schedule/?${new URLSearchParams({ event, from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`;

// Tolerant where a wrong value costs nothing but a label; strict where the match depends on it.
const Text = z.string().catch("");
const Person = z.object({ displayName: Text, discordId: z.union([z.string(), z.number()]).transform(String).catch("") }).catch({ displayName: "", discordId: "" });
const People = z.array(Person).catch([]);
const Side = z.object({ title: Text, note: Text, players: People }).nullable().catch(null);
const CREW = ["commentators", "trackers", "broadcasters", "helpers"] as const;
const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/;

const EpisodeSchema = z.object({
  id: z.union([z.int().positive(), z.string().regex(/^\d+$/, "digits")]).transform(String),
  /** Always with an offset in the live feed; one without would depend on this device's zone. */
  when: z.string().superRefine((s, ctx) => {
    const problem = !ISO_WITH_OFFSET.test(s) ? "an ISO time with a UTC offset" : !Number.isFinite(Date.parse(s)) ? "not a real date" : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  length: z.number().positive().max(10_080).optional().catch(undefined),
  title: Text,
  event: z.object({ name: Text }).catch({ name: "" }),
  match1: Side,
  match2: Side,
  ...Object.fromEntries(CREW.map((role) => [role, People])) as Record<(typeof CREW)[number], typeof People>,
});

/** One reply of the schedule API as matches; a malformed episode is left out with the reason. */
export function episodesToMatches(doc: unknown, me: Me): Extracted {
  if (isObject(doc) && typeof doc.error === "string") throw new Error(`SpeedGaming: ${doc.error}`);
  if (!Array.isArray(doc)) throw new Error("unexpected reply: expected a list of episodes");
  const out: Extracted = { matches: [], skipped: [] };
  doc.forEach((raw, i) => {
    const r = EpisodeSchema.safeParse(raw);
    if (r.success) out.matches.push(toMatch(r.data, me));
    else {
      const id = isObject(raw) && (typeof raw.id === "number" || typeof raw.id === "string") ? String(raw.id) : undefined;
      out.skipped.push({ reason: `episode ${id ?? `#${i + 1}`}: ${describeIssues(r.error)}`, key: id });
    }
  });
  return out;
}

function toMatch(e: z.infer<typeof EpisodeSchema>, me: Me): MatchData {
  const sides = [e.match1, e.match2].filter((s) => s !== null);
  const players = sides.flatMap((s) => s.players).filter((p) => p.displayName || p.discordId);
  const people = [...players, ...CREW.flatMap((role) => e[role])];
  const isMe = (p: { displayName: string; discordId: string }) =>
    me.names.some((n) => p.displayName !== "" && sameName(n, p.displayName)) || (p.discordId !== "" && me.discordIds.includes(p.discordId));
  const names = players.map((p) => p.displayName || `Discord ${p.discordId}`);
  const label = [e.title, e.match1?.title, e.match1?.note].find((t) => t?.trim()) ?? (names.length ? names.join(" vs ") : e.event.name || `Episode ${e.id}`);
  const startAt = Date.parse(e.when);
  return {
    externalId: e.id, title: clip(label), startAt, endAt: e.length ? startAt + e.length * 60_000 : null,
    players: names.map((n) => clip(n, 64)), mine: me.followAll || people.some(isMe),
  };
}
