// Settings are one validated JSON document; a write replaces it whole or not at all.
import type { Database } from "bun:sqlite";
import { SettingsSchema, type Settings } from "../config/schema.ts";
import { nowIso } from "./db.ts";

export class SettingsRepo {
  constructor(private db: Database) {}

  load(): Settings {
    const row = this.db.query("SELECT json FROM settings WHERE id = 1").get() as { json: string } | null;
    // Parsing again applies defaults added by later versions to an older stored document.
    return SettingsSchema.parse(row ? JSON.parse(row.json) : {});
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
