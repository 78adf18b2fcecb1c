// .ics → matches: recurrence with exceptions across a DST change, cancellations, SEQUENCE, time
// zones with and without VTIMEZONE, and the damage one bad event (or a cut-short file) may do.
import { describe, expect, test } from "bun:test";
import { calendarToMatches } from "../../src/schedules/ical.ts";
import { deviceZone, localIso, wallToUtc } from "../../src/schedules/zone.ts";
import { BERLIN_VTIMEZONE, calendar, vevent } from "./fakes.ts";

const me = (names: string[] = [], followAll = false) => ({ names, discordIds: [], followAll });
const ALL = { from: Date.UTC(2020, 0, 1), to: Date.UTC(2030, 0, 1) };
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const summary = async (text: string, w = ALL, who = me()) => {
  const got = await calendarToMatches(text, who, w);
  return { matches: got.matches.map((m) => [m.externalId, m.title, iso(m.startAt), iso(m.endAt)]), skipped: got.skipped };
};

// Weekly scrims on Thursdays at 20:00 Berlin time: the clocks go forward on Sunday 28 March 2027.
const SCRIMS = calendar(
  BERLIN_VTIMEZONE,
  vevent([
    "UID:scrim@team.example", "SEQUENCE:0", "SUMMARY:Scrim vs Foxes",
    "DTSTART;TZID=Europe/Berlin:20270318T200000", "DTEND;TZID=Europe/Berlin:20270318T220000",
    "RRULE:FREQ=WEEKLY;COUNT=6", "EXDATE;TZID=Europe/Berlin:20270325T200000",
  ]),
  // The 8 April scrim moves an hour later (SEQUENCE 2); an older version of that change follows it in the feed.
  vevent(["UID:scrim@team.example", "RECURRENCE-ID;TZID=Europe/Berlin:20270408T200000", "SEQUENCE:2", "SUMMARY:Scrim vs Foxes (late)",
    "DTSTART;TZID=Europe/Berlin:20270408T210000", "DTEND;TZID=Europe/Berlin:20270408T230000"]),
  vevent(["UID:scrim@team.example", "RECURRENCE-ID;TZID=Europe/Berlin:20270408T200000", "SEQUENCE:1", "SUMMARY:Scrim vs Foxes (stale)",
    "DTSTART;TZID=Europe/Berlin:20270408T203000", "DTEND;TZID=Europe/Berlin:20270408T223000"]),
  // The 15 April one is called off.
  vevent(["UID:scrim@team.example", "RECURRENCE-ID;TZID=Europe/Berlin:20270415T200000", "SEQUENCE:1", "STATUS:CANCELLED", "SUMMARY:Scrim vs Foxes",
    "DTSTART;TZID=Europe/Berlin:20270415T200000", "DTEND;TZID=Europe/Berlin:20270415T220000"]),
);

describe("iCal calendars", async () => {
  test("a weekly series across the spring DST change: EXDATE, a moved and a cancelled occurrence, the newest SEQUENCE", async () => {
    expect(await summary(SCRIMS)).toEqual({
      matches: [
        // 20:00 CET is 19:00 UTC; after the change 20:00 CEST is 18:00 UTC.
        ["scrim@team.example/2027-03-18T19:00:00.000Z", "Scrim vs Foxes", "2027-03-18T19:00:00.000Z", "2027-03-18T21:00:00.000Z"],
        ["scrim@team.example/2027-04-01T18:00:00.000Z", "Scrim vs Foxes", "2027-04-01T18:00:00.000Z", "2027-04-01T20:00:00.000Z"],
        // Moved: still known by its original start, so a reschedule and not a new match.
        ["scrim@team.example/2027-04-08T18:00:00.000Z", "Scrim vs Foxes (late)", "2027-04-08T19:00:00.000Z", "2027-04-08T21:00:00.000Z"],
        ["scrim@team.example/2027-04-22T18:00:00.000Z", "Scrim vs Foxes", "2027-04-22T18:00:00.000Z", "2027-04-22T20:00:00.000Z"],
      ],
      skipped: [],
    });
  });

  test("only occurrences starting in the window; an override moved into it from beyond counts", async () => {
    const w = { from: Date.UTC(2027, 3, 1), to: Date.UTC(2027, 3, 8, 18, 30) };
    expect((await summary(SCRIMS, w)).matches.map((m) => m[2])).toEqual(["2027-04-01T18:00:00.000Z"]);
    const earlier = calendar(BERLIN_VTIMEZONE, vevent(["UID:s", "SUMMARY:S", "DTSTART;TZID=Europe/Berlin:20270401T200000", "RRULE:FREQ=WEEKLY;COUNT=4"]),
      vevent(["UID:s", "RECURRENCE-ID;TZID=Europe/Berlin:20270422T200000", "SUMMARY:S early", "DTSTART;TZID=Europe/Berlin:20270405T200000"]));
    expect((await summary(earlier, { from: Date.UTC(2027, 3, 2), to: Date.UTC(2027, 3, 6) })).matches).toEqual([["s/2027-04-22T18:00:00.000Z", "S early", "2027-04-05T18:00:00.000Z", null]]);
  });

  test("a cancelled event or series imports nothing; an override without its series stands alone", async () => {
    const text = calendar(
      vevent(["UID:a", "STATUS:CANCELLED", "SUMMARY:Off", "DTSTART:20270101T180000Z", "RRULE:FREQ=DAILY;COUNT=3"]),
      vevent(["UID:b", "STATUS:CANCELLED", "SUMMARY:Off too", "DTSTART:20270101T180000Z"]),
      vevent(["UID:c", "RECURRENCE-ID:20270105T180000Z", "SUMMARY:Just this one", "DTSTART:20270105T190000Z", "DURATION:PT90M"]),
    );
    expect(await summary(text)).toEqual({ matches: [["c/2027-01-05T18:00:00.000Z", "Just this one", "2027-01-05T19:00:00.000Z", "2027-01-05T20:30:00.000Z"]], skipped: [] });
  });

  test("time zones: UTC, a TZID without VTIMEZONE read by its IANA name, floating in the device's zone, an unknown one skipped", async () => {
    const text = calendar(
      vevent(["UID:utc", "SUMMARY:UTC", "DTSTART:20270701T180000Z"]),
      vevent(["UID:ny", "SUMMARY:New York", "DTSTART;TZID=America/New_York:20270701T200000"]),
      vevent(["UID:float", "SUMMARY:Floating", "DTSTART:20270701T200000"]),
      vevent(["UID:mars", "SUMMARY:Mars", "DTSTART;TZID=Mars/Olympus_Mons:20270701T200000"]),
    );
    expect(await summary(text)).toEqual({
      matches: [
        ["utc", "UTC", "2027-07-01T18:00:00.000Z", null],
        // EDT is UTC-4.
        ["ny", "New York", "2027-07-02T00:00:00.000Z", null],
        ["float", "Floating", iso(wallToUtc({ year: 2027, month: 7, day: 1, hour: 20, minute: 0, second: 0 }, deviceZone())), null],
      ],
      skipped: [{ reason: 'VEVENT "mars": unknown time zone "Mars/Olympus_Mons" (the calendar has no VTIMEZONE for it)', key: "mars" }],
    });
  });

  test("one bad VEVENT is skipped with the reason and its UID; the others import", async () => {
    const text = calendar(
      vevent(["UID:good-1", "SUMMARY:Good", "DTSTART:20270101T180000Z"]),
      vevent(["UID:bad-line", "SUMMARY:Broken", "this line has no colon", "DTSTART:20270101T180000Z"]),
      vevent(["UID:bad-date", "SUMMARY:Bad date", "DTSTART:next thursday"]),
      vevent(["SUMMARY:No UID", "DTSTART:20270101T180000Z"]),
      vevent(["UID:all-day", "SUMMARY:Tournament day", "DTSTART;VALUE=DATE:20270102"]),
      vevent(["UID:no-start", "SUMMARY:When?"]),
      vevent(["UID:minutely", "SUMMARY:Spam", "DTSTART:20200101T000000Z", "RRULE:FREQ=MINUTELY"]),
      vevent(["UID:good-2", "SUMMARY:Also good", "DTSTART:20270103T180000Z"]),
    );
    const got = await summary(text);
    expect(got.matches.map((m) => m[0])).toEqual(["good-1", "good-2"]);
    expect(got.skipped.map((s) => s.key)).toEqual(["bad-line", undefined, "bad-date", "all-day", "no-start", "minutely"]);
    expect(got.skipped[0].reason).toStartWith('VEVENT "bad-line": invalid line');
    expect(got.skipped[1].reason).toMatch(/^VEVENT at line \d+: no UID$/);
    expect(got.skipped[2].reason).toStartWith('VEVENT "bad-date": ');
    expect(got.skipped[3].reason).toBe('VEVENT "all-day": an all-day event has no start time to count down to');
    expect(got.skipped[4].reason).toBe('VEVENT "no-start": no DTSTART');
    expect(got.skipped[5].reason).toBe('VEVENT "minutely": more than 10000 occurrences before the end of the window');
  });

  test("a file cut short or not a calendar at all fails whole, so nothing reads as cancelled", async () => {
    await expect(calendarToMatches(SCRIMS.slice(0, SCRIMS.length - 40), me(), ALL)).rejects.toThrow("the calendar is cut short (it does not end with END:VCALENDAR): nothing imported");
    await expect(calendarToMatches("<!doctype html><title>Sign in</title>", me(), ALL)).rejects.toThrow('not an iCalendar file: it starts with "<!doctype html><title>Sign in</title>"');
    await expect(calendarToMatches("", me(), ALL)).rejects.toThrow('not an iCalendar file: it starts with ""');
  });

  test("mine: a name as a whole word of the summary, or an attendee; or the whole calendar followed", async () => {
    const text = calendar(
      vevent(["UID:1", "SUMMARY:Foxes vs Owls", "DTSTART:20270101T180000Z"]),
      vevent(["UID:2", "SUMMARY:Foxglove Cup", "DTSTART:20270102T180000Z"]),
      vevent(["UID:3", "SUMMARY:Scrim", "DTSTART:20270103T180000Z", 'ATTENDEE;CN="Sam Fox";ROLE=REQ-PARTICIPANT:mailto:sam@example.com', "ATTENDEE:mailto:kim@example.com"]),
    );
    const mine = async (who: ReturnType<typeof me>) => (await calendarToMatches(text, who, ALL)).matches.map((m) => m.mine);
    expect(await mine(me(["foxes"]))).toEqual([true, false, false]);
    expect(await mine(me(["sam fox"]))).toEqual([false, false, true]);
    expect(await mine(me([], true))).toEqual([true, true, true]);
    expect((await calendarToMatches(text, me(), ALL)).matches[2].players).toEqual(["Sam Fox", "kim@example.com"]);
  });
});

describe("zones", async () => {
  test("a wall time in the spring-forward gap moves forward; local times carry the zone's offset", async () => {
    expect(iso(wallToUtc({ year: 2027, month: 3, day: 28, hour: 2, minute: 30, second: 0 }, "Europe/Berlin"))).toBe("2027-03-28T01:30:00.000Z");
    expect(localIso(Date.UTC(2027, 2, 18, 19), "Europe/Berlin")).toBe("2027-03-18T20:00:00+01:00");
    expect(localIso(Date.UTC(2027, 3, 1, 18), "Europe/Berlin")).toBe("2027-04-01T20:00:00+02:00");
    expect(localIso(Date.UTC(2027, 6, 2, 0), "America/New_York")).toBe("2027-07-01T20:00:00-04:00");
  });
});
