// An iCalendar (.ics) file as matches. Parsing, time zones (VTIMEZONE) and recurrence (RRULE,
// RDATE, EXDATE, RECURRENCE-ID overrides) are Mozilla's ical.js: RFC 5545 with no dependencies.
// Around it: the text is cut into its top-level blocks first and each block parsed alone, so a
// malformed line costs one event, not the calendar; a file cut short is refused whole (read as
// it is, every event after the cut would look cancelled); a TZID without a VTIMEZONE is read
// with the runtime's own zone data, a floating time in the device's zone. Long series cost
// ~10 µs a step here (more on a Pi), so the work yields to the event loop every few ms.
import ICAL from "ical.js";
import { errorText } from "../util/errors.ts";
import { clip, inWindow, mentions, sameName, type Extracted, type MatchData, type Me, type Window } from "./match.ts";
import { deviceZone, isZone, wallToUtc } from "./zone.ts";

type Time = InstanceType<typeof ICAL.Time>;
type Event = InstanceType<typeof ICAL.Event>;
type Component = InstanceType<typeof ICAL.Component>;

/** Occurrences stepped through per series at most (a FREQ=MINUTELY rule from years ago would never end). */
const MAX_STEPS = 10_000;
/** Work done between yields to the event loop. */
const SLICE_MS = 4;

interface Block {
  name: string;
  text: string;
  /** 1-based, for messages. */
  line: number;
}

interface Series {
  master?: Component;
  /** By RECURRENCE-ID. */
  overrides: Map<string, Component>;
}

/** The calendar's matches starting in the window; a malformed or unusable event is left out with the reason. */
export async function calendarToMatches(text: string, me: Me, window: Window): Promise<Extracted> {
  const blocks = topLevelBlocks(text);
  const out: Extracted = { matches: [], skipped: [] };
  const pause = pacer();
  // Events hang under one calendar holding the zones, where ical.js looks their TZIDs up.
  const root = new ICAL.Component("vcalendar");
  for (const b of blocks.filter((b) => b.name === "VTIMEZONE")) {
    try {
      root.addSubcomponent(parseBlock(b));
    } catch (e) {
      out.skipped.push({ reason: `VTIMEZONE at line ${b.line}: ${errorText(e)}` });
    }
  }
  const series = new Map<string, Series>();
  for (const b of blocks.filter((b) => b.name === "VEVENT")) {
    await pause();
    const uid = /^UID:(.*)$/im.exec(b.text)?.[1]?.trim();
    try {
      if (!uid) throw new Error("no UID");
      const c = root.addSubcomponent(parseBlock(b));
      const s: Series = series.get(uid) ?? { overrides: new Map() };
      series.set(uid, s);
      const rid = c.getFirstPropertyValue("recurrence-id") as Time | null;
      // A feed may carry several versions of an event: the highest SEQUENCE is the current one.
      if (!rid) s.master = newer(s.master, c);
      else s.overrides.set(rid.toString(), newer(s.overrides.get(rid.toString()), c));
    } catch (e) {
      out.skipped.push({ reason: `VEVENT ${uid ? `"${clip(uid, 80)}"` : `at line ${b.line}`}: ${errorText(e)}`, key: uid });
    }
  }
  for (const [uid, s] of series) {
    try {
      out.matches.push(...(await occurrences(uid, s.master, [...s.overrides.values()], me, window, pause)));
    } catch (e) {
      out.skipped.push({ reason: `VEVENT "${clip(uid, 80)}": ${errorText(e)}`, key: uid });
    }
  }
  return out;
}

/** Resolves at once while the current slice of work is short, else after yielding to the event loop. */
function pacer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    since = performance.now();
  };
}

/** The blocks directly inside VCALENDAR; refuses what is not a whole calendar. */
function topLevelBlocks(text: string): Block[] {
  const lines = text.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== "") ?? "";
  if (!/^BEGIN:VCALENDAR\s*$/i.test(first)) throw new Error(`not an iCalendar file: it starts with ${JSON.stringify(clip(first, 40))}`);
  if (!/^END:VCALENDAR\s*$/i.test(lines.findLast((l) => l.trim() !== "") ?? "")) throw new Error("the calendar is cut short (it does not end with END:VCALENDAR): nothing imported");
  const blocks: Block[] = [];
  let depth = 0;
  let open: { name: string; start: number } | null = null;
  lines.forEach((line, i) => {
    const m = /^(BEGIN|END):([A-Za-z0-9-]+)\s*$/i.exec(line);
    if (!m) return;
    const begin = m[1].toUpperCase() === "BEGIN";
    if (begin && depth++ === 1) open = { name: m[2].toUpperCase(), start: i };
    if (!begin && --depth === 1 && open) {
      blocks.push({ name: open.name, text: lines.slice(open.start, i + 1).join("\r\n"), line: open.start + 1 });
      open = null;
    }
  });
  return blocks;
}

function parseBlock(b: Block): Component {
  const cal = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${b.text}\r\nEND:VCALENDAR`));
  return cal.getFirstSubcomponent(b.name.toLowerCase())!;
}

const sequenceOf = (c: Component) => Number(c.getFirstPropertyValue("sequence") ?? 0) || 0;
const newer = (a: Component | undefined, b: Component) => (a && sequenceOf(a) > sequenceOf(b) ? a : b);
const cancelled = (c: Component) => String(c.getFirstPropertyValue("status") ?? "").toUpperCase() === "CANCELLED";

async function occurrences(uid: string, master: Component | undefined, overrides: Component[], me: Me, w: Window, pause: () => Promise<void>): Promise<MatchData[]> {
  // Overrides without their series (a feed that sends only the changed occurrence) stand alone.
  if (!master) return overrides.filter((c) => !cancelled(c)).flatMap((c) => only(toMatch(occurrenceId(uid, instantOf(c, "recurrence-id")), c, new ICAL.Event(c), me), w));
  if (cancelled(master)) return [];
  const event = new ICAL.Event(master);
  for (const o of overrides) event.relateException(o);
  if (!event.isRecurring()) return only(toMatch(uid, master, event, me), w);
  // Overrides may move occurrences into the window from either side: step that much wider.
  const moves = overrides.map((o) => instantOf(o, "dtstart") - instantOf(o, "recurrence-id"));
  const [later, earlier] = [Math.max(0, ...moves), Math.max(0, ...moves.map((m) => -m))];
  const out: MatchData[] = [];
  const it = event.iterator();
  for (let steps = 0, t: Time | null; (t = it.next()); steps++) {
    if (steps >= MAX_STEPS) throw new Error(`more than ${MAX_STEPS} occurrences before the end of the window`);
    await pause();
    const rid = toUtc(t, master);
    if (rid > w.to + earlier) break;
    if (rid < w.from - later) continue;
    const d = event.getOccurrenceDetails(t);
    const item = d.item.component;
    if (cancelled(item)) continue;
    const startAt = toUtc(d.startDate, item);
    out.push(...only({ ...toMatch(occurrenceId(uid, rid), item, d.item, me), startAt, endAt: endOf(startAt, toUtc(d.endDate, item)) }, w));
  }
  return out;
}

function toMatch(externalId: string, c: Component, e: Event, me: Me): MatchData {
  const title = clip(e.summary ?? "") || "(no title)";
  const players = e.attendees.map((a) => String(a.getParameter("cn") ?? a.getFirstValue() ?? "").replace(/^mailto:/i, "")).filter(Boolean).map((p) => clip(p, 64));
  const startAt = toUtc(e.startDate, c);
  return {
    externalId: clip(externalId, 512), title, startAt, endAt: e.endDate ? endOf(startAt, toUtc(e.endDate, c)) : null, players,
    mine: me.followAll || me.names.some((n) => mentions(title, n) || players.some((p) => sameName(p, n))),
  };
}

/** An occurrence of a series is known by its UID and original start (RECURRENCE-ID), which stay when it moves. */
const occurrenceId = (uid: string, recurrenceId: number) => `${uid}/${new Date(recurrenceId).toISOString()}`;
const endOf = (start: number, end: number) => (end > start ? end : null);
const only = (m: MatchData, w: Window) => (inWindow(m, w) ? [m] : []);

/** A property's date-time as UTC ms. */
const instantOf = (c: Component, prop: string) => toUtc(c.getFirstPropertyValue(prop) as Time | null, c, prop);

/** UTC ms of a time of this event: zoned by its VTIMEZONE, else by the zone its TZID names, else (floating) the device's. */
function toUtc(t: Time | null, c: Component, prop = "dtstart"): number {
  if (!t) throw new Error(`no ${prop.toUpperCase()}`);
  if (t.isDate) throw new Error("an all-day event has no start time to count down to");
  if (t.zone !== ICAL.Timezone.localTimezone) return t.toUnixTime() * 1000;
  const tzid = c.getFirstProperty(prop)?.getParameter("tzid") as string | undefined;
  if (tzid && !isZone(tzid)) throw new Error(`unknown time zone "${tzid}" (the calendar has no VTIMEZONE for it)`);
  return wallToUtc(t, tzid ?? deviceZone());
}
