// Mappings table: the mapping as the user wrote it (JSON); preset-made ones carry the preset id.
// Stored in input form, so colours stay "#rrggbb" in reads and parsing applies current defaults.
import type { Database } from "bun:sqlite";
import { MappingInputSchema, type Mapping, type MappingInput } from "../director/mapping.ts";
import { describeIssues } from "../events/ingest.ts";
import { nowIso } from "./db.ts";

interface Row {
  id: string;
  json: string;
  preset: string | null;
  created_at: string;
  updated_at: string;
}

/** What the API shows: the mapping as written, plus its id and origin. */
export type MappingRecord = MappingInput & { id: string; preset: string | null; createdAt: string; updatedAt: string };

const COLUMNS = "id, json, preset, created_at, updated_at";

export class MappingsRepo {
  constructor(private readonly db: Database) {}

  records(): MappingRecord[] {
    return (this.db.query(`SELECT ${COLUMNS} FROM mappings ORDER BY created_at, rowid`).all() as Row[]).map(toRecord);
  }

  record(id: string): MappingRecord | null {
    const row = this.db.query(`SELECT ${COLUMNS} FROM mappings WHERE id = ?`).get(id) as Row | null;
    return row ? toRecord(row) : null;
  }

  /**
   * Parsed mappings for the director. A stored mapping a newer version no longer accepts is
   * left out (and reported), so one stale row never stops the device from starting.
   */
  list(skipped: (id: string, why: string) => void = () => {}): Mapping[] {
    return this.records().flatMap(({ id, preset, createdAt, updatedAt, ...input }) => {
      const r = MappingInputSchema.safeParse(input);
      if (r.success) return [{ ...r.data, id, preset }];
      skipped(id, describeIssues(r.error));
      return [];
    });
  }

  /** `input` must already have passed MappingInputSchema. */
  create(input: MappingInput, preset: string | null = null): MappingRecord {
    const id = crypto.randomUUID();
    const at = nowIso();
    this.db.query("INSERT INTO mappings (id, json, preset, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").run(id, JSON.stringify(input), preset, at, at);
    return this.record(id)!;
  }

  update(id: string, input: MappingInput): MappingRecord | null {
    const r = this.db.query("UPDATE mappings SET json = ?, updated_at = ? WHERE id = ?").run(JSON.stringify(input), nowIso(), id);
    return r.changes ? this.record(id) : null;
  }

  delete(id: string): boolean {
    return this.db.query("DELETE FROM mappings WHERE id = ?").run(id).changes > 0;
  }

  /** Replaces every preset-made mapping with a preset's, in one transaction; the user's own stay. */
  replacePresetMappings(preset: string, inputs: MappingInput[]): MappingRecord[] {
    return this.db.transaction(() => {
      this.db.query("DELETE FROM mappings WHERE preset IS NOT NULL").run();
      return inputs.map((i) => this.create(i, preset));
    })();
  }
}

const toRecord = (r: Row): MappingRecord => ({
  ...(JSON.parse(r.json) as MappingInput),
  id: r.id,
  preset: r.preset,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
