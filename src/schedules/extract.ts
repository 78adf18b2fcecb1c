// Extract and transform: one fetch of a source, as matches in the import window.
import { fetchText, type FetchTextOptions } from "../util/fetch.ts";
import { parseJson } from "../util/json.ts";
import { SPEEDGAMING_URL, type SourceConfig } from "./config.ts";
import { calendarToMatches } from "./ical.ts";
import { clip, inWindow, type Extracted, type Window } from "./match.ts";
import { episodesToMatches, scheduleUrl } from "./speedgaming.ts";

/** Larger than any real schedule or calendar; a reply past it is refused, not read on. */
export const MAX_REPLY_BYTES = 4 << 20;
/** Matches that began this long ago are still imported (one under way, one just moved earlier). */
export const PAST_MS = 12 * 3_600_000;
const DAY_MS = 86_400_000;

export type Fetch = (url: string, opts: FetchTextOptions) => Promise<string>;

export const importWindow = (now: number, horizonDays: number): Window => ({ from: now - PAST_MS, to: now + horizonDays * DAY_MS });

export async function extract(s: SourceConfig, w: Window, get: Fetch = fetchText): Promise<Extracted> {
  const opts = { timeoutMs: s.timeoutMs, maxBytes: MAX_REPLY_BYTES };
  if (s.kind === "ical") return await calendarToMatches(await get(s.url!, { ...opts, accept: "text/calendar" }), s, w);
  // SpeedGaming serves its JSON as text/html: the content type says nothing, the body does.
  const text = await get(scheduleUrl(s.baseUrl ?? SPEEDGAMING_URL, s.event!, w.from, w.to), { ...opts, accept: "application/json" });
  const doc = parseJson(text);
  if (doc === undefined) throw new Error(`the reply is not JSON: it starts with ${JSON.stringify(clip(text, 40))}`);
  const got = episodesToMatches(doc, s);
  return { ...got, matches: got.matches.filter((m) => inWindow(m, w)) };
}
