import { Elysia } from "elysia";
import type { Ledbox } from "../../ledbox.ts";
import { ServerInputSchema, type ServerInput } from "../../servers/config.ts";
import { SteamOptionsSchema } from "../../servers/steam.ts";
import type { Guards } from "../app.ts";
import { jsonBody } from "../docs.ts";
import { HttpError, validate } from "../errors.ts";

const DAY_MS = 86_400_000;

export const serverRoutes = (box: Ledbox, g: Guards) => {
  const svc = box.servers;
  const repo = svc.repo;
  const found = (id: string) => repo.record(id) ?? notFound(id);
  return new Elysia({ prefix: "/api/v1" })
    .get("/servers", ({ request }) => {
      g.reader(request);
      return repo.records().map((r) => ({ ...r, state: svc.status(r.id)!.state }));
    }, { detail: { summary: "Game servers (the RCON password is never returned)" } })
    .post("/servers", ({ request, body, set }) => {
      g.admin(request);
      const rec = repo.create(serverInput(body));
      svc.reload(rec.id);
      set.status = 201;
      return rec;
    }, { detail: { summary: "Add a game server", requestBody: jsonBody(ServerInputSchema) } })
    .get("/servers/options", ({ request }) => {
      g.reader(request);
      return optionsView();
    }, { detail: { summary: "Server options: Steam profile enrichment (off by default)" } })
    .put("/servers/options", ({ request, body }) => {
      g.admin(request);
      // Spread into the stored options unchecked, {"steam": 5} was a silent no-op.
      if (!isObject(body)) throw new HttpError(400, "invalid options: expected a JSON object");
      const { steam: given = {}, ...rest } = body;
      if (!isObject(given)) throw new HttpError(400, "invalid options: steam: expected an object");
      const steam = validate(SteamOptionsSchema, { ...svc.steamOptions(), ...given }, "steam options");
      const unknown = Object.keys(rest);
      if (unknown.length) throw new HttpError(400, `invalid options: ${unknown.map((k) => `${k}: unknown field`).join("; ")}`);
      if (steam.enabled && !steam.apiKey) throw new HttpError(400, "invalid steam options: apiKey: required to enable Steam profiles");
      repo.saveOptions({ steam });
      return optionsView();
    }, { detail: { summary: "Change server options: {steam: {enabled, apiKey, ttlHours}}" } })
    .get("/servers/:id", ({ request, params }) => {
      g.reader(request);
      return found(params.id);
    })
    .put("/servers/:id", ({ request, params, body }) => {
      g.admin(request);
      found(params.id);
      const rec = repo.update(params.id, serverInput(body, repo.storedPassword(params.id))) ?? notFound(params.id);
      svc.reload(params.id);
      return rec;
    }, { detail: { summary: "Replace a server's config (leave rconPassword out to keep it)", requestBody: jsonBody(ServerInputSchema) } })
    .delete("/servers/:id", ({ request, params }) => {
      g.admin(request);
      if (!repo.delete(params.id)) notFound(params.id);
      svc.reload(params.id);
      return { ok: true };
    })
    .get("/servers/:id/status", ({ request, params }) => {
      g.reader(request);
      return svc.status(params.id) ?? notFound(params.id);
    }, { detail: { summary: "Current state, fresh or stale, and the last problem in plain words" } })
    .get("/servers/:id/players", ({ request, params }) => {
      g.reader(request);
      found(params.id);
      return svc.players(params.id);
    }, { detail: { summary: "Current and recent players (sessions)" } })
    .get("/servers/:id/history", ({ request, params, query }) => {
      g.reader(request);
      found(params.id);
      return svc.history(params.id, sinceOf(query.since as string | undefined));
    }, { detail: { summary: "Run-length history: ?since= ms since the epoch or an ISO time (default: the last 24 h)" } });

  function optionsView() {
    const { apiKey, ...steam } = svc.steamOptions();
    return { steam: { ...steam, hasApiKey: !!apiKey, lastProblem: svc.steam.lastProblem } };
  }
};

/** Validates a server body; a record's own fields (as GET returns them) may come back in a PUT and are dropped. */
function serverInput(body: unknown, storedPassword: string | null = null): ServerInput {
  if (!isObject(body)) throw new HttpError(400, "invalid server: expected a JSON object");
  const { id, createdAt, updatedAt, hasRconPassword, state, ...input } = body;
  if (input.rconPassword === undefined && storedPassword) input.rconPassword = storedPassword;
  validate(ServerInputSchema, input, "server");
  return input as ServerInput;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function sinceOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return Date.now() - DAY_MS;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new HttpError(400, `invalid since: ${JSON.stringify(raw)} is neither ms since the epoch nor an ISO time`);
  return n;
}

function notFound(id: string): never {
  throw new HttpError(404, `no server ${id}`);
}
