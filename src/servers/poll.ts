// One poll of one server, whatever its kind, as a common snapshot.
import { queryA2s, type A2sResult } from "./a2s.ts";
import { DEFAULT_PORT, type ServerConfig } from "./config.ts";
import { queryJson } from "./json.ts";
import { queryMinecraft } from "./minecraft.ts";
import { RconAuthError, rconCommand } from "./rcon.ts";
import { parseStatus, type ServerStatus } from "./status.ts";

export interface RosterEntry {
  /** Stable identity: the SteamID64, a Minecraft UUID, else the name. */
  key: string;
  name: string;
  steamId64?: string;
  connectedS?: number;
  ping?: number;
}

/**
 * Who is on the server: the players by identity, "counts-only" for a server that never lists
 * everyone (sessions then end when unseen for a while), or "unknown" when the list could not be
 * read this time (a refused RCON password, an unanswered player query): sessions stay as they
 * were, and no one is said to have joined or left.
 */
export type Roster = RosterEntry[] | "counts-only" | "unknown";

export interface Snapshot {
  name?: string;
  map?: string;
  /** For events: the game folder from A2S, "minecraft", or the configured game; absent when this poll could not tell. */
  game?: string;
  /** Humans (bots excluded). */
  players: number;
  maxPlayers?: number;
  bots: number;
  roster: Roster;
  latencyMs?: number;
  version?: string;
  /** Minecraft's protocol number. */
  protocol?: number;
  /** Parts of the poll that failed while the server still answered (e.g. a wrong RCON password). */
  problems: string[];
  /** The server refused the RCON password (the service backs off: srcds bans after repeated failures). */
  rconRefused?: boolean;
  /** What this kind of server cannot tell (e.g. CS2 has no Steam ids). */
  notes: string[];
  /** json servers: the reply, for their event rules. */
  payload?: unknown;
}

export interface PollOptions {
  /** source-rcon: whether to ask RCON this time (false while backing off after a refused password). */
  rcon: boolean;
}

export async function pollServer(s: ServerConfig, opts: PollOptions = { rcon: true }): Promise<Snapshot> {
  const port = s.port ?? DEFAULT_PORT[s.kind]!;
  switch (s.kind) {
    case "minecraft": {
      const m = await queryMinecraft(s.host!, port, { timeoutMs: s.timeoutMs });
      const complete = m.sample.length === m.online;
      return {
        name: m.motd, game: s.game ?? "minecraft", players: m.online, maxPlayers: m.max, bots: 0, latencyMs: m.latencyMs,
        version: m.version, protocol: m.protocol,
        roster: complete ? m.sample.map((p) => ({ key: p.id || p.name, name: p.name })) : "counts-only",
        problems: [], notes: complete ? [] : ["the server lists only a sample of its players: no sessions"],
      };
    }
    case "json": {
      const j = await queryJson(s.url!, s.rules!, { timeoutMs: s.timeoutMs });
      if (!j.online) throw new Error("the endpoint reports the server offline");
      return {
        name: j.name, map: j.map, game: s.game ?? "generic", players: j.players, maxPlayers: j.maxPlayers, bots: 0,
        roster: j.names ? j.names.map((n) => ({ key: n, name: n })) : "counts-only", problems: [], notes: [], payload: j.doc,
      };
    }
    default:
      return pollSource(s, port, opts);
  }
}

/**
 * A2S for the server's figures, and for source-rcon RCON `status` for who is on. Either may
 * answer alone: A2S without RCON keeps its figures (players unknown), RCON without A2S (A2S
 * filtered or off) gives name, map and players from `status`. Only when neither answers does the
 * poll fail.
 */
async function pollSource(s: ServerConfig, port: number, opts: PollOptions): Promise<Snapshot> {
  const rcon = s.kind === "source-rcon";
  const [a2s, status] = await Promise.all([
    queryA2s(s.host!, port, { timeoutMs: s.timeoutMs, players: !rcon }).catch((e: Error) => e),
    rcon && opts.rcon ? rconCommand(s.host!, s.rconPort ?? port, s.rconPassword!, "status", s).then(parseStatus, (e: Error) => e) : null,
  ]);
  const rconOk = status !== null && !(status instanceof Error);
  if (a2s instanceof Error && !rconOk) throw status instanceof Error ? new Error(`${a2s.message}; RCON: ${status.message}`) : a2s;
  const snap: Snapshot = { players: 0, bots: 0, roster: "unknown", problems: [], notes: [], game: s.game };
  if (a2s instanceof Error) snap.problems.push(`A2S: ${a2s.message} (name, map and players come from RCON status)`);
  else fromA2s(snap, a2s, !rcon);
  if (status instanceof Error) {
    snap.problems.push(`RCON: ${status.message}`);
    snap.rconRefused = status instanceof RconAuthError;
  } else if (status) fromStatus(snap, status, a2s instanceof Error);
  return snap;
}

function fromA2s(snap: Snapshot, a2s: A2sResult, rosterFromA2s: boolean): void {
  const { info } = a2s;
  const humans = Math.max(0, info.players - info.bots);
  Object.assign(snap, {
    name: info.name, map: info.map, players: humans, maxPlayers: info.maxPlayers, bots: info.bots, latencyMs: a2s.latencyMs, version: info.version || undefined,
    game: snap.game ?? (info.folder.toLowerCase().replace(/[^a-z0-9_-]/g, "").slice(0, 32) || "generic"),
  });
  if (!rosterFromA2s) return;
  if (a2s.playersProblem) {
    snap.problems.push(a2s.playersProblem);
    return;
  }
  // A2S gives names only (blank on stock CS2), keyed by name; it lists bots like humans, so
  // while more are listed than there are humans, no one can say who is who: counts only.
  const named = a2s.players?.filter((p) => p.name) ?? [];
  if (named.length <= humans) snap.roster = named.map((p) => ({ key: p.name, name: p.name, connectedS: Math.round(p.durationS) }));
  else {
    snap.roster = "counts-only";
    snap.notes.push("A2S lists bots like players: counts only while bots are on (use source-rcon for names)");
  }
}

function fromStatus(snap: Snapshot, status: ServerStatus, alone: boolean): void {
  const humans = status.players.filter((p) => !p.bot);
  snap.players = humans.length;
  snap.bots = status.players.length - humans.length;
  snap.map = status.map ?? snap.map;
  snap.roster = humans.map((p) => ({ key: p.steamId64 ?? p.name, name: p.name, steamId64: p.steamId64, connectedS: p.connectedS, ping: p.ping }));
  if (alone) {
    snap.name = status.hostname;
    snap.maxPlayers = status.maxPlayers;
  }
  if (status.variant === "cs2") snap.notes.push("CS2 status has no Steam ids: players are told apart by name");
}
