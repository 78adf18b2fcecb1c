// Before migrations change an existing database, a copy of it is kept (the last few), so an
// update that goes wrong can return to the previous ledbox with the data as it left them.
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { MIGRATION_BACKUPS_KEPT, MIGRATIONS, openDatabase } from "../../src/store/db.ts";
import { tempDir } from "../helpers/box.ts";

const version = (db: Database) => (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
const copies = (dir: string) => readdirSync(dir).filter((n) => n.startsWith("ledbox.db.before-migration-")).sort();

/** Takes a current database back to schema `v` by dropping the tables later migrations made. */
function rewind(dir: string, v: number): void {
  const db = new Database(join(dir, "ledbox.db"));
  const made = MIGRATIONS.slice(v).flatMap((sql) => [...sql.matchAll(/CREATE TABLE (\w+)/g)].map((m) => m[1]));
  for (const t of made.reverse()) db.exec(`DROP TABLE ${t}`);
  db.exec(`PRAGMA user_version = ${v}`);
  db.close();
}

test("a new database and a current one are not copied; an older one is, as it was, before it migrates", () => {
  const dir = tempDir();
  try {
    openDatabase(dir).close();
    openDatabase(dir).close();
    expect(copies(dir)).toEqual([]);

    const db = openDatabase(dir);
    db.query("INSERT INTO mappings (id, json, preset, created_at, updated_at) VALUES ('kept', '{}', NULL, 'a', 'a')").run();
    db.close();
    rewind(dir, 1);
    const migrated = openDatabase(dir);
    expect(version(migrated)).toBe(MIGRATIONS.length);
    migrated.close();

    const [copy] = copies(dir);
    expect(copy).toMatch(/^ledbox\.db\.before-migration-\d{4}-\d\d-\d\dT[\d-]+Z-v1$/);
    const old = new Database(join(dir, copy), { readonly: true });
    expect(version(old)).toBe(1);
    expect(old.query("SELECT name FROM sqlite_master WHERE name = 'scene_base'").get()).toBeNull();
    expect(old.query("SELECT id FROM mappings").all()).toEqual([{ id: "kept" }]);
    old.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`only the last ${MIGRATION_BACKUPS_KEPT} copies are kept`, () => {
  const dir = tempDir();
  try {
    openDatabase(dir).close();
    const from = [1, 2, 3, 4, 5].filter((v) => v < MIGRATIONS.length);
    for (const v of from) {
      rewind(dir, v);
      openDatabase(dir).close();
    }
    expect(copies(dir).map((n) => n.replace(/^.*-v/, "v"))).toEqual(from.slice(-MIGRATION_BACKUPS_KEPT).map((v) => `v${v}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
