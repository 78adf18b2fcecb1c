// Mappings table: each mapping as the user wrote it (JSON); preset-made ones carry the preset id.
// Stored in input form, so colours stay "#rrggbb" in reads and parsing applies current defaults.
// The store keeps the JSON; what it means (and whether it is still valid) is the director's.
import type { Database } from "bun:sqlite";
import { parseObject } from "../util/json.ts";
import { nowIso } from "./db.ts";

interface Row {
  id: string;
  json: string;
  preset: string | null;
  created_at: string;
  updated_at: string;
}

/** A stored mapping: its input as written, plus its id and origin. */
export type StoredMapping<T extends object> = T & { id: string; preset: string | null; createdAt: string; updatedAt: string };

const COLUMNS = "id, json, preset, created_at, updated_at";

export class MappingsRepo<T extends object = Record<string, unknown>> {
  /** `damaged` hears of a row whose JSON cannot be read: it is left out, the others load. */
  constructor(private readonly db: Database, private readonly damaged: (id: string, why: string) => void = () => {}) {}

  records(): StoredMapping<T>[] {
    return (this.db.query(`SELECT ${COLUMNS} FROM mappings ORDER BY created_at, rowid`).all() as Row[]).flatMap((r) => this.toRecord(r));
  }

  record(id: string): StoredMapping<T> | null {
    const row = this.db.query(`SELECT ${COLUMNS} FROM mappings WHERE id = ?`).get(id) as Row | null;
    return row ? (this.toRecord(row)[0] ?? null) : null;
  }

  create(input: T, preset: string | null = null): StoredMapping<T> {
    const id = crypto.randomUUID();
    const at = nowIso();
    this.db.query("INSERT INTO mappings (id, json, preset, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").run(id, JSON.stringify(input), preset, at, at);
    return this.record(id)!;
  }

  update(id: string, input: T): StoredMapping<T> | null {
    const r = this.db.query("UPDATE mappings SET json = ?, updated_at = ? WHERE id = ?").run(JSON.stringify(input), nowIso(), id);
    return r.changes ? this.record(id) : null;
  }

  delete(id: string): boolean {
    return this.db.query("DELETE FROM mappings WHERE id = ?").run(id).changes > 0;
  }

  /** Replaces every preset-made mapping with a preset's, in one transaction; the user's own stay. */
  replacePresetMappings(preset: string, inputs: T[]): StoredMapping<T>[] {
    return this.db.transaction(() => {
      this.db.query("DELETE FROM mappings WHERE preset IS NOT NULL").run();
      return inputs.map((i) => this.create(i, preset));
    })();
  }

  private toRecord(r: Row): StoredMapping<T>[] {
    const input = parseObject(r.json);
    if (!input) {
      this.damaged(r.id, "its stored JSON is damaged");
      return [];
    }
    return [{ ...(input as T), id: r.id, preset: r.preset, createdAt: r.created_at, updatedAt: r.updated_at }];
  }
}
