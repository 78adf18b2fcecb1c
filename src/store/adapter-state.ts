// Adapter state: one row per integration with what its adapter remembers between payloads, as
// JSON, and the adapter type it belongs to (another adapter's state is never handed over).
import type { Database } from "bun:sqlite";

export interface SavedAdapterState {
  type: string;
  json: string;
}

export class AdapterStateRepo {
  constructor(private readonly db: Database) {}

  load(integrationId: string): SavedAdapterState | null {
    return this.db.query("SELECT type, json FROM adapter_state WHERE integration_id = ?").get(integrationId) as SavedAdapterState | null;
  }

  save(integrationId: string, type: string, json: string): void {
    this.db.query(`INSERT INTO adapter_state (integration_id, type, json, saved_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(integration_id) DO UPDATE SET type = excluded.type, json = excluded.json, saved_at = excluded.saved_at`)
      .run(integrationId, type, json, Date.now());
  }

  delete(integrationId: string): void {
    this.db.query("DELETE FROM adapter_state WHERE integration_id = ?").run(integrationId);
  }
}
