import { networkInterfaces } from "node:os";
import { Elysia } from "elysia";
import { IntegrationInputSchema, IntegrationPatchSchema, type IntegrationsService } from "../../games/integrations.ts";
import { DomainError } from "../../util/errors.ts";
import { parseUntrusted } from "../../util/json.ts";
import { readJsonText } from "../body.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

/** Game payloads are whole game states: generous, but bounded. */
export const MAX_PAYLOAD = 256 * 1024;

/** The integration's secret as a webhook-style client presents it. */
function presentedToken(request: Request, query: Record<string, string | undefined>): string | undefined {
  const h = request.headers.get("authorization");
  if (h?.startsWith("Bearer ")) return h.slice(7).trim();
  return request.headers.get("x-ledbox-token") ?? query.token;
}

type IntegrationsPort = Pick<IntegrationsService, "registry" | "list" | "get" | "create" | "update" | "remove" | "status" | "recent" | "setup" | "payloads">;

/** `port` is the one the device listens on (for the URL a game on the LAN should send to). */
export const integrationRoutes = (svc: IntegrationsPort, port: () => number, g: Guards) => {
  const payloads = svc.payloads;
  return new Elysia({ prefix: "/api/v1" })
    .get("/adapters", ({ request }) => {
      g.reader(request);
      return { adapters: svc.registry.describe(), loadErrors: svc.registry.loadErrors };
    }, { detail: { summary: "Adapters: events they emit, config JSON Schema, setup instructions; and declarative files that failed to load" } })
    .get("/integrations", ({ request }) => {
      g.reader(request);
      return svc.list();
    }, { detail: { summary: "All integrations (tokens are never included)" } })
    .post("/integrations", ({ request, body, set }) => {
      g.admin(request);
      set.status = 201;
      return svc.create(body);
    }, { detail: { summary: "Create an integration; it gets its own random token", requestBody: jsonBody(IntegrationInputSchema) } })
    .get("/integrations/:id", ({ request, params }) => {
      g.reader(request);
      return svc.get(params.id);
    })
    .put("/integrations/:id", ({ request, params, body }) => {
      g.admin(request);
      return svc.update(params.id, body);
    }, { detail: { summary: "Change an integration (fields merged); rotateToken makes a new token", requestBody: jsonBody(IntegrationPatchSchema) } })
    .delete("/integrations/:id", async ({ request, params }) => {
      g.admin(request);
      await svc.remove(params.id);
      return { ok: true };
    })
    .get("/integrations/:id/status", ({ request, params }) => {
      g.reader(request);
      return svc.status(params.id);
    }, { detail: { summary: "Connected, last payload/event times, counts per event type, the last problem" } })
    .get("/integrations/:id/events", ({ request, params }) => {
      g.reader(request);
      return svc.recent(params.id);
    }, { detail: { summary: "Recent standard events and raw payloads (tokens redacted), for debugging" } })
    .get("/integrations/:id/setup", ({ request, params }) => {
      g.admin(request);
      return svc.setup(params.id, lanUrl(request, port()));
    }, { detail: { summary: "Setup helper: the URL the game posts to, the token and a ready config file where the game has one" } })
    .post("/integrations/:id/event", ({ request, params, query, body }) => {
      const rt = payloads.admit(params.id);
      let json: unknown;
      try {
        json = parseUntrusted(body as string);
      } catch (err) {
        payloads.reject(rt, "invalid", `malformed payload: not valid JSON (${(err as Error).message})`);
      }
      return payloads.receive(rt, json, presentedToken(request, query));
    }, {
      // Read as text here and parsed in the handler, so a body that is too big, not JSON or
      // malformed is counted in the integration's status.
      parse: async ({ request, params }) => {
        try {
          return await readJsonText(request, MAX_PAYLOAD);
        } catch (err) {
          if (err instanceof DomainError) payloads.reject(payloads.admit((params as { id: string }).id), err.kind, err.message);
          throw err;
        }
      },
      detail: { summary: "One game payload (auth: the integration's token, in the body for Valve GSI, else a bearer header or ?token=)" },
    });
};

/** The address the game should send to: the Host the admin reached us by, unless that is loopback. */
function lanUrl(request: Request, port: number): string {
  const host = new URL(request.url).host;
  if (!/^(localhost|127\.|\[::1\])/.test(host)) return `http://${host}`;
  const ips = Object.values(networkInterfaces()).flat().filter((i) => i?.family === "IPv4" && !i.internal);
  return `http://${ips[0]?.address ?? "127.0.0.1"}:${port}`;
}
