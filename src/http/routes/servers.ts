import { Elysia } from "elysia";
import { ServerInputSchema } from "../../servers/config.ts";
import type { ServersService } from "../../servers/service.ts";
import { DomainError } from "../../util/errors.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

const DAY_MS = 86_400_000;

type ServersPort = Pick<ServersService, "list" | "get" | "create" | "update" | "remove" | "options" | "updateOptions" | "status" | "players" | "history" | "avatar">;

export const serverRoutes = (servers: ServersPort, g: Guards) =>
  new Elysia({ prefix: "/api/v1" })
    .get("/servers", ({ request }) => {
      g.reader(request);
      return servers.list();
    }, { detail: { summary: "Game servers (the RCON password is never returned)" } })
    .post("/servers", ({ request, body, set }) => {
      g.admin(request);
      set.status = 201;
      return servers.create(body);
    }, { detail: { summary: "Add a game server", requestBody: jsonBody(ServerInputSchema) } })
    .get("/servers/options", ({ request }) => {
      g.reader(request);
      return servers.options();
    }, { detail: { summary: "Server options: Steam profile enrichment (off by default)" } })
    .put("/servers/options", ({ request, body }) => {
      g.admin(request);
      return servers.updateOptions(body);
    }, { detail: { summary: "Change server options: {steam: {enabled, apiKey, ttlHours}}" } })
    .get("/servers/steam/avatars/:steamId", ({ request, params }) => {
      g.reader(request);
      const a = servers.avatar(params.steamId);
      return new Response(a.bytes as Uint8Array<ArrayBuffer>, { headers: { "content-type": a.type, "cache-control": "max-age=86400" } });
    }, { detail: { summary: "A player's Steam avatar, kept on the device (Steam enrichment on)" } })
    .get("/servers/:id", ({ request, params }) => {
      g.reader(request);
      return servers.get(params.id);
    })
    .put("/servers/:id", ({ request, params, body }) => {
      g.admin(request);
      return servers.update(params.id, body);
    }, { detail: { summary: "Replace a server's config (leave rconPassword out to keep it)", requestBody: jsonBody(ServerInputSchema) } })
    .delete("/servers/:id", ({ request, params }) => {
      g.admin(request);
      servers.remove(params.id);
      return { ok: true };
    })
    .get("/servers/:id/status", ({ request, params }) => {
      g.reader(request);
      return servers.status(params.id);
    }, { detail: { summary: "Current state, fresh or stale, and the last problem in plain words" } })
    .get("/servers/:id/players", ({ request, params }) => {
      g.reader(request);
      return servers.players(params.id);
    }, { detail: { summary: "Current and recent players (sessions)" } })
    .get("/servers/:id/history", ({ request, params, query }) => {
      g.reader(request);
      return servers.history(params.id, sinceOf(query.since as string | undefined));
    }, { detail: { summary: "Run-length history: ?since= ms since the epoch or an ISO time (default: the last 24 h)" } });

function sinceOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return Date.now() - DAY_MS;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new DomainError("invalid", `invalid since: ${JSON.stringify(raw)} is neither ms since the epoch nor an ISO time`);
  return n;
}
