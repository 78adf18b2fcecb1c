// Match schedules: the sources (config as JSON, its meaning is the schedule service's), their
// imported matches keyed by (source, external id), and the last trusted time the service saw.
// Times are wall-clock ms since the epoch in UTC, given by the caller's clock.
import type { Database } from "bun:sqlite";
import { parseJson } from "../util/json.ts";
import { nowIso } from "./db.ts";

export interface StoredSource {
  id: string;
  /** The config as stored; undefined when its JSON is damaged. */
  config: unknown;
  createdAt: string;
  updatedAt: string;
}

/** One match as a source describes it. */
export interface MatchData {
  externalId: string;
  title: string;
  startAt: number;
  endAt: number | null;
  players: string[];
  mine: boolean;
}

export type StoredMatch = MatchData & { sourceId: string };

interface SourceRow {
  id: string;
  json: string;
  created_at: string;
  updated_at: string;
}

interface MatchRow {
  source_id: string;
  external_id: string;
  title: string;
  start_at: number;
  end_at: number | null;
  players: string;
  mine: number;
}

export class SchedulesRepo {
  constructor(private readonly db: Database) {}

  rows(): StoredSource[] {
    return (this.db.query("SELECT * FROM schedule_sources ORDER BY created_at, rowid").all() as SourceRow[]).map(toSource);
  }

  row(id: string): StoredSource | null {
    const r = this.db.query("SELECT * FROM schedule_sources WHERE id = ?").get(id) as SourceRow | null;
    return r ? toSource(r) : null;
  }

  create(config: object): string {
    const id = crypto.randomUUID();
    const at = nowIso();
    this.db.query("INSERT INTO schedule_sources (id, json, created_at, updated_at) VALUES (?, ?, ?, ?)").run(id, JSON.stringify(config), at, at);
    return id;
  }

  update(id: string, config: object): boolean {
    return this.db.query("UPDATE schedule_sources SET json = ?, updated_at = ? WHERE id = ?").run(JSON.stringify(config), nowIso(), id).changes > 0;
  }

  /** Deletes the source and (by cascade) its matches. */
  delete(id: string): boolean {
    return this.db.query("DELETE FROM schedule_sources WHERE id = ?").run(id).changes > 0;
  }

  matches(sourceId: string): StoredMatch[] {
    return (this.db.query("SELECT * FROM schedule_matches WHERE source_id = ? ORDER BY start_at").all(sourceId) as MatchRow[]).map(toMatch);
  }

  /** Writes new and changed matches and deletes gone ones, in one transaction. */
  applyChanges(sourceId: string, put: MatchData[], remove: string[], at: number): void {
    const upsert = this.db.query(`INSERT INTO schedule_matches (source_id, external_id, title, start_at, end_at, players, mine, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id, external_id) DO UPDATE SET title = excluded.title, start_at = excluded.start_at,
      end_at = excluded.end_at, players = excluded.players, mine = excluded.mine, updated_at = excluded.updated_at`);
    const del = this.db.query("DELETE FROM schedule_matches WHERE source_id = ? AND external_id = ?");
    this.db.transaction(() => {
      for (const m of put) upsert.run(sourceId, m.externalId, m.title, m.startAt, m.endAt, JSON.stringify(m.players), m.mine ? 1 : 0, at);
      for (const id of remove) del.run(sourceId, id);
    })();
  }

  /** Matches of the given sources under way in [from, to] (a match without an end counts at its start), soonest first. */
  matchesBetween(sourceIds: string[], from: number, to: number, mineOnly: boolean, limit: number): StoredMatch[] {
    if (!sourceIds.length) return [];
    return (this.db.query(`SELECT * FROM schedule_matches WHERE source_id IN (${sourceIds.map(() => "?").join(",")})
        AND start_at <= ? AND COALESCE(end_at, start_at) >= ? ${mineOnly ? "AND mine = 1" : ""} ORDER BY start_at, source_id, external_id LIMIT ?`)
      .all(...sourceIds, to, from, limit) as MatchRow[]).map(toMatch);
  }

  lastSeen(): number | null {
    return (this.db.query("SELECT last_seen_at FROM schedule_clock WHERE id = 1").get() as { last_seen_at: number } | null)?.last_seen_at ?? null;
  }

  saveLastSeen(at: number): void {
    this.db.query("INSERT INTO schedule_clock (id, last_seen_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at").run(at);
  }
}

const toSource = (r: SourceRow): StoredSource => ({ id: r.id, config: parseJson(r.json), createdAt: r.created_at, updatedAt: r.updated_at });

const toMatch = (r: MatchRow): StoredMatch => ({
  sourceId: r.source_id, externalId: r.external_id, title: r.title, startAt: r.start_at, endAt: r.end_at,
  players: (parseJson(r.players) as string[] | undefined) ?? [], mine: r.mine === 1,
});
