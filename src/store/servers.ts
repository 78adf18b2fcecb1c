// Game servers (config as JSON, the RCON password in its own column so no read returns it) and
// the server options (Steam enrichment).
import type { Database } from "bun:sqlite";
import { ServerInputSchema, type ServerConfig, type ServerInput, type ServerRecord } from "../servers/config.ts";
import { nowIso } from "./db.ts";

interface Row {
  id: string;
  json: string;
  rcon_password: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = "id, json, rcon_password, created_at, updated_at";

export class ServersRepo {
  constructor(private readonly db: Database) {}

  /** What the API shows: no password, but whether one is set. */
  records(): (ServerRecord & { hasRconPassword: boolean })[] {
    return (this.db.query(`SELECT ${COLUMNS} FROM servers ORDER BY created_at, rowid`).all() as Row[]).map(toRecord);
  }

  record(id: string): (ServerRecord & { hasRconPassword: boolean }) | null {
    const row = this.row(id);
    return row ? toRecord(row) : null;
  }

  /** The config the poller needs, password included. */
  config(id: string): (ServerConfig & { id: string }) | null {
    const row = this.row(id);
    return row ? { ...parse(row), id } : null;
  }

  /** Every stored server that still validates (one bad row must not stop the others from polling). */
  configs(): (ServerConfig & { id: string })[] {
    return (this.db.query(`SELECT ${COLUMNS} FROM servers`).all() as Row[]).flatMap((r) => {
      try {
        return [{ ...parse(r), id: r.id }];
      } catch {
        return [];
      }
    });
  }

  /** `input` must already have passed ServerInputSchema. */
  create(input: ServerInput): ServerRecord & { hasRconPassword: boolean } {
    const id = crypto.randomUUID();
    const at = nowIso();
    const { rconPassword, ...rest } = input;
    this.db.query(`INSERT INTO servers (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`).run(id, JSON.stringify(rest), rconPassword ?? null, at, at);
    return this.record(id)!;
  }

  /** Replaces the config; a password left out keeps the stored one. */
  update(id: string, input: ServerInput): (ServerRecord & { hasRconPassword: boolean }) | null {
    const { rconPassword, ...rest } = input;
    const r = this.db.query("UPDATE servers SET json = ?, rcon_password = COALESCE(?, rcon_password), updated_at = ? WHERE id = ?")
      .run(JSON.stringify(rest), rconPassword ?? null, nowIso(), id);
    return r.changes ? this.record(id) : null;
  }

  storedPassword(id: string): string | null {
    return this.row(id)?.rcon_password ?? null;
  }

  delete(id: string): boolean {
    return this.db.query("DELETE FROM servers WHERE id = ?").run(id).changes > 0;
  }

  options<T>(fallback: T): T {
    const row = this.db.query("SELECT json FROM server_options WHERE id = 1").get() as { json: string } | null;
    return row ? { ...fallback, ...(JSON.parse(row.json) as T) } : fallback;
  }

  saveOptions(value: unknown): void {
    this.db.query("INSERT INTO server_options (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json").run(JSON.stringify(value));
  }

  private row(id: string): Row | null {
    return this.db.query(`SELECT ${COLUMNS} FROM servers WHERE id = ?`).get(id) as Row | null;
  }
}

const parse = (r: Row): ServerConfig => ServerInputSchema.parse({ ...JSON.parse(r.json), ...(r.rcon_password ? { rconPassword: r.rcon_password } : {}) });

function toRecord(r: Row): ServerRecord & { hasRconPassword: boolean } {
  const { rconPassword, ...config } = parse(r);
  return { ...config, id: r.id, hasRconPassword: r.rcon_password !== null, createdAt: r.created_at, updatedAt: r.updated_at } as ServerRecord & { hasRconPassword: boolean };
}
