// The game-server service: the configured servers, one poller per enabled server, and what the
// API shows of them (status, players, history). A poll is async network I/O and a few small
// SQLite writes, so it never holds up a frame; one server's failure stays its own.
import type { GameEventInput } from "../events/schema.ts";
import type { SessionRow } from "../store/server-history.ts";
import type { ServerCatalog, ServerView, ServerWithId } from "./catalog.ts";
import { addressOf, type ServerConfig } from "./config.ts";
import type { History } from "./history.ts";
import { pollServer, type PollOptions, type Snapshot } from "./poll.ts";
import { PolledServer } from "./polled.ts";
import type { SteamOptions, SteamProfiles } from "./steam.ts";
import { notFound } from "../util/errors.ts";

const PRUNE_EVERY_MS = 3_600_000;

export interface ServersDeps {
  catalog: ServerCatalog;
  history: History;
  steam: SteamProfiles;
  publish: (events: GameEventInput[]) => void;
  log: (msg: string) => void;
  now?: () => number;
  poll?: (s: ServerConfig, opts: PollOptions) => Promise<Snapshot>;
}

/** What reaching the server depends on: a change here starts its polling over. */
const connectionOf = (c: ServerConfig) => JSON.stringify([c.kind, c.host, c.port, c.rconPort, c.rconPassword, c.url, c.rules]);

export class ServersService {
  private readonly polled = new Map<string, PolledServer>();
  private pruneTimer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  private readonly poll: (s: ServerConfig, opts: PollOptions) => Promise<Snapshot>;

  constructor(private readonly deps: ServersDeps) {
    this.now = deps.now ?? Date.now;
    this.poll = deps.poll ?? pollServer;
  }

  /** Polls finished since start, all servers together (for benchmarks). */
  polls = 0;

  list(): (ServerView & { state: string })[] {
    return this.deps.catalog.list().map((r) => ({ ...r, state: this.stateOf(r) }));
  }

  get(id: string): ServerView {
    return this.deps.catalog.get(id);
  }

  create(body: unknown): ServerView {
    const rec = this.deps.catalog.create(body);
    this.follow(rec.id);
    return rec;
  }

  /** Merges a partial body into the server's config. */
  update(id: string, body: unknown): ServerView {
    const rec = this.deps.catalog.update(id, body);
    this.follow(id);
    return rec;
  }

  remove(id: string): void {
    this.deps.catalog.remove(id);
    this.follow(id);
  }

  /** Steam enrichment options as reads show them: the key never, whether one is set. */
  options() {
    const { apiKey, ...steam } = this.deps.catalog.steamOptions();
    return { steam: { ...steam, hasApiKey: !!apiKey, lastProblem: this.deps.steam.lastProblem } };
  }

  /** A player's Steam avatar as the device keeps it. */
  avatar(steamId: string): { type: string; bytes: Uint8Array } {
    return this.deps.steam.avatar(steamId) ?? notFound(`no avatar for ${steamId}`);
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

  /** Polls one server now (or joins the poll under way): never two at once. */
  pollNow(id: string): Promise<boolean> {
    return this.polled.get(id)?.pollNow() ?? Promise.resolve(false);
  }

  status(id: string) {
    const c = this.deps.catalog.get(id);
    const p = this.polled.get(id);
    const fresh = !!p?.lastOkAt && this.now() - p.lastOkAt <= 2 * c.intervalMs + c.timeoutMs;
    const s = p?.snapshot;
    return {
      id, name: c.name, kind: c.kind, address: addressOf(c), enabled: c.enabled,
      state: this.stateOf(c),
      fresh,
      problem: p?.problem ?? null,
      failures: p?.failures ?? 0,
      lastPollAt: iso(p?.lastPollAt), lastOkAt: iso(p?.lastOkAt),
      server: s ? {
        name: s.name ?? null, map: s.map ?? null, game: s.game ?? null, players: s.players, maxPlayers: s.maxPlayers ?? null, bots: s.bots,
        roster: p!.roster, version: s.version ?? null, protocol: s.protocol ?? null,
        latencyMs: s.latencyMs === undefined ? null : Math.round(s.latencyMs * 10) / 10,
      } : null,
      notes: s?.notes ?? [],
    };
  }

  private stateOf(c: ServerView): string {
    const observed = this.polled.get(c.id)?.observed;
    return !c.enabled ? "disabled" : !observed ? "unknown" : observed.online ? "online" : "offline";
  }

  /** Current and recent players; `roster` says whether the current list is known right now. */
  players(id: string) {
    this.deps.catalog.get(id);
    const repo = this.deps.history.repo;
    const current = repo.openSessions(id);
    const recent = repo.recentSessions(id, 50);
    const profiles = this.deps.steam.lookup([...current, ...recent].flatMap((s) => (s.steam_id ? [s.steam_id] : [])));
    const view = (s: SessionRow) => ({
      name: s.name, steamId64: s.steam_id, joinedAt: iso(s.joined_at), leftAt: iso(s.left_at), lastSeenAt: iso(s.last_seen_at),
      connectedS: Math.round(((s.left_at ?? s.last_seen_at) - s.joined_at) / 1000), pingMin: s.ping_min, pingMax: s.ping_max,
      profile: s.steam_id && profiles.has(s.steam_id) ? { name: profiles.get(s.steam_id)!.name, avatar: this.deps.steam.avatar(s.steam_id) ? `/api/v1/servers/steam/avatars/${s.steam_id}` : null } : null,
    });
    return { roster: this.polled.get(id)?.roster ?? null, current: current.map(view), recent: recent.map(view) };
  }

  history(id: string, since: number) {
    this.deps.catalog.get(id);
    return this.deps.history.repo.snapshots(id, since).map((r) => ({
      from: iso(r.started_at), to: iso(r.last_seen_at), online: r.online === 1, players: r.players, maxPlayers: r.max_players, bots: r.bots, map: r.map,
    }));
  }

  /**
   * After a server was created, changed or deleted. A change that keeps the connection (a new
   * name, game or interval) keeps what its polls have shown; anything else starts it over.
   */
  private follow(id: string): void {
    const c = this.deps.catalog.config(id);
    const p = this.polled.get(id);
    if (p && c?.enabled && connectionOf(c) === connectionOf(p.config)) return p.reconfigure(c);
    this.drop(id);
    if (c) this.add(c);
  }

  private add(config: ServerWithId): void {
    if (!config.enabled) return;
    const { history, steam, publish, log } = this.deps;
    const p = new PolledServer(config, {
      history, steam, publish, log, now: this.now,
      poll: (s, opts) => this.poll(s, opts).finally(() => this.polls++),
    });
    this.polled.set(config.id, p);
    p.start();
  }

  private drop(id: string): void {
    this.polled.get(id)?.stop();
    this.polled.delete(id);
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
