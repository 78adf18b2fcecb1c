// Integrations table: one row per configured game source. The token is the integration's own
// secret (the GSI auth token or the webhook's bearer token); records for the API never carry it.
import type { Database } from "bun:sqlite";
import { parseObject } from "../util/json.ts";
import { randomToken } from "../util/secrets.ts";
import { nowIso } from "./db.ts";

interface Row {
  id: string;
  name: string;
  type: string;
  enabled: number;
  config: string;
  token: string;
  preset: string | null;
  record: number;
  created_at: string;
  updated_at: string;
}

export interface IntegrationFields {
  name: string;
  type: string;
  enabled: boolean;
  config: Record<string, unknown>;
  preset: string | null;
  record: boolean;
}

export type IntegrationRecord = IntegrationFields & { id: string; createdAt: string; updatedAt: string };

const COLUMNS = "id, name, type, enabled, config, token, preset, record, created_at, updated_at";

export class IntegrationsRepo {
  /** `damaged` hears of a row whose config cannot be read: it is left out, the others load. */
  constructor(private readonly db: Database, private readonly damaged: (id: string, why: string) => void = () => {}) {}

  list(): IntegrationRecord[] {
    return (this.db.query(`SELECT ${COLUMNS} FROM integrations ORDER BY created_at, rowid`).all() as Row[]).flatMap((r) => this.toRecord(r));
  }

  get(id: string): IntegrationRecord | null {
    const row = this.db.query(`SELECT ${COLUMNS} FROM integrations WHERE id = ?`).get(id) as Row | null;
    return row ? (this.toRecord(row)[0] ?? null) : null;
  }

  token(id: string): string | null {
    return (this.db.query("SELECT token FROM integrations WHERE id = ?").get(id) as { token: string } | null)?.token ?? null;
  }

  nameTaken(name: string, exceptId = ""): boolean {
    return this.db.query("SELECT 1 FROM integrations WHERE name = ? AND id != ?").get(name, exceptId) !== null;
  }

  create(f: IntegrationFields): IntegrationRecord {
    const id = `gi_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const at = nowIso();
    this.db.query(`INSERT INTO integrations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, f.name, f.type, f.enabled ? 1 : 0, JSON.stringify(f.config), randomToken(24), f.preset, f.record ? 1 : 0, at, at);
    return this.get(id)!;
  }

  update(id: string, f: IntegrationFields, rotateToken = false): IntegrationRecord | null {
    const r = this.db.query("UPDATE integrations SET name = ?, type = ?, enabled = ?, config = ?, preset = ?, record = ?, updated_at = ? WHERE id = ?")
      .run(f.name, f.type, f.enabled ? 1 : 0, JSON.stringify(f.config), f.preset, f.record ? 1 : 0, nowIso(), id);
    if (r.changes && rotateToken) this.db.query("UPDATE integrations SET token = ? WHERE id = ?").run(randomToken(24), id);
    return r.changes ? this.get(id) : null;
  }

  delete(id: string): boolean {
    return this.db.query("DELETE FROM integrations WHERE id = ?").run(id).changes > 0;
  }

  private toRecord(r: Row): IntegrationRecord[] {
    const config = parseObject(r.config);
    if (!config) {
      this.damaged(r.id, "its stored config is damaged");
      return [];
    }
    return [{
      id: r.id,
      name: r.name,
      type: r.type,
      enabled: r.enabled === 1,
      config,
      preset: r.preset,
      record: r.record === 1,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }];
  }
}
