// The SQLite database: WAL for crash safety, versioned migrations applied in order.
import { Database } from "bun:sqlite";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

export const MIGRATIONS: string[] = [
  // 1: settings, mappings, admin credential, sessions and API tokens
  `CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE mappings (id TEXT PRIMARY KEY, json TEXT NOT NULL, preset TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE admin (id INTEGER PRIMARY KEY CHECK (id = 1), password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);`,
  // 2: the base (ambient) layer survives restarts
  `CREATE TABLE scene_base (segment TEXT PRIMARY KEY, json TEXT NOT NULL);`,
  // 3: game integrations (adapter config as JSON; the token is the integration's own secret)
  `CREATE TABLE integrations (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL, enabled INTEGER NOT NULL,
     config TEXT NOT NULL, token TEXT NOT NULL, preset TEXT, record INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);`,
  // game servers (RCON password apart from the JSON so reads never carry it), run-length
  // history, player sessions, cached Steam profiles, server options (Steam enrichment)
  `CREATE TABLE servers (id TEXT PRIMARY KEY, json TEXT NOT NULL, rcon_password TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE server_snapshots (id INTEGER PRIMARY KEY, server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
     started_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, online INTEGER NOT NULL, players INTEGER NOT NULL,
     max_players INTEGER, bots INTEGER NOT NULL, map TEXT);
   CREATE INDEX ix_server_snapshots_recent ON server_snapshots (server_id, last_seen_at);
   CREATE INDEX ix_server_snapshots_prune ON server_snapshots (last_seen_at);
   CREATE TABLE server_sessions (id INTEGER PRIMARY KEY, server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
     player_key TEXT NOT NULL, steam_id TEXT, name TEXT NOT NULL, joined_at INTEGER NOT NULL, left_at INTEGER,
     last_seen_at INTEGER NOT NULL, ping_min INTEGER, ping_max INTEGER);
   CREATE INDEX ix_server_sessions_open ON server_sessions (server_id, left_at);
   CREATE INDEX ix_server_sessions_prune ON server_sessions (left_at);
   CREATE TABLE steam_profiles (steam_id TEXT PRIMARY KEY, name TEXT NOT NULL, avatar TEXT, fetched_at INTEGER NOT NULL);
   CREATE TABLE server_options (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);`,
  // what each integration's adapter remembers between payloads (its state and the ids of the
  // triggers it fired), so a restart neither forgets nor repeats what it has seen
  `CREATE TABLE adapter_state (integration_id TEXT PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
     type TEXT NOT NULL, json TEXT NOT NULL, saved_at INTEGER NOT NULL);`,
  // match schedules: sources (config as JSON), their imported matches keyed by (source, external
  // id) with times in UTC ms, and the last time the schedule service saw a trusted clock
  `CREATE TABLE schedule_sources (id TEXT PRIMARY KEY, json TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE schedule_matches (source_id TEXT NOT NULL REFERENCES schedule_sources(id) ON DELETE CASCADE, external_id TEXT NOT NULL,
     title TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER, players TEXT NOT NULL, mine INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (source_id, external_id));
   CREATE INDEX ix_schedule_matches_start ON schedule_matches (start_at);
   CREATE TABLE schedule_clock (id INTEGER PRIMARY KEY CHECK (id = 1), last_seen_at INTEGER NOT NULL);`,
  // Steam avatars kept on the device: the page shows them without reaching outside the LAN
  `CREATE TABLE steam_avatars (steam_id TEXT PRIMARY KEY, type TEXT NOT NULL, bytes BLOB NOT NULL, fetched_at INTEGER NOT NULL);`,
];

export const DB_FILE = "ledbox.db";
/** How many pre-migration copies are kept beside the database (the oldest go first). */
export const MIGRATION_BACKUPS_KEPT = 3;

export function openDatabase(dataDir: string, file = DB_FILE): Database {
  if (dataDir !== ":memory:") mkdirSync(dataDir, { recursive: true });
  const db = new Database(dataDir === ":memory:" ? ":memory:" : join(dataDir, file), { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 2000;");
  if (dataDir !== ":memory:") backupBeforeMigration(db, dataDir, file);
  migrate(db);
  return db;
}

/**
 * Migrations run forward only, so before they change an existing database a copy of it is taken
 * (`<file>.before-migration-<time>-v<schema>`): an update that goes wrong can go back to the
 * previous ledbox with the data as that version left it.
 */
function backupBeforeMigration(db: Database, dataDir: string, file: string): void {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (current === 0 || current >= MIGRATIONS.length) return;
  const prefix = `${file}.before-migration-`;
  db.query("VACUUM INTO ?").run(join(dataDir, `${prefix}${new Date().toISOString().replace(/[:.]/g, "-")}-v${current}`));
  const kept = readdirSync(dataDir).filter((n) => n.startsWith(prefix)).sort();
  for (const old of kept.slice(0, -MIGRATION_BACKUPS_KEPT)) rmSync(join(dataDir, old), { force: true });
}

export function migrate(db: Database): number {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}

export const nowIso = () => new Date().toISOString();
