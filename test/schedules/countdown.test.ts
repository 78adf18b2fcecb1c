// The countdown on an injected wall clock, no real waiting: marks, countdown values and the start
// each fire once per match and time, at their time; a reschedule re-arms them; a clock that jumps
// or cannot be believed fires nothing stale.
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SourceCatalog } from "../../src/schedules/catalog.ts";
import { ClockCheck, NOT_BEFORE } from "../../src/schedules/clock.ts";
import { Countdown, GRACE_MS, STEP_MS, type Armed } from "../../src/schedules/countdown.ts";
import { SchedulesService } from "../../src/schedules/service.ts";
import { openDatabase } from "../../src/store/db.ts";
import { SchedulesRepo } from "../../src/store/schedules.ts";
import { episode, fakeHttp } from "./fakes.ts";

const MIN = 60_000;
const S = Date.UTC(2027, 2, 10, 18);
const match = (startAt = S): Armed => ({ key: "src/101", source: "schedule:league", title: "Final", startAt, marksMin: [15, 5, 1], countdownMin: 15 });
type Ev = Record<string, any>;
const brief = (e: Ev) => (e.type === "match_upcoming" ? `upcoming ${e.minutes}` : e.type === "countdown" ? `countdown ${e.value}` : e.type);

/** Ticks from `from` to `to` at the given steps (a function of the tick number), collecting what fires. */
function run(c: Countdown, from: number, to: number, step: (i: number) => number): Ev[] {
  const out: Ev[] = [];
  for (let prev = from, now = from + step(0), i = 1; prev < to; prev = now, now = Math.min(to, now + step(i++))) out.push(...(c.due(prev, now) as Ev[]));
  return out;
}

describe("Countdown", () => {
  test("every point once, at its time: 15, 5 and 1 minute marks, a value every 5 s over the last 15 minutes, the start", () => {
    const c = new Countdown();
    c.set([match()]);
    const got = run(c, S - 20 * MIN, S + 2 * MIN, () => 1000);
    expect(got.filter((e) => e.type === "match_upcoming").map((e) => [e.minutes, e.time])).toEqual([[15, S - 15 * MIN], [5, S - 5 * MIN], [1, S - MIN]]);
    expect(got.filter((e) => e.type === "match_start").map((e) => e.time)).toEqual([S]);
    expect([...new Set(got.map((e) => e.game))]).toEqual(["schedule"]);
    const values = got.filter((e) => e.type === "countdown");
    expect(values).toHaveLength((15 * MIN) / STEP_MS + 1);
    expect(values.map((e) => e.time)).toEqual(values.map((_, i) => S - 15 * MIN + i * STEP_MS));
    expect(values.map((e) => e.value)).toEqual(values.map((e) => (S - e.time) / (15 * MIN)));
    expect([values[0].value, values.at(-1)!.value]).toEqual([1, 0]);
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
    expect(got.every((e) => e.source === "schedule:league" && e.id.length <= 128)).toBe(true);
    expect(got.filter((e) => e.type === "match_upcoming").every((e) => e.title === "Final")).toBe(true);
  });

  test("ticking only when nextAfter says gives the same events as ticking every second", () => {
    const a = new Countdown();
    const b = new Countdown();
    a.set([match(), match(S + 7 * MIN + 2500)].map((m, i) => ({ ...m, key: `k${i}` })));
    b.set([match(), match(S + 7 * MIN + 2500)].map((m, i) => ({ ...m, key: `k${i}` })));
    const bySecond = run(a, S - 20 * MIN, S + 30 * MIN, () => 1000);
    const byPlan: Ev[] = [];
    for (let prev = S - 20 * MIN, next = b.nextAfter(prev); next !== null; prev = next, next = b.nextAfter(next)) byPlan.push(...(b.due(prev, next) as Ev[]));
    expect(byPlan.map(brief)).toEqual(bySecond.map(brief));
    expect(byPlan.map((e) => e.time)).toEqual(bySecond.map((e) => e.time));
    expect(b.nextAfter(S + 30 * MIN)).toBeNull();
  });

  test("late ticks (a busy device) still fire each point once, and only the newest countdown value", () => {
    const c = new Countdown();
    c.set([match()]);
    let seed = 7;
    const jittery = () => 700 + ((seed = (seed * 48271) % 2147483647) % 12_000);
    const got = run(c, S - 20 * MIN, S + MIN, jittery);
    expect(got.filter((e) => e.type !== "countdown").map(brief)).toEqual(["upcoming 15", "upcoming 5", "upcoming 1", "match_start"]);
    const values = got.filter((e) => e.type === "countdown").map((e) => e.value);
    expect(values).toEqual([...values].sort((x, y) => y - x));
    expect(new Set(values).size).toBe(values.length);
    expect(values.at(-1)).toBe(0);
  });

  test("a clock that jumps forward skips what it jumped over; only points at most GRACE_MS old fire", () => {
    const c = new Countdown();
    c.set([match()]);
    expect(c.due(S - 20 * MIN, S + 5 * MIN)).toEqual([]);
    const d = new Countdown();
    d.set([match()]);
    expect((d.due(S - 20 * MIN, S + GRACE_MS - 1000) as Ev[]).map(brief)).toEqual(["countdown 0", "match_start"]);
  });

  test("a clock set back does not fire a point twice", () => {
    const c = new Countdown();
    c.set([match()]);
    expect((c.due(S - 5 * MIN - 1000, S - 5 * MIN) as Ev[]).map(brief)).toEqual(["upcoming 5", "countdown 0.3333333333333333"]);
    expect(c.due(S - 6 * MIN, S - 5 * MIN + 500)).toEqual([]);
  });

  test("a reschedule re-arms every point under new ids; the old time fires nothing", () => {
    const c = new Countdown();
    c.set([match()]);
    const first = c.due(S - 15 * MIN - 1, S - 15 * MIN) as Ev[];
    expect(first.map(brief)).toEqual(["upcoming 15", "countdown 1"]);
    c.set([match(S + 60 * MIN)]);
    expect(c.due(S - 5 * MIN - 1, S - 5 * MIN)).toEqual([]);
    const again = c.due(S + 45 * MIN - 1, S + 45 * MIN) as Ev[];
    expect(again.map(brief)).toEqual(["upcoming 15", "countdown 1"]);
    expect(again.map((e) => e.id)).not.toEqual(first.map((e) => e.id));
  });
});

describe("the service's countdown", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledbox-sched-"));
  const syncFlag = join(dir, "synchronized");
  let episodes: unknown[] = [];
  const sg = fakeHttp(() => ({ kind: "ok", body: JSON.stringify(episodes) }));
  afterAll(() => {
    sg.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let clock: number;
  let events: Ev[];
  let repo: SchedulesRepo;
  let svc: SchedulesService;
  let id: string;
  const at = (ms: number) => new Date(ms).toISOString();
  const build = () => new SchedulesService({ catalog: new SourceCatalog(repo), repo, clock: new ClockCheck(repo, syncFlag), publish: (l) => events.push(...(l as Ev[])), log: () => {}, now: () => clock });
  /** Ticks every `step` ms up to `to`, as the timer would (plus more often: harmless). */
  const tickTo = (to: number, step = 1000) => {
    while (clock < to) {
      clock = Math.min(to, clock + step);
      svc.tick();
    }
  };
  beforeEach(() => {
    writeFileSync(syncFlag, "");
    clock = S - 30 * MIN;
    events = [];
    repo = new SchedulesRepo(openDatabase(":memory:"));
    episodes = [episode(101, at(S), [{ displayName: "Alice" }]), episode(102, at(S + 10 * MIN), [{ displayName: "Zed" }])];
    svc = build();
    id = svc.create({ name: "league", kind: "speedgaming", event: "x", baseUrl: sg.url, names: ["alice"], marksMin: [15, 5, 1] }).id;
  });
  afterEach(() => svc.stop());

  test("your match counts down and starts; one that is not yours stays quiet", async () => {
    await svc.importNow(id);
    tickTo(S + 20 * MIN);
    expect(events.filter((e) => e.type !== "countdown").map((e) => [brief(e), e.time, e.source])).toEqual([
      ["upcoming 15", S - 15 * MIN, "schedule:league"], ["upcoming 5", S - 5 * MIN, "schedule:league"], ["upcoming 1", S - MIN, "schedule:league"], ["match_start", S, "schedule:league"],
    ]);
    expect(events.filter((e) => e.type === "countdown")).toHaveLength(181);
  });

  test("a match moved later in the middle of its countdown counts down again to the new time", async () => {
    await svc.importNow(id);
    tickTo(S - 4 * MIN);
    episodes = [episode(101, at(S + 60 * MIN), [{ displayName: "Alice" }])];
    await svc.importNow(id);
    tickTo(S + 61 * MIN);
    expect(events.filter((e) => e.type !== "countdown").map((e) => [brief(e), e.time])).toEqual([
      ["upcoming 15", S - 15 * MIN], ["upcoming 5", S - 5 * MIN],
      ["upcoming 15", S + 45 * MIN], ["upcoming 5", S + 55 * MIN], ["upcoming 1", S + 59 * MIN], ["match_start", S + 60 * MIN],
    ]);
  });

  test("a clock that cannot be believed fires nothing and holds imports; once believed, passed marks stay unfired", async () => {
    await svc.importNow(id);
    // A restart on a Pi without RTC: the clock reads earlier than the last time this device believed.
    tickTo(S - 20 * MIN);
    const believed = repo.lastSeen()!;
    expect(believed).toBeGreaterThan(S - 21 * MIN);
    rmSync(syncFlag);
    clock = S - 40 * MIN;
    svc.stop();
    svc = build();
    svc.start();
    svc.tick();
    expect(svc.status(id).clockProblem).toBe(`waiting for the system clock: it is not synchronised (no ${syncFlag}) and reads ${at(S - 40 * MIN)}, not after ${at(believed)}`);
    expect(await svc.importNow(id)).toBe(false);
    expect(svc.status(id).problem).toStartWith("waiting for the system clock");
    tickTo(S - 20 * MIN);
    expect(events).toEqual([]);
    // NTP syncs: the clock jumps to the real time, past the 15-minute mark.
    clock = S - 10 * MIN;
    writeFileSync(syncFlag, "");
    svc.tick();
    tickTo(S);
    expect(events.filter((e) => e.type !== "countdown").map(brief)).toEqual(["upcoming 5", "upcoming 1", "match_start"]);
    expect(events.filter((e) => e.type === "countdown")[0].time).toBeGreaterThanOrEqual(S - 10 * MIN);
  });

  test("without systemd's flag, a clock later than the last believed time (and NOT_BEFORE) is believed", () => {
    rmSync(syncFlag);
    const check = new ClockCheck({ lastSeen: () => null, saveLastSeen: () => {} }, syncFlag);
    expect(check.check(NOT_BEFORE)).not.toBeNull();
    expect(check.check(NOT_BEFORE + 1)).toBeNull();
    const saved: number[] = [];
    const seen = new ClockCheck({ lastSeen: () => S, saveLastSeen: (t) => void saved.push(t) }, syncFlag);
    expect(seen.check(S)).not.toBeNull();
    expect(seen.check(S + 1)).toBeNull();
    // Written at most once a minute.
    for (let t = S + 1000; t <= S + 3 * MIN; t += 1000) seen.seen(t);
    expect(saved).toEqual([S + MIN, S + 2 * MIN, S + 3 * MIN]);
  });
});
