// The import path end to end below HTTP: the real service, store (in memory) and fetch against
// hostile fakes on loopback, on an injected wall clock. Writes are counted with SQLite's own
// total_changes().
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SourceCatalog } from "../../src/schedules/catalog.ts";
import { ClockCheck } from "../../src/schedules/clock.ts";
import { SchedulesService } from "../../src/schedules/service.ts";
import { openDatabase } from "../../src/store/db.ts";
import { SchedulesRepo } from "../../src/store/schedules.ts";
import { BERLIN_VTIMEZONE, calendar, closedPort, episode, fakeHttp, vevent, type Reply } from "./fakes.ts";

const T0 = Date.UTC(2027, 2, 10, 12);
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "+00:00");

let episodes: unknown[];
let ics: string;
const sg = fakeHttp((r) => (r.path === "/api/schedule/" ? { kind: "ok", body: JSON.stringify(episodes) } : { kind: "status", status: 404 }));
const cal = fakeHttp((r): Reply => (r.path === "/team/s3cret.ics" ? { kind: "ok", body: ics, type: "text/calendar" } : { kind: "status", status: 404 }));
const dir = mkdtempSync(join(tmpdir(), "ledbox-sched-"));
const syncFlag = join(dir, "synchronized");
writeFileSync(syncFlag, "");
afterAll(() => {
  sg.close();
  cal.close();
  rmSync(dir, { recursive: true, force: true });
});

let clock: number;
let db: ReturnType<typeof openDatabase>;
let svc: SchedulesService;
let catalog: SourceCatalog;
let logs: string[];
beforeEach(() => {
  clock = T0;
  logs = [];
  db = openDatabase(":memory:");
  const repo = new SchedulesRepo(db);
  catalog = new SourceCatalog(repo);
  svc = new SchedulesService({ catalog, repo, clock: new ClockCheck(repo, syncFlag), publish: () => {}, log: (m) => logs.push(m), now: () => clock });
  episodes = [
    episode(101, at(T0 + 2 * HOUR), [{ displayName: "Alice" }, { displayName: "Bob" }]),
    episode(102, at(T0 + 26 * HOUR), [{ displayName: "Carol" }, { displayName: "Dan" }]),
  ];
});
afterEach(() => svc.stop());

const writes = () => (db.query("SELECT total_changes() AS n").get() as { n: number }).n;
const league = (extra: Record<string, unknown> = {}) => svc.create({ name: "league", kind: "speedgaming", event: "alttprleague", baseUrl: sg.url, names: ["alice"], ...extra }).id;
const titles = () => svc.matches({ from: String(T0 - 24 * HOUR) }).matches.map((m) => `${m.title}${m.mine ? " (mine)" : ""} @ ${m.start}`);

describe("SpeedGaming import", () => {
  test("first import: each episode once, in UTC, mine marked; the request asks for the window", async () => {
    const id = league();
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id)).toMatchObject({ state: "ok", problem: null, failures: 0, last: { imported: 2, updated: 0, removed: 0, skipped: 0 }, matches: 2, nextMine: { title: "Swiss Round 1", start: "2027-03-10T14:00:00.000Z" } });
    const list = svc.matches({ from: String(T0) });
    expect(list.matches).toEqual([
      expect.objectContaining({ externalId: "101", title: "Swiss Round 1", start: "2027-03-10T14:00:00.000Z", end: "2027-03-10T15:30:00.000Z", players: ["Alice", "Bob"], mine: true, source: { id, name: "league", kind: "speedgaming" } }),
      expect.objectContaining({ externalId: "102", start: "2027-03-11T14:00:00.000Z", mine: false }),
    ]);
    expect(svc.matches({ mine: "true" }).matches.map((m) => m.externalId)).toEqual(["101"]);
    const q = sg.requests.at(-1)!;
    expect([q.query.get("event"), q.query.get("from"), q.query.get("to"), q.accept]).toEqual(["alttprleague", "2027-03-10T00:00:00.000Z", "2027-04-09T12:00:00.000Z", "application/json"]);
    expect(logs.filter((l) => l.includes("added"))).toHaveLength(2);
  });

  test("a second import with nothing new writes nothing", async () => {
    const id = league();
    await svc.importNow(id);
    const before = writes();
    expect(await svc.importNow(id)).toBe(true);
    expect(writes()).toBe(before);
    expect(svc.status(id).last).toEqual({ imported: 0, updated: 0, removed: 0, skipped: 0 });
  });

  test("a moved match is rescheduled in place; a vanished one is removed; each change is logged", async () => {
    const id = league();
    await svc.importNow(id);
    episodes = [{ ...(episodes[0] as object), when: at(T0 + 3 * HOUR) }];
    logs = [];
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id).last).toEqual({ imported: 0, updated: 1, removed: 1, skipped: 0 });
    expect(titles()).toEqual(["Swiss Round 1 (mine) @ 2027-03-10T15:00:00.000Z"]);
    expect(logs).toEqual([
      expect.stringMatching(/^\[schedules\] league: "Swiss Round 1" moved from 2027-03-10T14:00:00[+-]\d\d:\d\d to 2027-03-10T15:00:00[+-]\d\d:\d\d$/),
      expect.stringMatching(/^\[schedules\] league: removed "Swiss Round 1" at .*: cancelled or no longer in the source$/),
    ]);
  });

  test("a malformed episode is skipped and reported; what was imported of it stays", async () => {
    const id = league();
    await svc.importNow(id);
    episodes = [{ ...(episodes[0] as object), when: "soon" }, episodes[1], { ...episode(103, at(T0), []), id: "x-1" }];
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id)).toMatchObject({ problem: null, last: { imported: 0, updated: 0, removed: 0, skipped: 2 }, skipped: ["episode 101: when: an ISO time with a UTC offset", expect.stringMatching(/^episode x-1: id: /)] });
    expect(titles()).toHaveLength(2);
    expect(logs.filter((l) => l.includes("skipped"))).toHaveLength(2);
  });

  test("an answer that goes wrong is the source's problem, changes nothing, and the next good one recovers", async () => {
    const id = league({ timeoutMs: 1000 });
    await svc.importNow(id);
    const host = `127.0.0.1:${sg.port}`;
    const failures: [Reply, string][] = [
      [{ kind: "status", status: 500 }, `${host} answered HTTP 500`],
      [{ kind: "ok", body: '[{"id": 101, "when": "2027-03-1' }, 'the reply is not JSON: it starts with "[{\\"id\\": 101, \\"when\\": \\"2027-03-1"'],
      [{ kind: "ok", body: '{"error": "Failed to find event."}' }, "SpeedGaming: Failed to find event."],
      [{ kind: "ok", body: "<html><body>Maintenance</body></html>" }, 'the reply is not JSON: it starts with "<html><body>Maintenance</body></html>"'],
      [{ kind: "reset", body: JSON.stringify(episodes), after: 40 }, `the connection to ${host} closed before the reply was complete`],
      [{ kind: "huge", bytes: 64 << 20, declare: false }, `the reply from ${host} is over ${4 << 20} bytes`],
      [{ kind: "slow", body: JSON.stringify(episodes), everyMs: 300 }, `timeout after 1 s waiting for ${host}`],
    ];
    const before = writes();
    for (const [i, [reply, problem]] of failures.entries()) {
      sg.queue.push(reply);
      expect(await svc.importNow(id)).toBe(false);
      expect(svc.status(id)).toMatchObject({ state: "failing", problem, failures: i + 1, lastOkAt: new Date(T0).toISOString() });
    }
    expect(writes()).toBe(before);
    expect(titles()).toHaveLength(2);
    // Logged on the first failure in a row (and every tenth), not each time.
    expect(logs.filter((l) => l.includes("answered HTTP 500"))).toHaveLength(1);
    clock += 60_000;
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id)).toMatchObject({ state: "ok", problem: null, failures: 0, lastOkAt: new Date(T0 + 60_000).toISOString() });
  });

  test("a closed port", async () => {
    const port = closedPort();
    const id = league({ baseUrl: `http://127.0.0.1:${port}` });
    expect(await svc.importNow(id)).toBe(false);
    expect(svc.status(id).problem).toBe(`cannot connect to 127.0.0.1:${port} (connection refused)`);
  });

  test("a source followed whole: every match is mine", async () => {
    const id = league({ names: [], followAll: true });
    await svc.importNow(id);
    expect(svc.matches({ mine: "true" }).matches.map((m) => m.externalId)).toEqual(["101", "102"]);
  });
});

describe("iCal import", () => {
  const scrims = (...extra: string[]) => calendar(BERLIN_VTIMEZONE,
    vevent(["UID:scrim@team", "SUMMARY:Scrim vs Foxes", "DTSTART;TZID=Europe/Berlin:20270311T200000", "DTEND;TZID=Europe/Berlin:20270311T220000", "RRULE:FREQ=WEEKLY;COUNT=4"]),
    vevent(["UID:final@team", "SUMMARY:Cup final", "DTSTART:20270320T170000Z"]),
    ...extra);
  const team = () => svc.create({ name: "team", kind: "ical", url: `${cal.url}/team/s3cret.ics`, names: ["foxes"] }).id;
  beforeEach(() => {
    ics = scrims();
  });

  test("a recurring series across the DST change, each occurrence once; the URL is never shown", async () => {
    const id = team();
    expect(await svc.importNow(id)).toBe(true);
    expect(titles()).toEqual([
      "Scrim vs Foxes (mine) @ 2027-03-11T19:00:00.000Z",
      "Scrim vs Foxes (mine) @ 2027-03-18T19:00:00.000Z",
      "Scrim vs Foxes (mine) @ 2027-03-25T19:00:00.000Z",
      "Cup final @ 2027-03-20T17:00:00.000Z",
      // After the clocks go forward on the 28th: 20:00 CEST.
      "Scrim vs Foxes (mine) @ 2027-04-01T18:00:00.000Z",
    ].sort((a, b) => a.split("@ ")[1].localeCompare(b.split("@ ")[1])));
    expect(cal.requests.at(-1)!.accept).toBe("text/calendar");
    const shown = JSON.stringify([svc.get(id), svc.list(), svc.status(id)]);
    expect(shown).not.toContain("s3cret");
    expect(svc.get(id).address).toBe(cal.url);
  });

  test("an occurrence cancelled or moved by an override; an update of the same event with a new SEQUENCE", async () => {
    const id = team();
    await svc.importNow(id);
    const before = writes();
    await svc.importNow(id);
    expect(writes()).toBe(before);
    ics = scrims(
      vevent(["UID:scrim@team", "RECURRENCE-ID;TZID=Europe/Berlin:20270318T200000", "SEQUENCE:1", "STATUS:CANCELLED", "SUMMARY:Scrim vs Foxes", "DTSTART;TZID=Europe/Berlin:20270318T200000"]),
      vevent(["UID:scrim@team", "RECURRENCE-ID;TZID=Europe/Berlin:20270325T200000", "SEQUENCE:1", "SUMMARY:Scrim vs Foxes", "DTSTART;TZID=Europe/Berlin:20270325T210000", "DTEND;TZID=Europe/Berlin:20270325T230000"]),
      vevent(["UID:final@team", "SEQUENCE:3", "SUMMARY:Cup final (Foxes)", "DTSTART:20270320T180000Z"]),
    );
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id).last).toEqual({ imported: 0, updated: 2, removed: 1, skipped: 0 });
    expect(titles()).toEqual([
      "Scrim vs Foxes (mine) @ 2027-03-11T19:00:00.000Z",
      "Cup final (Foxes) (mine) @ 2027-03-20T18:00:00.000Z",
      "Scrim vs Foxes (mine) @ 2027-03-25T20:00:00.000Z",
      "Scrim vs Foxes (mine) @ 2027-04-01T18:00:00.000Z",
    ]);
  });

  test("a calendar cut short, a login page served with 200, a reset: the source's problem, nothing removed", async () => {
    const id = team();
    await svc.importNow(id);
    const before = writes();
    const host = `127.0.0.1:${cal.port}`;
    for (const [reply, problem] of [
      [{ kind: "ok", body: ics.slice(0, ics.indexOf("UID:final")), type: "text/calendar" }, "the calendar is cut short (it does not end with END:VCALENDAR): nothing imported"],
      [{ kind: "ok", body: "<!DOCTYPE html><html><title>Sign in</title>", type: "text/html" }, 'not an iCalendar file: it starts with "<!DOCTYPE html><html><title>Sign in</tit"'],
      [{ kind: "reset", body: ics, after: ics.length >> 1 }, `the connection to ${host} closed before the reply was complete`],
      [{ kind: "status", status: 404 }, `${host} answered HTTP 404`],
    ] as [Reply, string][]) {
      cal.queue.push(reply);
      expect(await svc.importNow(id)).toBe(false);
      expect(svc.status(id).problem).toBe(problem);
    }
    expect(writes()).toBe(before);
    // The right calendar with the wrong content type is still a calendar.
    cal.queue.push({ kind: "ok", body: ics, type: "application/octet-stream" });
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id)).toMatchObject({ problem: null, matches: 5 });
  });

  test("a broken VEVENT is skipped and reported; its occurrences imported before stay", async () => {
    const id = team();
    await svc.importNow(id);
    ics = ics.replace("RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=WEEKLY;COUNT=4\r\nthis is not a property");
    expect(await svc.importNow(id)).toBe(true);
    expect(svc.status(id)).toMatchObject({ last: { imported: 0, updated: 0, removed: 0, skipped: 1 }, skipped: [expect.stringMatching(/^VEVENT "scrim@team": invalid line/)] });
    expect(titles()).toHaveLength(5);
  });
});

describe("sources", () => {
  test("bad input names the field and stores nothing", () => {
    const bad = (body: unknown, msg: string) => expect(() => svc.create(body)).toThrow(msg);
    bad({ name: "x", kind: "speedgaming" }, "event: required for a speedgaming source");
    bad({ name: "x", kind: "ical" }, "url: required for an ical source");
    bad({ name: "x", kind: "ical", url: "ftp://example.com/a.ics" }, "url");
    bad({ name: "x", kind: "ical", url: "https://example.com/a.ics", event: "x" }, "event: only for a speedgaming source");
    bad({ name: "x", kind: "ical", url: "https://example.com/a.ics", discordIds: ["123456789"] }, "discordIds: only for a speedgaming source");
    bad({ name: "x", kind: "speedgaming", event: "a b" }, "event: an event slug like alttprleague");
    bad({ name: "x", kind: "speedgaming", event: "a", intervalMs: 1000 }, "intervalMs");
    bad({ name: "x", kind: "speedgaming", event: "a", marksMin: [0] }, "marksMin.0");
    bad({ name: "x", kind: "speedgaming", event: "a", every: 5 }, "every");
    bad([1], "expected a JSON object");
    expect(svc.list()).toEqual([]);
  });

  test("a PUT without the calendar URL keeps it; webcal:// is https://", () => {
    const id = svc.create({ name: "team", kind: "ical", url: `webcal://127.0.0.1:${cal.port}/team/s3cret.ics` }).id;
    const { id: _, createdAt, updatedAt, address, ...rest } = svc.get(id);
    svc.update(id, { ...svc.get(id), name: "renamed" });
    expect(svc.get(id)).toMatchObject({ ...rest, name: "renamed" });
    expect(catalog.config(id)!.url).toBe(`https://127.0.0.1:${cal.port}/team/s3cret.ics`);
  });

  test("deleting a source deletes its matches; a disabled source imports nothing and lists none", async () => {
    const id = league();
    await svc.importNow(id);
    svc.update(id, { name: "league", kind: "speedgaming", event: "alttprleague", baseUrl: sg.url, enabled: false });
    expect(svc.matches({}).matches).toEqual([]);
    expect(() => svc.importNow(id)).toThrow('schedule source "league" is disabled');
    svc.remove(id);
    expect(db.query("SELECT COUNT(*) AS n FROM schedule_matches").get()).toEqual({ n: 0 });
    expect(() => svc.status(id)).toThrow(`no schedule source ${id}`);
  });

  test("the matches query is validated", () => {
    expect(() => svc.matches({ from: "yesterday-ish" })).toThrow("invalid query: from: ms since the epoch or an ISO time");
    expect(() => svc.matches({ from: "2027-03-10T00:00:00Z", to: "2027-03-09T00:00:00Z" })).toThrow("invalid query: to: before from");
    expect(() => svc.matches({ mine: "yes" })).toThrow("invalid query: mine");
    expect(() => svc.matches({ limit: "5" })).toThrow("limit");
  });
});
