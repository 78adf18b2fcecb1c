// The database: WAL mode, migrations to the latest user_version, upgrades from an older version.
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { migrate, openDatabase } from "../../src/store/db.ts";
import { tempDir } from "../helpers/box.ts";

const version = (db: Database) => (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
const tables = (db: Database) => (db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe("openDatabase", () => {
  test("a fresh database reaches the latest user_version, in WAL mode with synchronous=NORMAL, with every table", () => {
    const dir = tempDir();
    try {
      const db = openDatabase(join(dir, "nested", "data"));
      const latest = migrate(db);
      expect(latest).toBeGreaterThanOrEqual(2);
      expect(version(db)).toBe(latest);
      expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
      // NORMAL (1), not SQLite's default FULL (2): in WAL mode no sync per commit, only at checkpoints (the SD card).
      expect((db.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous).toBe(1);
      expect((db.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
      expect(tables(db)).toEqual(expect.arrayContaining(["admin", "api_tokens", "mappings", "scene_base", "sessions", "settings"]));
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("reopening keeps the data and does not migrate again", () => {
    const dir = tempDir();
    try {
      const a = openDatabase(dir);
      a.query("INSERT INTO settings (id, json, updated_at) VALUES (1, '{}', 'now')").run();
      const v = version(a);
      a.close();
      const b = openDatabase(dir);
      expect(version(b)).toBe(v);
      expect(b.query("SELECT json FROM settings").get()).toEqual({ json: "{}" });
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a database at version 1 is upgraded, keeping its rows", () => {
    const dir = tempDir();
    try {
      const db = openDatabase(dir);
      db.query("INSERT INTO mappings (id, json, preset, created_at, updated_at) VALUES ('m', '{}', NULL, 'a', 'a')").run();
      // Back to version 1: drop every table a later migration made (they are not idempotent).
      const v1 = ["admin", "api_tokens", "mappings", "sessions", "settings"];
      for (const t of tables(db).filter((t) => !v1.includes(t))) db.exec(`DROP TABLE ${t}`);
      db.exec("PRAGMA user_version = 1;");
      expect(tables(db)).not.toContain("scene_base");
      expect(migrate(db)).toBe(version(db));
      expect(version(db)).toBeGreaterThanOrEqual(2);
      expect(tables(db)).toContain("scene_base");
      expect(db.query("SELECT id FROM mappings").all()).toEqual([{ id: "m" }]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(":memory: works for tests", () => {
    const db = openDatabase(":memory:");
    expect(version(db)).toBe(migrate(db));
    db.close();
  });
});
