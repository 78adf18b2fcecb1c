// The SQLite database: WAL for crash safety, versioned migrations applied in order.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const MIGRATIONS: string[] = [
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
];

export function openDatabase(dataDir: string, file = "ledbox.db"): Database {
  if (dataDir !== ":memory:") mkdirSync(dataDir, { recursive: true });
  const db = new Database(dataDir === ":memory:" ? ":memory:" : join(dataDir, file), { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 2000;");
  migrate(db);
  return db;
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
