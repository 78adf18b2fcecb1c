// The HTTP API (Elysia): routes per resource, one error shape, OpenAPI docs at /api/docs.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import type { Ledbox } from "../ledbox.ts";
import { toJsonSchema } from "./docs.ts";
import { errorBody } from "./errors.ts";
import { eventRoutes } from "./routes/events.ts";
import { mappingRoutes } from "./routes/mappings.ts";
import { readRoutes } from "./routes/reads.ts";
import { sceneRoutes } from "./routes/scene.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { serverRoutes } from "./routes/servers.ts";
import { liveRoutes } from "./routes/live.ts";
import { mqttRoutes } from "./routes/mqtt.ts";
import { webRoutes } from "./routes/web.ts";
import { integrationRoutes } from "./routes/integrations.ts";

/** Guards shared by the route modules. */
export interface Guards {
  /** Changing endpoints: admin session or bearer API token. */
  admin(request: Request): void;
  /** Reads of state/health/live: open unless settings.http.reads is "token". */
  reader(request: Request): void;
  /** Event ingest: open unless settings.http.ingest is "token". */
  ingest(request: Request): void;
}

export function createHttp(box: Ledbox) {
  // Guards read the request's headers only when a credential is needed: asking Elysia for
  // the parsed cookie costs every request, including the hot ingest path.
  const guards: Guards = {
    admin: (req) => box.auth.requireAdmin(req.headers),
    reader: (req) => {
      if (box.settings.get().http.reads === "token") box.auth.requireAdmin(req.headers);
    },
    ingest: (req) => {
      if (box.settings.get().http.ingest === "token") box.auth.requireAdmin(req.headers);
    },
  };
  return new Elysia()
    .use(
      openapi({
        path: "/api/docs",
        documentation: { info: { title: "ledbox API", version: "1" } },
        mapJsonSchema: { zod: toJsonSchema },
      }),
    )
    .onError(errorBody as never)
    .use(box.auth.routes())
    .use(eventRoutes(box, guards))
    .use(readRoutes(box, guards))
    .use(settingsRoutes(box, guards))
    .use(mappingRoutes(box, guards))
    .use(sceneRoutes(box, guards))
    .use(serverRoutes(box, guards))
    .use(liveRoutes(box, guards))
    .use(mqttRoutes(box, guards))
    .use(integrationRoutes(box, guards))
    .use(webRoutes());
}
