// The configured game servers: validated on the way in, parsed on the way out, the RCON password
// kept apart (stored, never returned), and the server options (Steam enrichment).
import type { ServersRepo, StoredServer } from "../store/servers.ts";
import { DomainError, notFound } from "../util/errors.ts";
import { isObject } from "../util/json.ts";
import { StoredConfigs } from "../util/stored-configs.ts";
import { validate } from "../util/validation.ts";
import { ServerInputSchema, type ServerConfig, type ServerInput, type ServerRecord } from "./config.ts";
import { SteamOptionsSchema, type SteamOptions } from "./steam.ts";

/** A server as reads show it: no password, but whether one is set. */
export type ServerView = ServerRecord & { hasRconPassword: boolean };
export type ServerWithId = ServerConfig & { id: string };

export class ServerCatalog {
  private readonly stored: StoredConfigs<StoredServer, ServerConfig, ServerView>;

  constructor(private readonly repo: ServersRepo, log: (msg: string) => void = () => {}) {
    this.stored = new StoredConfigs(repo, { parse, view, what: "server", log: (m) => log(`[servers] ${m}`) });
  }

  /** Every stored server that still validates. */
  list(): ServerView[] {
    return this.stored.list();
  }

  get(id: string): ServerView {
    return this.stored.get(id);
  }

  /** The config the poller needs, password included; null when gone or no longer valid. */
  config(id: string): ServerWithId | null {
    return this.stored.config(id);
  }

  configs(): ServerWithId[] {
    return this.stored.configs();
  }

  create(body: unknown): ServerView {
    const { rconPassword, ...config } = serverInput(body);
    return this.get(this.repo.create(config, rconPassword ?? null));
  }

  /**
   * Merges a partial body into the stored config (`{"enabled": false}` alone works), validated
   * whole; the RCON password stays unless the body gives one.
   */
  update(id: string, body: unknown): ServerView {
    const stored = this.repo.row(id) ?? notFound(`no server ${id}`);
    if (!isObject(body)) throw new DomainError("invalid", "invalid server: expected a JSON object");
    const { rconPassword, ...config } = serverInput({ ...(isObject(stored.config) ? stored.config : {}), ...body }, stored.rconPassword);
    this.repo.update(id, config, rconPassword ?? null);
    return this.get(id);
  }

  remove(id: string): void {
    if (!this.repo.delete(id)) notFound(`no server ${id}`);
  }

  steamOptions(): SteamOptions {
    const stored = this.repo.options();
    const r = SteamOptionsSchema.safeParse(isObject(stored) ? stored.steam : undefined);
    return r.success ? r.data : SteamOptionsSchema.parse({});
  }

  /** Merges {steam: {...}} into the stored options; refuses what it does not know. */
  updateOptions(body: unknown): SteamOptions {
    if (!isObject(body)) throw new DomainError("invalid", "invalid options: expected a JSON object");
    const { steam: given = {}, ...rest } = body;
    if (!isObject(given)) throw new DomainError("invalid", "invalid options: steam: expected an object");
    const unknown = Object.keys(rest);
    if (unknown.length) throw new DomainError("invalid", `invalid options: ${unknown.map((k) => `${k}: unknown field`).join("; ")}`);
    const steam = validate(SteamOptionsSchema, { ...this.steamOptions(), ...given }, "steam options");
    if (steam.enabled && !steam.apiKey) throw new DomainError("invalid", "invalid steam options: apiKey: required to enable Steam profiles");
    this.repo.saveOptions({ steam });
    return steam;
  }
}

function parse(r: StoredServer): ServerConfig | null {
  const c = ServerInputSchema.safeParse(isObject(r.config) ? { ...r.config, ...(r.rconPassword ? { rconPassword: r.rconPassword } : {}) } : undefined);
  return c.success ? c.data : null;
}

function view(r: StoredServer, c: ServerConfig): ServerView {
  const { rconPassword, ...config } = c;
  return { ...config, id: r.id, hasRconPassword: r.rconPassword !== null, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/** Validates a server body; a record's own fields (as GET returns them) may come back in a PUT and are dropped. */
function serverInput(body: unknown, storedPassword: string | null = null): ServerInput {
  if (!isObject(body)) throw new DomainError("invalid", "invalid server: expected a JSON object");
  const { id, createdAt, updatedAt, hasRconPassword, state, ...input } = body;
  if (input.rconPassword === undefined && storedPassword) input.rconPassword = storedPassword;
  validate(ServerInputSchema, input, "server");
  return input as ServerInput;
}
