// The SQLite database: WAL for crash safety, versioned migrations applied in order, private to
// its user (0600), checked on every start.
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errorText } from "../util/errors.ts";

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

/** What opening the database has to tell: the health page and the log show both. */
export interface OpenReport {
  /** Something that happened and is over (a damaged database set aside). */
  note(msg: string): void;
  /** A standing problem: the database is only in memory. */
  inMemory(why: string): void;
}

const SILENT: OpenReport = { note: () => {}, inMemory: () => {} };

/** A database SQLite opened but that holds no usable ledbox data. */
class Damaged extends Error {}

/**
 * Opens <dataDir>/ledbox.db (":memory:" for tests), migrated to the latest version. A file that
 * cannot be read as a database, fails PRAGMA quick_check or holds no ledbox data (an empty file
 * is not a new device) is renamed aside with a timestamp and a fresh database started, said in
 * the report. When the storage cannot be written (a full disk), ledbox runs from a copy in
 * memory of what is stored and the report says so; a database that needs no write opens as
 * usual, and its writes fail with "the storage is full" until there is room again.
 */
export function openDatabase(dataDir: string, report: OpenReport = SILENT): Database {
  if (dataDir === ":memory:") return migrated(new Database(":memory:", { strict: true }));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return openFile(join(dataDir, DB_FILE), report, true);
}

/**
 * `exclusive`: the second try on a full disk. WAL keeps its index in an -shm file beside the
 * database, which a full disk refuses to make; with exclusive locking the index stays in memory
 * (and no other program, such as the reset-password tool, may open the database meanwhile).
 */
function openFile(file: string, report: OpenReport, setAsideIfDamaged: boolean, exclusive = false): Database {
  const existed = existsSync(file);
  const db = new Database(file, { create: true, strict: true });
  try {
    // Before WAL mode creates the -wal and -shm files: SQLite gives them the database's mode.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    db.exec(`${exclusive ? "PRAGMA locking_mode = EXCLUSIVE; " : ""}PRAGMA busy_timeout = 2000;`);
    // Checked before journal_mode, which writes: an empty or foreign file is set aside as it was.
    if (existed) checkIntact(db);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    if (existed) backupBeforeMigration(db, file);
    migrate(db);
    return db;
  } catch (err) {
    const damage = err instanceof Damaged ? err.message : hasCode(err, /^SQLITE_(NOTADB|CORRUPT)/) ? errorText(err) : null;
    const storage = damage === null ? storageProblem(err) : null;
    if (damage !== null && setAsideIfDamaged) {
      db.close();
      const aside = setAside(file);
      report.note(`the database ${file} could not be used (${damage}): it was kept as ${aside} and ledbox started afresh (a new setup code, default settings, no mappings)`);
      return openFile(file, report, false);
    }
    if (storage === null) {
      db.close();
      throw err;
    }
    if (existed && !exclusive) {
      db.close();
      return openFile(file, report, setAsideIfDamaged, true);
    }
    const copy = memoryCopy(db, existed);
    db.close();
    // A file this start made and could not fill would be taken for a damaged one next time.
    if (!existed) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    report.inMemory(`${storage} at start: running from a copy in memory of what is stored, and changes last only until ledbox stops; free space in ${dirname(file)} and restart`);
    return copy;
  }
}

function checkIntact(db: Database): void {
  if ((db.query("PRAGMA user_version").get() as { user_version: number }).user_version === 0) {
    throw new Damaged("it holds no ledbox data: an empty or foreign file");
  }
  const rows = (db.query("PRAGMA quick_check(3)").all() as { quick_check: string }[]).map((r) => r.quick_check);
  if (rows.join() !== "ok") throw new Damaged(`quick_check: ${rows.join("; ")}`);
}

/** <file>.damaged-<time>, with its -wal and -shm beside it (a new database must not pick those up). */
function setAside(file: string): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
  return basename(aside);
}

function memoryCopy(db: Database, existed: boolean): Database {
  let copy: Database;
  try {
    copy = existed ? Database.deserialize(db.serialize(), { strict: true }) : new Database(":memory:", { strict: true });
  } catch {
    copy = new Database(":memory:", { strict: true });
  }
  return migrated(copy);
}

function migrated(db: Database): Database {
  db.exec("PRAGMA foreign_keys = ON;");
  migrate(db);
  return db;
}

/**
 * Migrations run forward only, so before they change an existing database a copy of it is taken
 * (`<file>.before-migration-<time>-v<schema>`): an update that goes wrong can go back to the
 * previous ledbox with the data as that version left it.
 */
function backupBeforeMigration(db: Database, file: string): void {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (current >= MIGRATIONS.length) return;
  const dir = dirname(file);
  const prefix = `${basename(file)}.before-migration-`;
  const copy = join(dir, `${prefix}${new Date().toISOString().replace(/[:.]/g, "-")}-v${current}`);
  try {
    db.query("VACUUM INTO ?").run(copy);
    chmodSync(copy, 0o600); // it holds the secrets the database does
  } catch (err) {
    rmSync(copy, { force: true }); // a full disk leaves a partial copy that must not be taken for one
    throw err;
  }
  const kept = readdirSync(dir).filter((n) => n.startsWith(prefix)).sort();
  for (const old of kept.slice(0, -MIGRATION_BACKUPS_KEPT)) rmSync(join(dir, old), { force: true });
}

const hasCode = (err: unknown, code: RegExp): boolean => code.test(String((err as { code?: unknown } | null)?.code ?? ""));

/**
 * A storage failure in words (the disk is full, it cannot be written), or null for any other
 * error. Every edge says it so when a change cannot be stored.
 */
export function storageProblem(err: unknown): string | null {
  if (hasCode(err, /^SQLITE_FULL/)) return "the storage is full";
  if (hasCode(err, /^SQLITE_IOERR/)) return `the storage cannot be written (${(err as { code: string }).code})`;
  if (hasCode(err, /^SQLITE_READONLY/)) return "the storage is read-only";
  return null;
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
