// One server being polled: its scheduler, what its polls have shown, and how each outcome reaches
// the history, the sessions and the bus. One server's failure stays its own: a poll that throws,
// or a result arriving after the server was stopped, changes nothing else.
import type { GameEventInput } from "../events/schema.ts";
import { runRules, type RuleState } from "../games/rules.ts";
import { Backoff } from "../util/backoff.ts";
import { errorText } from "../util/errors.ts";
import type { ServerWithId } from "./catalog.ts";
import { addressOf, type ServerConfig } from "./config.ts";
import { serverEvents, type Observed } from "./events.ts";
import type { History } from "./history.ts";
import type { PollOptions, Snapshot } from "./poll.ts";
import { Poller } from "./scheduler.ts";
import type { SteamProfiles } from "./steam.ts";

/** Failures in a row before an online server counts as offline (one lost UDP reply is not an outage). */
const OFFLINE_AFTER = 2;
/**
 * A refused RCON password is retried after 1 min, doubling to 30 min: srcds bans an address after
 * a few failures in a short time (sv_rcon_minfailures in sv_rcon_minfailuretime) and after
 * sv_rcon_maxfailures in all. A settings change retries at once.
 */
const RCON_RETRY = { firstMs: 60_000, maxMs: 1_800_000 };

export interface PolledDeps {
  history: History;
  steam: SteamProfiles;
  publish: (events: GameEventInput[]) => void;
  log: (msg: string) => void;
  now: () => number;
  poll: (s: ServerConfig, opts: PollOptions) => Promise<Snapshot>;
}

export class PolledServer {
  observed: Observed | null = null;
  snapshot: Snapshot | null = null;
  problem: string | null = null;
  failures = 0;
  lastPollAt: number | null = null;
  lastOkAt: number | null = null;
  /** The last game a poll could tell (A2S's folder): kept while only RCON answers. */
  private game: string | undefined;
  /** json servers: the rule engine's memory of the last reply. */
  private ruleState: RuleState | undefined;
  private readonly rconRetry = new Backoff(RCON_RETRY);
  private rconRetryAt: number | null = null;
  private rconProblem: string | null = null;
  private inFlight: Promise<boolean> | null = null;
  private poller: Poller;
  private stopped = false;

  constructor(public config: ServerWithId, private readonly deps: PolledDeps) {
    this.poller = this.newPoller();
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.stopped = true;
    this.poller.stop();
  }

  /** A settings change that keeps the connection (name, game, interval): what polls have shown stays. */
  reconfigure(config: ServerWithId): void {
    const interval = config.intervalMs !== this.config.intervalMs;
    this.config = config;
    this.rconRetry.reset();
    this.rconRetryAt = null;
    if (!interval) return;
    this.poller.stop();
    this.poller = this.newPoller();
    this.poller.start();
  }

  /** Polls now (or joins the poll under way): never two at once. */
  pollNow(): Promise<boolean> {
    this.inFlight ??= this.run().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Who is on: known (a complete list), counts only, or unknown this time. */
  get roster(): "complete" | "counts-only" | "unknown" | null {
    const r = this.snapshot?.roster;
    return r === undefined ? null : Array.isArray(r) ? "complete" : r;
  }

  private newPoller(): Poller {
    return new Poller(() => this.pollNow(), { intervalMs: this.config.intervalMs });
  }

  private async run(): Promise<boolean> {
    const now = this.deps.now;
    const rcon = this.rconRetryAt === null || now() >= this.rconRetryAt;
    let snap: Snapshot | null = null;
    let error: string | null = null;
    try {
      snap = await this.deps.poll(this.config, { rcon });
    } catch (e) {
      error = errorText(e);
    }
    // Stopped while the poll was out: its result belongs to nobody.
    if (this.stopped) return false;
    this.lastPollAt = now();
    try {
      if (snap) this.answered(snap, rcon);
      else this.silent(error!);
    } catch (e) {
      this.deps.log(`[servers] ${this.config.name}: ${errorText(e)}`);
    }
    return !!snap;
  }

  private answered(snap: Snapshot, askedRcon: boolean): void {
    const { id } = this.config;
    const { history } = this.deps;
    if (askedRcon && this.config.kind === "source-rcon") this.rconAnswered(snap);
    const prev = this.observed;
    const cur: Observed = { online: true, players: snap.players, maxPlayers: snap.maxPlayers, map: snap.map };
    this.game = snap.game ?? this.game;
    this.snapshot = snap;
    this.failures = 0;
    this.problem = [...snap.problems.filter((p) => !p.startsWith("RCON: ")), ...(this.rconProblem ? [this.rconProblem] : [])].join("; ") || null;
    this.lastOkAt = this.lastPollAt;
    this.observed = cur;
    history.record(id, { online: 1, players: snap.players, max_players: snap.maxPlayers ?? null, bots: snap.bots, map: snap.map ?? null }, this.maxGapMs());
    // A complete roster settles every open session (seen now, or closed); a server that never lists
    // everyone ends sessions once unseen for a while; an unknown roster leaves them as they are.
    let who: { joined: string[]; left: string[] } | null = { joined: [], left: [] };
    if (Array.isArray(snap.roster)) {
      const change = history.reconcile(id, snap.roster);
      who = { joined: change.joined.map((p) => p.name), left: change.left.map((s) => s.name) };
    } else if (snap.roster === "counts-only") {
      history.closeStale(id);
      who = null;
    }
    this.publish(serverEvents(prev, cur, who, this.tag()));
    if (snap.payload !== undefined && this.config.rules?.events.length) this.runRules(snap.payload);
    const ids = Array.isArray(snap.roster) ? snap.roster.flatMap((p) => (p.steamId64 ? [p.steamId64] : [])) : [];
    if (ids.length) void this.deps.steam.refresh(ids);
  }

  /** A refused RCON password backs off; any other answer (or failure) clears the backoff. */
  private rconAnswered(snap: Snapshot): void {
    if (!snap.rconRefused) {
      this.rconRetry.reset();
      this.rconRetryAt = null;
      this.rconProblem = snap.problems.find((p) => p.startsWith("RCON: ")) ?? null;
      return;
    }
    const wait = this.rconRetry.next();
    this.rconRetryAt = this.deps.now() + wait;
    this.rconProblem = `RCON: the server refused the RCON password; not asked again for ${Math.round(wait / 60_000)} min (srcds bans an address after repeated failures): correct rconPassword to retry now`;
    this.deps.log(`[servers] ${this.config.name}: ${this.rconProblem}`);
  }

  private silent(error: string): void {
    const { id } = this.config;
    this.failures++;
    this.problem = error;
    if (this.failures === 1 || this.failures % 10 === 0) this.deps.log(`[servers] ${this.config.name} (${addressOf(this.config)}): ${error}`);
    if (this.failures < OFFLINE_AFTER) return;
    const prev = this.observed;
    // The last known max stays: the meter's scale does not jump while the server is down.
    const cur: Observed = { online: false, players: 0, maxPlayers: prev?.maxPlayers };
    this.observed = cur;
    this.deps.history.record(id, { online: 0, players: 0, max_players: null, bots: 0, map: null }, this.maxGapMs());
    // A server that is down has no one on it: sessions end when they were last seen.
    this.deps.history.closeAll(id);
    this.publish(serverEvents(prev, cur, null, this.tag()));
  }

  /** A json server's own event rules; their problems show in its status. */
  private runRules(payload: unknown): void {
    const tag = this.tag();
    const r = runRules(this.config.rules!.events, payload, this.ruleState, tag.source);
    this.ruleState = r.next;
    if (r.problem) this.problem = r.problem;
    this.publish(r.events.map((e) => ({ ...tag, ...e }) as GameEventInput));
  }

  /**
   * The longest time between two records that still means "seen all along": the poller's planned
   * wait, the poll's own timeout and a second of slack. A longer gap (ledbox was not running)
   * starts a new history row, so the gap is not shown as online.
   */
  private maxGapMs(): number {
    return Math.max(this.poller.plannedMs, this.config.intervalMs) * 1.2 + this.config.timeoutMs + 1000;
  }

  private tag() {
    return { game: this.config.game ?? this.game ?? "generic", source: `server:${this.config.name}`.slice(0, 64) };
  }

  private publish(events: GameEventInput[]): void {
    if (events.length) this.deps.publish(events);
  }
}
