// Parses the RCON `status` output of L4D2 (SteamID2), TF2 (SteamID3) and CS2 (no Steam ids).
// Layouts: each game's `status` console output; SteamID maths: Valve Developer Community, "SteamID".

export type StatusVariant = "l4d2" | "tf2" | "cs2";

export interface StatusPlayer {
  userId: number;
  name: string;
  /** As printed (STEAM_1:0:N or [U:1:N]); absent for bots and on CS2. */
  uniqueId?: string;
  /** Decimal SteamID64 (a string: it exceeds 2^53). */
  steamId64?: string;
  connectedS?: number;
  ping?: number;
  bot: boolean;
  state: string;
}

export interface ServerStatus {
  variant: StatusVariant;
  hostname?: string;
  map?: string;
  /** The header's counts: L4D2 may say 0 bots while listing one, so the table is counted apart. */
  humans?: number;
  bots?: number;
  /** CS2 prints 0 here: undefined then (take it from A2S). */
  maxPlayers?: number;
  players: StatusPlayer[];
}

const INDIVIDUAL_BASE = 76561197960265728n;

export function steamId2To64(id: string): string | undefined {
  const m = /^STEAM_\d:([01]):(\d+)$/.exec(id);
  return m ? String(INDIVIDUAL_BASE + BigInt(m[2]) * 2n + BigInt(m[1])) : undefined;
}

export function steamId3To64(id: string): string | undefined {
  const m = /^\[U:1:(\d+)\]$/.exec(id);
  return m ? String(INDIVIDUAL_BASE + BigInt(m[1])) : undefined;
}

/** "28:40" or "1:34:14" in seconds. */
export function parseDuration(s: string): number | undefined {
  if (!/^\d+(:\d{1,2}){1,2}$/.test(s)) return undefined;
  return s.split(":").reduce((t, part) => t * 60 + Number(part), 0);
}

// Some consoles prefix lines with "Mon DD HH:MM:SS: ".
const TIMESTAMP = /^[A-Z][a-z]{2} \d{1,2} \d{2}:\d{2}:\d{2}: ?/;
// Source 1 rows: "# userid [slot] "name" uniqueid ...". The name is greedy, so quotes inside it survive.
const SOURCE1_ROW = /^#\s*(\d+)\s+(?:\d+\s+)?"(.*)"\s+(STEAM_\d:[01]:\d+|\[U:1:\d+\]|BOT)\s*(.*)$/;
const SOURCE1_HUMAN_TAIL = /^(\d+(?::\d+){1,2})\s+(\d+)\s+\d+\s+(\S+)/;
// CS2 rows: "%4d %8s %4d %4d %10s %6d [adr] 'name'" (rate and adr may touch: "0unknown").
const CS2_ROW = /^\s*(\d+)\s+(BOT|\[NoChan\]|\d+(?::\d+){1,2})\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\S*(?:\s+\S+)?\s+'(.*)'\s*$/;

export function parseStatus(text: string): ServerStatus {
  const lines = text.split(/\r?\n/).map((l) => l.replace(TIMESTAMP, ""));
  const cs2 = lines.some((l) => /^-+players-+$/.test(l.trim()) || /^\s*id\s+time\s+ping\s+loss\s+state/.test(l));
  const status: ServerStatus = { variant: cs2 ? "cs2" : "tf2", players: [] };
  for (const line of lines) {
    const field = /^([a-z/ ]+?)\s*:\s*(.*)$/.exec(line);
    if (field && !line.startsWith("#")) header(status, field[1], field[2]);
    const p = cs2 ? cs2Row(line) : source1Row(line);
    if (p) status.players.push(p);
    if (cs2 && !status.map) status.map = /spawngroup\(\s*1\)\s*:\s*SV:\s*\[1:\s*([^\s|\]]+)/.exec(line)?.[1];
  }
  if (!cs2 && (status.players.some((p) => p.uniqueId?.startsWith("STEAM_")) || /#end|hibernating/.test(text))) status.variant = "l4d2";
  return status;
}

function header(s: ServerStatus, key: string, value: string): void {
  if (key === "hostname") s.hostname = value.trim();
  else if (key === "map") s.map = value.trim().split(/\s+/)[0] || undefined;
  else if (key === "players") {
    const m = /(\d+)\s+humans?,\s*(\d+)\s+bots?\s*\((\d+)\s+max\)/.exec(value);
    if (m) {
      s.humans = Number(m[1]);
      s.bots = Number(m[2]);
      s.maxPlayers = Number(m[3]) || undefined;
    }
  }
}

function source1Row(line: string): StatusPlayer | null {
  const m = SOURCE1_ROW.exec(line);
  if (!m) return null;
  const [, userId, name, uniqueId, tail] = m;
  if (uniqueId === "BOT") return { userId: Number(userId), name, bot: true, state: tail.trim().split(/\s+/)[0] || "active" };
  const t = SOURCE1_HUMAN_TAIL.exec(tail.trim());
  return {
    userId: Number(userId), name, uniqueId, bot: false,
    steamId64: uniqueId.startsWith("STEAM_") ? steamId2To64(uniqueId) : steamId3To64(uniqueId),
    connectedS: t ? parseDuration(t[1]) : undefined,
    ping: t ? Number(t[2]) : undefined,
    state: t?.[3] ?? "active",
  };
}

function cs2Row(line: string): StatusPlayer | null {
  const m = CS2_ROW.exec(line);
  // The id-65535 "[NoChan]" row is a placeholder, not a player.
  if (!m || m[2] === "[NoChan]" || m[1] === "65535") return null;
  const bot = m[2] === "BOT";
  return { userId: Number(m[1]), name: m[7], bot, connectedS: bot ? undefined : parseDuration(m[2]), ping: Number(m[3]), state: m[5] };
}
