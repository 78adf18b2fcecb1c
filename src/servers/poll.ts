// One poll of one server, whatever its kind, as a common snapshot.
import { queryA2s } from "./a2s.ts";
import { DEFAULT_PORT, type ServerConfig } from "./config.ts";
import { queryJson } from "./json.ts";
import { queryMinecraft } from "./minecraft.ts";
import { rconCommand } from "./rcon.ts";
import { parseStatus } from "./status.ts";

export interface RosterEntry {
  /** Stable identity: the SteamID64, a Minecraft UUID, else the name. */
  key: string;
  name: string;
  steamId64?: string;
  connectedS?: number;
  ping?: number;
}

export interface Snapshot {
  name?: string;
  map?: string;
  /** For events: the game folder from A2S, "minecraft", or the configured game. */
  game: string;
  /** Humans (bots excluded). */
  players: number;
  maxPlayers?: number;
  bots: number;
  /** Humans with identities; null when the server does not list them all. */
  roster: RosterEntry[] | null;
  latencyMs?: number;
  /** A part of the poll that failed while the server still answered (e.g. a wrong RCON password). */
  problem?: string;
  /** What this kind of server cannot tell (e.g. CS2 has no Steam ids). */
  notes: string[];
  /** json servers: the reply, for their event rules. */
  payload?: unknown;
}

export async function pollServer(s: ServerConfig): Promise<Snapshot> {
  const port = s.port ?? DEFAULT_PORT[s.kind]!;
  const opts = { timeoutMs: s.timeoutMs };
  switch (s.kind) {
    case "minecraft": {
      const m = await queryMinecraft(s.host!, port, opts);
      const complete = m.sample.length === m.online;
      return {
        name: m.motd, game: s.game ?? "minecraft", players: m.online, maxPlayers: m.max, bots: 0, latencyMs: m.latencyMs,
        roster: complete ? m.sample.map((p) => ({ key: p.id || p.name, name: p.name })) : null,
        notes: complete ? [] : ["the server lists only a sample of its players: no sessions"],
      };
    }
    case "json": {
      const j = await queryJson(s.url!, s.rules!, opts);
      if (!j.online) throw new Error("the endpoint reports the server offline");
      return {
        name: j.name, map: j.map, game: s.game ?? "generic", players: j.players, maxPlayers: j.maxPlayers, bots: 0,
        roster: j.names ? j.names.map((n) => ({ key: n, name: n })) : null, notes: [], payload: j.doc,
      };
    }
    default:
      return pollSource(s, port);
  }
}

async function pollSource(s: ServerConfig, port: number): Promise<Snapshot> {
  const rcon = s.kind === "source-rcon";
  const [a2s, status] = await Promise.all([
    queryA2s(s.host!, port, { timeoutMs: s.timeoutMs, players: !rcon }),
    rcon ? rconCommand(s.host!, s.rconPort ?? port, s.rconPassword!, "status", s).then(parseStatus, (e: Error) => e) : null,
  ]);
  const { info } = a2s;
  const humans = Math.max(0, info.players - info.bots);
  // A2S gives names only (blank on stock CS2), keyed by name; it lists bots like humans, so
  // while more are listed than there are humans, no one can say who is who: counts only.
  const named = a2s.players?.filter((p) => p.name) ?? null;
  const roster = named && named.length <= humans ? named.map((p) => ({ key: p.name, name: p.name, connectedS: Math.round(p.durationS) })) : null;
  const snap: Snapshot = {
    name: info.name, map: info.map, game: s.game ?? (info.folder.toLowerCase().replace(/[^a-z0-9_-]/g, "").slice(0, 32) || "generic"),
    players: humans, maxPlayers: info.maxPlayers, bots: info.bots, latencyMs: a2s.latencyMs, roster,
    notes: named && !roster ? ["A2S lists bots like players: counts only while bots are on (use source-rcon for names)"] : [],
  };
  if (status instanceof Error) snap.problem = `RCON: ${status.message}`;
  else if (status) {
    const humans = status.players.filter((p) => !p.bot);
    snap.players = humans.length;
    snap.bots = status.players.length - humans.length;
    snap.map = status.map ?? snap.map;
    snap.roster = humans.map((p) => ({ key: p.steamId64 ?? p.name, name: p.name, steamId64: p.steamId64, connectedS: p.connectedS, ping: p.ping }));
    if (status.variant === "cs2") snap.notes.push("CS2 status has no Steam ids: players are told apart by name");
  }
  return snap;
}
