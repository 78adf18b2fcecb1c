// Settings are one validated JSON document; a write replaces it whole or not at all.
import type { Database } from "bun:sqlite";
import { SettingsSchema, type Settings } from "../config/schema.ts";
import { parseObject } from "../util/json.ts";
import { describeIssues } from "../util/validation.ts";
import { nowIso } from "./db.ts";

export class SettingsRepo {
  /**
   * `damaged` hears of a stored section that cannot be used (or of a document that cannot be
   * read at all): that part starts from its defaults, the rest as stored.
   */
  constructor(private db: Database, private readonly damaged: (what: string, why: string) => void = () => {}) {}

  load(): Settings {
    const row = this.db.query("SELECT json FROM settings WHERE id = 1").get() as { json: string } | null;
    // Parsing again applies defaults added by later versions to an older stored document.
    if (!row) return SettingsSchema.parse({});
    const doc = parseObject(row.json);
    if (!doc) {
      this.damaged("the stored settings", "the document is damaged; every setting starts from its default until the next change is saved");
      return SettingsSchema.parse({});
    }
    return this.salvage(doc);
  }

  /** The stored document, less each top-level section (or unknown key) that does not validate. */
  private salvage(doc: Record<string, unknown>): Settings {
    for (;;) {
      const r = SettingsSchema.safeParse(doc);
      if (r.success) return r.data;
      const bad = new Set(r.error.issues.flatMap((i) => (i.path.length ? [String(i.path[0])] : i.code === "unrecognized_keys" ? i.keys : [])));
      if (!bad.size) {
        this.damaged("the stored settings", `${describeIssues(r.error)}; every setting starts from its default`);
        return SettingsSchema.parse({});
      }
      for (const key of bad) {
        const issues = r.error.issues.filter((i) => String(i.path[0] ?? "") === key || (i.code === "unrecognized_keys" && i.keys.includes(key)));
        this.damaged(`setting "${key}"`, `${describeIssues({ issues })}; it starts from its default`);
        delete doc[key];
      }
    }
  }

  /** True until settings are first saved. */
  isFirstRun(): boolean {
    return this.db.query("SELECT 1 FROM settings WHERE id = 1").get() === null;
  }

  save(settings: Settings): void {
    this.db
      .query("INSERT INTO settings (id, json, updated_at) VALUES (1, $json, $at) ON CONFLICT(id) DO UPDATE SET json = $json, updated_at = $at")
      .run({ json: JSON.stringify(settings), at: nowIso() });
  }
}
