// Game servers (config as JSON, the RCON password in its own column so no read returns it by
// accident) and the server options (Steam enrichment). What the JSON means is the servers
// service's: the store keeps it.
import type { Database } from "bun:sqlite";
import { parseJson } from "../util/json.ts";
import { nowIso } from "./db.ts";

interface Row {
  id: string;
  json: string;
  rcon_password: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoredServer {
  id: string;
  /** The config as stored (without the password); undefined when its JSON is damaged. */
  config: unknown;
  rconPassword: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = "id, json, rcon_password, created_at, updated_at";

export class ServersRepo {
  constructor(private readonly db: Database) {}

  rows(): StoredServer[] {
    return (this.db.query(`SELECT ${COLUMNS} FROM servers ORDER BY created_at, rowid`).all() as Row[]).map(toStored);
  }

  row(id: string): StoredServer | null {
    const row = this.db.query(`SELECT ${COLUMNS} FROM servers WHERE id = ?`).get(id) as Row | null;
    return row ? toStored(row) : null;
  }

  create(config: object, rconPassword: string | null): string {
    const id = crypto.randomUUID();
    const at = nowIso();
    this.db.query(`INSERT INTO servers (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`).run(id, JSON.stringify(config), rconPassword, at, at);
    return id;
  }

  /** Replaces the config; a null password keeps the stored one. */
  update(id: string, config: object, rconPassword: string | null): boolean {
    return this.db.query("UPDATE servers SET json = ?, rcon_password = COALESCE(?, rcon_password), updated_at = ? WHERE id = ?")
      .run(JSON.stringify(config), rconPassword, nowIso(), id).changes > 0;
  }

  delete(id: string): boolean {
    return this.db.query("DELETE FROM servers WHERE id = ?").run(id).changes > 0;
  }

  /** The stored options document, or null before any was saved. */
  options(): unknown {
    const row = this.db.query("SELECT json FROM server_options WHERE id = 1").get() as { json: string } | null;
    return row ? parseJson(row.json) : null;
  }

  saveOptions(value: unknown): void {
    this.db.query("INSERT INTO server_options (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json").run(JSON.stringify(value));
  }
}

const toStored = (r: Row): StoredServer => ({ id: r.id, config: parseJson(r.json), rconPassword: r.rcon_password, createdAt: r.created_at, updatedAt: r.updated_at });
