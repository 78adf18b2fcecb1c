// The schedules API against a real ledbox and hostile schedule fakes on loopback: sources in,
// matches out, and the countdown's events on the bus in real (short) time.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { calendar, episode, fakeHttp, vevent } from "../schedules/fakes.ts";

setDefaultTimeout(30_000);

const HOUR = 3_600_000;
const whole = (ms: number) => Math.ceil(ms / 1000) * 1000;
let episodes: unknown[] = [];
let ics = "";
const sg = fakeHttp((r) => (r.path === "/api/schedule/" ? { kind: "ok", body: JSON.stringify(episodes) } : { kind: "status", status: 404 }));
const cal = fakeHttp(() => ({ kind: "ok", body: ics, type: "text/calendar" }));

describe("schedules API", () => {
  let t: TestBox;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await startBox();
    admin = { cookie: await t.admin() };
  });
  afterAll(async () => {
    await t.stop();
    sg.close();
    cal.close();
  });

  test("bad input is a 400 naming the field, changes need the admin, and nothing is stored", async () => {
    const bad = async (body: unknown, msg: string) => {
      const r = await call(t.url, "POST", "/api/v1/schedules", body, admin);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(msg);
    };
    await bad({ name: "x", kind: "speedgaming" }, "event: required for a speedgaming source");
    await bad({ name: "x", kind: "ical", url: "not a url" }, "url");
    await bad({ name: "x", kind: "meetup", url: "https://example.com" }, "kind");
    await bad({ name: "x", kind: "speedgaming", event: "a", names: "alice" }, "names");
    await bad("[1]", "expected a JSON object");
    expect((await call(t.url, "POST", "/api/v1/schedules", { name: "x", kind: "speedgaming", event: "a" })).status).toBe(401);
    expect((await call(t.url, "GET", "/api/v1/schedules")).body).toEqual([]);
    expect((await call(t.url, "GET", "/api/v1/matches?from=soon")).body.error).toBe("invalid query: from: ms since the epoch or an ISO time");
    expect((await call(t.url, "GET", "/api/v1/schedules/nope/status")).status).toBe(404);
  });

  test("a SpeedGaming source: its matches in /matches, and the countdown's events on the bus", async () => {
    expect((await call(t.url, "POST", "/api/v1/presets/match-day/apply", undefined, admin)).body).toEqual({ applied: "match-day", mappings: 3 });
    // Your match starts in a few seconds: its 15, 5 and 1 minute marks have passed already.
    const start = whole(Date.now() + 4000);
    episodes = [
      episode(901, new Date(start).toISOString(), [{ displayName: "Alice" }, { displayName: "Bob" }]),
      episode(902, new Date(start + 24 * HOUR).toISOString(), [{ displayName: "Carol" }, { displayName: "Dan" }]),
    ];
    const c = await call(t.url, "POST", "/api/v1/schedules", { name: "league", kind: "speedgaming", event: "alttprleague", baseUrl: sg.url, names: ["alice"] }, admin);
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: "league", kind: "speedgaming", marksMin: [15, 5, 1], countdownMin: 15, intervalMs: 300_000, enabled: true, address: `${sg.url} (event alttprleague)` });
    const id = c.body.id;
    const imported = await call(t.url, "POST", `/api/v1/schedules/${id}/import`, undefined, admin);
    expect(imported.body).toMatchObject({ ok: true, status: { state: "ok", problem: null, matches: 2 } });

    const list = await call(t.url, "GET", "/api/v1/matches");
    expect(list.status).toBe(200);
    expect(list.body.matches.map((m: any) => [m.externalId, m.start, m.mine, m.source.name])).toEqual([
      ["901", new Date(start).toISOString(), true, "league"],
      ["902", new Date(start + 24 * HOUR).toISOString(), false, "league"],
    ]);
    expect(typeof list.body.timeZone).toBe("string");
    expect(Date.parse(list.body.matches[0].startLocal)).toBe(start);
    expect((await call(t.url, "GET", "/api/v1/matches?mine=true")).body.matches.map((m: any) => m.externalId)).toEqual(["901"]);

    const fired = await until(async () => {
      const r = await call(t.url, "GET", "/api/v1/events/recent");
      const ours = r.body.map((x: any) => x.event).filter((e: any) => e.source === "schedule:league");
      return ours.some((e: any) => e.type === "match_start") && ours;
    }, "match_start from the schedule on the bus", 20_000);
    expect(fired.find((e: any) => e.type === "match_start")).toMatchObject({ time: start, game: "schedule" });
    const values = fired.filter((e: any) => e.type === "countdown");
    expect(values.length).toBeGreaterThan(0);
    expect(values.at(-1)).toMatchObject({ value: 0, time: start });
    // The marks had passed before the source was added: they are not fired late.
    expect(fired.filter((e: any) => e.type === "match_upcoming")).toEqual([]);
  });

  test("an iCal source: the URL is kept but never shown, a PUT without it keeps it, DELETE takes the matches too", async () => {
    const start = Date.UTC(2027, 0, 14, 19);
    ics = calendar(vevent(["UID:scrim@team", "SUMMARY:Scrim vs Foxes", `DTSTART:${new Date(start).toISOString().replace(/[-:]|\.000/g, "")}`, "RRULE:FREQ=WEEKLY;COUNT=2"]));
    const url = `${cal.url}/private/s3cret/basic.ics`;
    const c = await call(t.url, "POST", "/api/v1/schedules", { name: "team", kind: "ical", url, names: ["Foxes"], horizonDays: 365 }, admin);
    expect(c.status).toBe(201);
    const id = c.body.id;
    const put = await call(t.url, "PUT", `/api/v1/schedules/${id}`, { ...c.body, name: "team b" }, admin);
    expect(put.status).toBe(200);
    expect((await call(t.url, "POST", `/api/v1/schedules/${id}/import`, undefined, admin)).body.ok).toBe(true);
    expect(cal.requests.at(-1)!.path).toBe("/private/s3cret/basic.ics");
    const reads = await Promise.all([`/api/v1/schedules`, `/api/v1/schedules/${id}`, `/api/v1/schedules/${id}/status`].map((p) => call(t.url, "GET", p)));
    for (const r of reads) expect(r.text).not.toContain("s3cret");
    const matches = async () => (await call(t.url, "GET", `/api/v1/matches?from=${start - HOUR}&to=2027-02-01T00:00:00Z`)).body.matches.filter((m: any) => m.source.id === id);
    expect((await matches()).map((m: any) => [m.title, m.start, m.mine])).toEqual([
      ["Scrim vs Foxes", "2027-01-14T19:00:00.000Z", true],
      ["Scrim vs Foxes", "2027-01-21T19:00:00.000Z", true],
    ]);
    // Across sources, soonest first: the league's match tomorrow (the test above) before the team's.
    const all: [string, string][] = (await call(t.url, "GET", "/api/v1/matches?to=2027-02-01T00:00:00Z")).body.matches.map((m: any) => [m.source.name, m.start]);
    expect(all.filter(([n]) => n === "team b").length).toBe(2);
    expect(all.findIndex(([n]) => n === "league")).toBeGreaterThanOrEqual(0);
    expect(all.findIndex(([n]) => n === "league")).toBeLessThan(all.findIndex(([n]) => n === "team b"));
    expect(all.map(([, s]) => s)).toEqual(all.map(([, s]) => s).toSorted());
    expect((await call(t.url, "DELETE", `/api/v1/schedules/${id}`)).status).toBe(401);
    expect((await call(t.url, "DELETE", `/api/v1/schedules/${id}`, undefined, admin)).body).toEqual({ ok: true });
    expect(await matches()).toEqual([]);
    expect((await call(t.url, "GET", `/api/v1/schedules/${id}`)).status).toBe(404);
  });

  test("a disabled source cannot be imported (409); reads need a credential when reads are token-only", async () => {
    const c = await call(t.url, "POST", "/api/v1/schedules", { name: "off", kind: "speedgaming", event: "x", baseUrl: sg.url, enabled: false }, admin);
    expect((await call(t.url, "POST", `/api/v1/schedules/${c.body.id}/import`, undefined, admin)).status).toBe(409);
    expect((await call(t.url, "GET", `/api/v1/schedules/${c.body.id}/status`)).body.state).toBe("disabled");
    await call(t.url, "PUT", "/api/v1/settings", { http: { reads: "token" } }, admin);
    try {
      for (const p of ["/api/v1/schedules", "/api/v1/matches", `/api/v1/schedules/${c.body.id}/status`]) {
        expect((await call(t.url, "GET", p)).status).toBe(401);
        expect((await call(t.url, "GET", p, undefined, admin)).status).toBe(200);
      }
    } finally {
      await call(t.url, "PUT", "/api/v1/settings", { http: { reads: "open" } }, admin);
    }
  });
});
