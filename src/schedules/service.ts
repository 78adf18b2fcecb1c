// The schedule service: one import loop per enabled source (extract → transform → load), each
// source's problems kept in its own status; and the countdown to your matches, ticking on the
// injected wall clock (timers only decide when to look at it) and firing nothing while the clock
// cannot be believed. An import is async network I/O and a few small SQLite writes: it never
// holds up a frame, and one source's failure stays its own.
import { z } from "zod";
import type { GameEventInput } from "../events/schema.ts";
import type { SchedulesRepo } from "../store/schedules.ts";
import { conflict, errorText, notFound } from "../util/errors.ts";
import { validate } from "../util/validation.ts";
import type { SourceCatalog, SourceView } from "./catalog.ts";
import type { ClockCheck } from "./clock.ts";
import { addressOf, eventSource, type SourceWithId } from "./config.ts";
import { Countdown, GRACE_MS } from "./countdown.ts";
import { extract, importWindow, type Fetch } from "./extract.ts";
import { loadMatches, type LoadResult } from "./load.ts";
import { ImportLoop } from "./loop.ts";
import { deviceZone, localIso } from "./zone.ts";

/** The longest the countdown sleeps without looking at the clock (so a jump is noticed). */
const MAX_SLEEP_MS = 30_000;
const DAY_MS = 86_400_000;
const MAX_LISTED = 500;

/** A source being imported, and what its imports have shown. */
interface ImportedSource {
  config: SourceWithId;
  loop: ImportLoop;
  inFlight: Promise<boolean> | null;
  problem: string | null;
  failures: number;
  lastRunAt: number | null;
  lastOkAt: number | null;
  last: Omit<LoadResult, "changes"> | null;
  skipped: string[];
}

export interface SchedulesDeps {
  catalog: SourceCatalog;
  repo: Pick<SchedulesRepo, "matches" | "applyChanges" | "matchesBetween">;
  clock: Pick<ClockCheck, "check" | "seen">;
  publish: (events: GameEventInput[]) => void;
  log: (msg: string) => void;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  fetch?: Fetch;
}

const Instant = z.string().transform((s, ctx) => {
  const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isFinite(ms)) return ms;
  ctx.addIssue({ code: "custom", message: "ms since the epoch or an ISO time" });
  return z.NEVER;
});

export const MatchesQuerySchema = z
  .strictObject({
    /** Default: now. */
    from: Instant.optional(),
    /** Default: 30 days after from. */
    to: Instant.optional(),
    /** Only your matches. */
    mine: z.enum(["true", "false"]).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.to >= q.from, { message: "before from", path: ["to"] });

export class SchedulesService {
  private readonly sources = new Map<string, ImportedSource>();
  private readonly countdown = new Countdown();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  /** The wall time of the last tick: points after it are due at the next. */
  private prev: number;

  constructor(private readonly deps: SchedulesDeps) {
    this.prev = deps.now();
  }

  list(): (SourceView & { state: string })[] {
    return this.deps.catalog.list().map((s) => ({ ...s, state: this.stateOf(s) }));
  }

  get(id: string): SourceView {
    return this.deps.catalog.get(id);
  }

  create(body: unknown): SourceView {
    const rec = this.deps.catalog.create(body);
    this.reload(rec.id);
    return rec;
  }

  update(id: string, body: unknown): SourceView {
    const rec = this.deps.catalog.update(id, body);
    this.reload(id);
    return rec;
  }

  remove(id: string): void {
    this.deps.catalog.remove(id);
    this.reload(id);
  }

  start(): void {
    this.running = true;
    this.prev = this.deps.now();
    for (const c of this.deps.catalog.configs()) this.add(c);
    this.rearm();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    for (const id of [...this.sources.keys()]) this.drop(id);
  }

  /** After a source was created, changed or deleted: its loop restarts with the stored config. */
  reload(id: string): void {
    this.drop(id);
    const c = this.deps.catalog.config(id);
    if (c) this.add(c);
    this.rearm();
  }

  /** Imports one source now (or joins the import under way): never two at once. Resolves whether it succeeded. */
  importNow(id: string): Promise<boolean> {
    const config = this.deps.catalog.config(id) ?? notFound(`no schedule source ${id}`);
    if (!config.enabled) conflict(`schedule source "${config.name}" is disabled`);
    const u = this.sources.get(id) ?? this.add(config)!;
    u.inFlight ??= this.runImport(u).finally(() => (u.inFlight = null));
    return u.inFlight;
  }

  status(id: string) {
    const s = this.deps.catalog.get(id);
    const u = this.sources.get(id);
    const at = this.deps.now();
    const next = this.deps.repo.matchesBetween([id], at, Number.MAX_SAFE_INTEGER, true, 1)[0];
    return {
      id, name: s.name, kind: s.kind, address: s.address, enabled: s.enabled, state: this.stateOf(s),
      problem: u?.problem ?? null, failures: u?.failures ?? 0,
      lastRunAt: iso(u?.lastRunAt), lastOkAt: iso(u?.lastOkAt),
      last: u?.last ?? null, skipped: u?.skipped ?? [],
      matches: this.deps.repo.matches(id).length,
      nextMine: next ? { title: next.title, start: iso(next.startAt), startLocal: localIso(next.startAt, deviceZone()) } : null,
      clockProblem: this.deps.clock.check(at),
    };
  }

  /** Matches under way in the span, soonest first, across enabled sources. */
  matches(query: unknown) {
    const q = validate(MatchesQuerySchema, query, "query");
    const from = q.from ?? this.deps.now();
    const to = q.to ?? from + 30 * DAY_MS;
    const sources = new Map(this.deps.catalog.list().filter((s) => s.enabled).map((s) => [s.id, s]));
    const tz = deviceZone();
    const local = (ms: number | null) => (ms === null ? null : localIso(ms, tz));
    return {
      timeZone: tz, now: iso(this.deps.now()), from: iso(from), to: iso(to),
      matches: this.deps.repo.matchesBetween([...sources.keys()], from, to, q.mine === "true", MAX_LISTED).map((m) => {
        const s = sources.get(m.sourceId)!;
        return {
          source: { id: s.id, name: s.name, kind: s.kind }, externalId: m.externalId, title: m.title,
          start: iso(m.startAt), end: iso(m.endAt), startLocal: local(m.startAt), endLocal: local(m.endAt), players: m.players, mine: m.mine,
        };
      }),
    };
  }

  /** Fires the countdown's points passed since the last tick, if the clock can be believed; plans the next tick. */
  tick(): void {
    const now = this.deps.now();
    if (this.deps.clock.check(now) === null) {
      this.deps.clock.seen(now);
      const events = this.countdown.due(this.prev, now);
      if (events.length) this.deps.publish(events);
    }
    this.prev = now;
    this.plan(now);
  }

  private plan(now: number): void {
    clearTimeout(this.timer);
    if (!this.running) return;
    const next = this.countdown.nextAfter(now);
    this.timer = setTimeout(() => this.tick(), Math.min(MAX_SLEEP_MS, Math.max(0, (next ?? Infinity) - now)));
  }

  /** Arms the countdown with your upcoming matches of the enabled sources. */
  private rearm(): void {
    const now = this.deps.now();
    const configs = new Map(this.deps.catalog.configs().filter((c) => c.enabled).map((c) => [c.id, c]));
    const mine = this.deps.repo.matchesBetween([...configs.keys()], now - GRACE_MS, Number.MAX_SAFE_INTEGER, true, MAX_LISTED);
    this.countdown.set(mine.map((m) => {
      const c = configs.get(m.sourceId)!;
      return { key: `${m.sourceId}/${m.externalId}`, source: eventSource(c), title: m.title, startAt: m.startAt, marksMin: c.marksMin, countdownMin: c.countdownMin };
    }));
    this.plan(now);
  }

  private stateOf(s: SourceView): string {
    const u = this.sources.get(s.id);
    return !s.enabled ? "disabled" : !u?.lastRunAt ? "waiting" : u.problem ? "failing" : "ok";
  }

  private add(config: SourceWithId): ImportedSource | null {
    if (!config.enabled) return null;
    const u: ImportedSource = {
      config, inFlight: null, problem: null, failures: 0, lastRunAt: null, lastOkAt: null, last: null, skipped: [],
      loop: new ImportLoop(() => this.importNow(config.id), { intervalMs: config.intervalMs }),
    };
    this.sources.set(config.id, u);
    if (this.running) u.loop.start();
    return u;
  }

  private drop(id: string): void {
    this.sources.get(id)?.loop.stop();
    this.sources.delete(id);
  }

  private async runImport(u: ImportedSource): Promise<boolean> {
    const { config } = u;
    const now = this.deps.now();
    const window = importWindow(now, config.horizonDays);
    let error = this.deps.clock.check(now);
    let got = null;
    if (error === null) {
      try {
        got = await extract(config, window, this.deps.fetch);
      } catch (e) {
        error = errorText(e);
      }
    }
    // Removed or changed while the import was out: its result belongs to nobody.
    if (this.sources.get(config.id) !== u) return false;
    u.lastRunAt = now;
    if (!got) {
      u.failures++;
      u.problem = error;
      if (u.failures === 1 || u.failures % 10 === 0) this.deps.log(`[schedules] ${config.name} (${addressOf(config)}): ${error}`);
      return false;
    }
    const r = loadMatches(this.deps.repo, config.id, got, window, now, (ms) => localIso(ms, deviceZone()));
    for (const line of r.changes) this.deps.log(`[schedules] ${config.name}: ${line}`);
    const skipped = got.skipped.map((s) => s.reason);
    // Skipped items come back on every import: the log says so when the list changes.
    if (skipped.join("\n") !== u.skipped.join("\n")) for (const s of skipped) this.deps.log(`[schedules] ${config.name}: skipped ${s}`);
    const { changes, ...counts } = r;
    Object.assign(u, { failures: 0, problem: null, lastOkAt: now, last: counts, skipped });
    if (changes.length) this.rearm();
    return true;
  }
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
