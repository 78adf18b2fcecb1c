// The game-server service: one poller per enabled server; each poll's result goes to the history,
// the sessions, the bus (as events) and the status the API shows. A poll is async network I/O and
// a few small SQLite writes, so it never holds up a frame; one server's failure stays its own.
import type { GameEventInput } from "../events/schema.ts";
import { runRules, type RuleState } from "../games/rules.ts";
import type { SessionRow } from "../store/server-history.ts";
import type { ServerCatalog, ServerView, ServerWithId } from "./catalog.ts";
import { addressOf, type ServerConfig } from "./config.ts";
import { serverEvents, type Observed } from "./events.ts";
import type { History } from "./history.ts";
import { pollServer, type Snapshot } from "./poll.ts";
import { Poller } from "./scheduler.ts";
import type { SteamOptions, SteamProfiles } from "./steam.ts";

/** Failures in a row before an online server counts as offline (one lost UDP reply is not an outage). */
export const OFFLINE_AFTER = 2;
const PRUNE_EVERY_MS = 3_600_000;

/** A server being polled, and what its polls have shown. */
interface PolledServer {
  config: ServerWithId;
  poller: Poller;
  inFlight: Promise<boolean> | null;
  observed: Observed | null;
  snapshot: Snapshot | null;
  problem: string | null;
  failures: number;
  lastPollAt: number | null;
  lastOkAt: number | null;
  /** json servers: the rule engine's memory of the last reply. */
  ruleState?: RuleState;
}

export interface ServersDeps {
  catalog: ServerCatalog;
  history: History;
  steam: SteamProfiles;
  publish: (events: GameEventInput[]) => void;
  log: (msg: string) => void;
  now?: () => number;
  poll?: (s: ServerConfig) => Promise<Snapshot>;
}

export class ServersService {
  private readonly polled = new Map<string, PolledServer>();
  private pruneTimer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  private readonly poll: (s: ServerConfig) => Promise<Snapshot>;
  polls = 0;

  constructor(private readonly deps: ServersDeps) {
    this.now = deps.now ?? Date.now;
    this.poll = deps.poll ?? pollServer;
  }

  list(): (ServerView & { state: string })[] {
    return this.deps.catalog.list().map((r) => ({ ...r, state: this.stateOf(r) }));
  }

  get(id: string): ServerView {
    return this.deps.catalog.get(id);
  }

  create(body: unknown): ServerView {
    const rec = this.deps.catalog.create(body);
    this.reload(rec.id);
    return rec;
  }

  update(id: string, body: unknown): ServerView {
    const rec = this.deps.catalog.update(id, body);
    this.reload(id);
    return rec;
  }

  remove(id: string): void {
    this.deps.catalog.remove(id);
    this.reload(id);
  }

  /** Steam enrichment options as reads show them: the key never, whether one is set. */
  options() {
    const { apiKey, ...steam } = this.deps.catalog.steamOptions();
    return { steam: { ...steam, hasApiKey: !!apiKey, lastProblem: this.deps.steam.lastProblem } };
  }

  updateOptions(body: unknown) {
    this.deps.catalog.updateOptions(body);
    return this.options();
  }

  steamOptions(): SteamOptions {
    return this.deps.catalog.steamOptions();
  }

  start(): void {
    for (const c of this.deps.catalog.configs()) this.add(c);
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.pruneTimer);
    for (const id of [...this.polled.keys()]) this.drop(id);
  }

  /** After a server was created, changed or deleted: its poller restarts with the stored config. */
  reload(id: string): void {
    this.drop(id);
    const c = this.deps.catalog.config(id);
    if (c) this.add(c);
  }

  /** Polls one server now (or joins the poll under way): never two at once. */
  pollNow(id: string): Promise<boolean> {
    const u = this.polled.get(id);
    if (!u) return Promise.resolve(false);
    u.inFlight ??= this.runPoll(u).finally(() => (u.inFlight = null));
    return u.inFlight;
  }

  status(id: string) {
    const c = this.deps.catalog.get(id);
    const u = this.polled.get(id);
    const at = this.now();
    const fresh = !!u?.lastOkAt && at - u.lastOkAt <= 2 * c.intervalMs + c.timeoutMs;
    const s = u?.snapshot;
    return {
      id, name: c.name, kind: c.kind, address: addressOf(c), enabled: c.enabled,
      state: this.stateOf(c),
      fresh,
      problem: u?.problem ?? null,
      failures: u?.failures ?? 0,
      lastPollAt: iso(u?.lastPollAt), lastOkAt: iso(u?.lastOkAt),
      server: s ? { name: s.name ?? null, map: s.map ?? null, game: s.game, players: s.players, maxPlayers: s.maxPlayers ?? null, bots: s.bots, latencyMs: s.latencyMs === undefined ? null : Math.round(s.latencyMs * 10) / 10 } : null,
      notes: s?.notes ?? [],
    };
  }

  private stateOf(c: ServerView): string {
    const observed = this.polled.get(c.id)?.observed;
    return !c.enabled ? "disabled" : !observed ? "unknown" : observed.online ? "online" : "offline";
  }

  players(id: string) {
    this.deps.catalog.get(id);
    const repo = this.deps.history.repo;
    const current = repo.openSessions(id);
    const recent = repo.recentSessions(id, 50);
    const profiles = this.deps.steam.lookup([...current, ...recent].flatMap((s) => (s.steam_id ? [s.steam_id] : [])));
    const view = (s: SessionRow) => ({
      name: s.name, steamId64: s.steam_id, joinedAt: iso(s.joined_at), leftAt: iso(s.left_at), lastSeenAt: iso(s.last_seen_at),
      connectedS: Math.round(((s.left_at ?? s.last_seen_at) - s.joined_at) / 1000), pingMin: s.ping_min, pingMax: s.ping_max,
      profile: s.steam_id && profiles.has(s.steam_id) ? { name: profiles.get(s.steam_id)!.name, avatar: profiles.get(s.steam_id)!.avatar } : null,
    });
    return { current: current.map(view), recent: recent.map(view) };
  }

  history(id: string, since: number) {
    this.deps.catalog.get(id);
    return this.deps.history.repo.snapshots(id, since).map((r) => ({
      from: iso(r.started_at), to: iso(r.last_seen_at), online: r.online === 1, players: r.players, maxPlayers: r.max_players, bots: r.bots, map: r.map,
    }));
  }

  private add(config: ServerWithId): void {
    if (!config.enabled) return;
    const polled: PolledServer = { config, inFlight: null, observed: null, snapshot: null, problem: null, failures: 0, lastPollAt: null, lastOkAt: null, poller: null as never };
    polled.poller = new Poller(() => this.pollNow(config.id), { intervalMs: config.intervalMs });
    this.polled.set(config.id, polled);
    polled.poller.start();
  }

  private drop(id: string): void {
    this.polled.get(id)?.poller.stop();
    this.polled.delete(id);
  }

  private async runPoll(u: PolledServer): Promise<boolean> {
    let snap: Snapshot | null = null;
    let error: string | null = null;
    try {
      snap = await this.poll(u.config);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    // Removed or stopped while the poll was out: its result belongs to nobody.
    if (this.polled.get(u.config.id) !== u) return false;
    this.polls++;
    u.lastPollAt = this.now();
    try {
      if (snap) this.answered(u, snap);
      else this.silent(u, error!);
    } catch (e) {
      this.deps.log(`[servers] ${u.config.name}: ${(e as Error).message}`);
    }
    return !!snap;
  }

  private answered(u: PolledServer, snap: Snapshot): void {
    const { id } = u.config;
    const { history } = this.deps;
    const prev = u.observed;
    const cur: Observed = { online: true, players: snap.players, maxPlayers: snap.maxPlayers, map: snap.map };
    u.snapshot = snap;
    u.failures = 0;
    u.problem = snap.problem ?? null;
    u.lastOkAt = u.lastPollAt;
    u.observed = cur;
    history.record(id, { online: 1, players: snap.players, max_players: snap.maxPlayers ?? null, bots: snap.bots, map: snap.map ?? null });
    // A complete roster settles every open session (seen now, or closed); without one, sessions end once unseen for a while.
    const change = snap.roster ? history.reconcile(id, snap.roster) : null;
    if (!change) history.closeStale(id);
    const who = change ? { joined: change.joined.map((p) => p.name), left: change.left.map((s) => s.name) } : null;
    this.publish(serverEvents(prev, cur, who, this.tag(u)));
    if (snap.payload !== undefined && u.config.rules?.events.length) this.runRules(u, snap.payload);
    const ids = snap.roster?.flatMap((p) => (p.steamId64 ? [p.steamId64] : [])) ?? [];
    if (ids.length) void this.deps.steam.refresh(ids);
  }

  private silent(u: PolledServer, error: string): void {
    u.failures++;
    u.problem = error;
    if (u.failures === 1 || u.failures % 10 === 0) this.deps.log(`[servers] ${u.config.name} (${addressOf(u.config)}): ${error}`);
    this.deps.history.closeStale(u.config.id);
    if (u.failures < OFFLINE_AFTER) return;
    const prev = u.observed;
    const cur: Observed = { online: false, players: 0 };
    u.observed = cur;
    this.deps.history.record(u.config.id, { online: 0, players: 0, max_players: null, bots: 0, map: null });
    this.publish(serverEvents(prev, cur, null, this.tag(u)));
  }

  /** A json server's own event rules; their problems show in its status. */
  private runRules(u: PolledServer, payload: unknown): void {
    const tag = this.tag(u);
    const r = runRules(u.config.rules!.events, payload, u.ruleState, tag.source);
    u.ruleState = r.next;
    if (r.problem) u.problem = r.problem;
    this.publish(r.events.map((e) => ({ ...tag, ...e }) as GameEventInput));
  }

  private tag(u: PolledServer) {
    return { game: u.config.game ?? u.snapshot?.game ?? "generic", source: `server:${u.config.name}`.slice(0, 64) };
  }

  private publish(events: GameEventInput[]): void {
    if (events.length) this.deps.publish(events);
  }

  private prune(): void {
    try {
      const n = this.deps.history.prune();
      if (n) this.deps.log(`[servers] pruned ${n} history rows older than ${this.deps.history.opts.retentionDays} days`);
    } catch (e) {
      this.deps.log(`[servers] pruning failed: ${(e as Error).message}`);
    }
  }
}

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());
