// Backups are the database itself, copied consistently with VACUUM INTO (a snapshot even while
// ledbox writes). A restore is checked before it replaces anything: it must be a SQLite database
// that passes its own integrity check, from this version of ledbox or an older one (migrations
// run forward only), with settings that still validate.
import { Database } from "bun:sqlite";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SettingsSchema } from "../config/schema.ts";
import { describeIssues } from "../util/validation.ts";
import { DB_FILE, MIGRATIONS } from "./db.ts";

const SQLITE_MAGIC = "SQLite format 3\0";

/** A consistent copy of the open database, as bytes. */
export function backup(db: Database, dataDir: string): Uint8Array {
  const file = join(dataDir, `backup-${process.pid}-${Date.now()}.db`);
  try {
    db.query("VACUUM INTO ?").run(file);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(file, { force: true });
  }
}

/** Why these bytes cannot be restored, or null when they can. */
export function checkBackup(bytes: Uint8Array, dataDir: string): string | null {
  if (bytes.length < 100 || new TextDecoder().decode(bytes.subarray(0, 16)) !== SQLITE_MAGIC) return "not a ledbox backup (not a SQLite database)";
  const file = join(dataDir, `restore-check-${process.pid}-${Date.now()}.db`);
  writeFileSync(file, bytes, { mode: 0o600 });
  let db: Database | null = null;
  try {
    db = new Database(file, { readonly: true, strict: true });
    const check = (db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check;
    if (check !== "ok") return `the backup is damaged (${check})`;
    const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
    if (version > MIGRATIONS.length) return `the backup is from a newer ledbox (schema ${version}, this one knows ${MIGRATIONS.length})`;
    const row = hasTable(db, "settings") ? (db.query("SELECT json FROM settings WHERE id = 1").get() as { json: string } | null) : null;
    if (row) {
      const r = SettingsSchema.safeParse(parseOr(row.json));
      if (!r.success) return `the backup's settings do not validate: ${describeIssues(r.error)}`;
    }
    return null;
  } catch (e) {
    return `the backup cannot be read: ${(e as Error).message}`;
  } finally {
    db?.close();
    rmSync(file, { force: true });
  }
}

/**
 * Puts a checked backup in place of the database (ledbox must have closed it): the current one
 * is kept beside it as `ledbox.db.before-restore-<time>`, so a restore is never a loss.
 */
export function replaceDatabase(dataDir: string, bytes: Uint8Array): string {
  const current = join(dataDir, DB_FILE);
  const kept = `${current}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const incoming = `${current}.incoming`;
  writeFileSync(incoming, bytes, { mode: 0o600 });
  renameSync(current, kept);
  for (const side of ["-wal", "-shm"]) rmSync(current + side, { force: true });
  renameSync(incoming, current);
  return kept;
}

const hasTable = (db: Database, name: string) => db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;

function parseOr(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
