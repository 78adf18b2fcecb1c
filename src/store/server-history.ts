// Server history: run-length snapshots, player sessions and cached Steam profiles.
// Times are wall-clock ms since the epoch (stored records), given by the caller's clock.
import type { Database } from "bun:sqlite";

export interface SnapshotRow {
  id: number;
  server_id: string;
  started_at: number;
  last_seen_at: number;
  online: number;
  players: number;
  max_players: number | null;
  bots: number;
  map: string | null;
}

export interface SessionRow {
  id: number;
  server_id: string;
  player_key: string;
  steam_id: string | null;
  name: string;
  joined_at: number;
  left_at: number | null;
  last_seen_at: number;
  ping_min: number | null;
  ping_max: number | null;
}

export interface ProfileRow {
  steam_id: string;
  name: string;
  avatar: string | null;
  fetched_at: number;
}

export type SnapshotState = Pick<SnapshotRow, "online" | "players" | "max_players" | "bots" | "map">;

export class HistoryRepo {
  constructor(private readonly db: Database) {}

  latest(serverId: string): SnapshotRow | null {
    return this.db.query("SELECT * FROM server_snapshots WHERE server_id = ? ORDER BY last_seen_at DESC, id DESC LIMIT 1").get(serverId) as SnapshotRow | null;
  }

  insertSnapshot(serverId: string, s: SnapshotState, at: number): void {
    this.db.query("INSERT INTO server_snapshots (server_id, started_at, last_seen_at, online, players, max_players, bots, map) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(serverId, at, at, s.online, s.players, s.max_players, s.bots, s.map);
  }

  touchSnapshot(id: number, at: number): void {
    this.db.query("UPDATE server_snapshots SET last_seen_at = ? WHERE id = ?").run(at, id);
  }

  /** Rows still current at or after `since`, oldest first. */
  snapshots(serverId: string, since: number, limit = 1000): SnapshotRow[] {
    return this.db.query("SELECT * FROM server_snapshots WHERE server_id = ? AND last_seen_at >= ? ORDER BY started_at, id LIMIT ?").all(serverId, since, limit) as SnapshotRow[];
  }

  openSessions(serverId: string): SessionRow[] {
    return this.db.query("SELECT * FROM server_sessions WHERE server_id = ? AND left_at IS NULL ORDER BY joined_at").all(serverId) as SessionRow[];
  }

  recentSessions(serverId: string, limit = 50): SessionRow[] {
    return this.db.query("SELECT * FROM server_sessions WHERE server_id = ? AND left_at IS NOT NULL ORDER BY left_at DESC LIMIT ?").all(serverId, limit) as SessionRow[];
  }

  openSession(serverId: string, p: { key: string; name: string; steamId64?: string; ping?: number }, joinedAt: number, at: number): void {
    this.db.query("INSERT INTO server_sessions (server_id, player_key, steam_id, name, joined_at, last_seen_at, ping_min, ping_max) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(serverId, p.key, p.steamId64 ?? null, p.name, joinedAt, at, p.ping ?? null, p.ping ?? null);
  }

  seeSession(id: number, at: number, ping: number | undefined): void {
    this.db.query(`UPDATE server_sessions SET last_seen_at = ?1,
        ping_min = CASE WHEN ?2 IS NULL THEN ping_min ELSE MIN(COALESCE(ping_min, ?2), ?2) END,
        ping_max = CASE WHEN ?2 IS NULL THEN ping_max ELSE MAX(COALESCE(ping_max, ?2), ?2) END WHERE id = ?3`)
      .run(at, ping ?? null, id);
  }

  closeSession(id: number, leftAt: number): void {
    this.db.query("UPDATE server_sessions SET left_at = ? WHERE id = ?").run(leftAt, id);
  }

  /** Deletes snapshots and closed sessions that ended before `cutoff`; returns how many rows went. */
  prune(cutoff: number): number {
    return this.db.transaction(() =>
      this.db.query("DELETE FROM server_snapshots WHERE last_seen_at < ?").run(cutoff).changes +
      this.db.query("DELETE FROM server_sessions WHERE left_at IS NOT NULL AND left_at < ?").run(cutoff).changes)();
  }

  profiles(ids: string[]): ProfileRow[] {
    if (!ids.length) return [];
    return this.db.query(`SELECT * FROM steam_profiles WHERE steam_id IN (${ids.map(() => "?").join(",")})`).all(...ids) as ProfileRow[];
  }

  avatar(steamId: string): { type: string; bytes: Uint8Array } | null {
    return this.db.query("SELECT type, bytes FROM steam_avatars WHERE steam_id = ?").get(steamId) as { type: string; bytes: Uint8Array } | null;
  }

  /** Which of these ids have an avatar fetched at or after `since`. */
  freshAvatars(ids: string[], since: number): Set<string> {
    if (!ids.length) return new Set();
    const rows = this.db.query(`SELECT steam_id FROM steam_avatars WHERE fetched_at >= ? AND steam_id IN (${ids.map(() => "?").join(",")})`).all(since, ...ids) as { steam_id: string }[];
    return new Set(rows.map((r) => r.steam_id));
  }

  saveAvatar(steamId: string, type: string, bytes: Uint8Array, at: number): void {
    this.db.query("INSERT INTO steam_avatars (steam_id, type, bytes, fetched_at) VALUES (?, ?, ?, ?) ON CONFLICT (steam_id) DO UPDATE SET type = excluded.type, bytes = excluded.bytes, fetched_at = excluded.fetched_at")
      .run(steamId, type, bytes, at);
  }

  saveProfiles(rows: ProfileRow[]): void {
    const q = this.db.query("INSERT INTO steam_profiles (steam_id, name, avatar, fetched_at) VALUES (?, ?, ?, ?) ON CONFLICT (steam_id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar, fetched_at = excluded.fetched_at");
    this.db.transaction(() => rows.forEach((r) => q.run(r.steam_id, r.name, r.avatar, r.fetched_at)))();
  }
}
