// The HTTP API (Elysia): routes per resource, one error shape, OpenAPI docs at /api/docs.
// Each route module is handed the few services it uses.
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import type { Auth } from "../auth/service.ts";
import type { SettingsService } from "../config/service.ts";
import type { MappingsService } from "../director/mappings.ts";
import type { SceneControl } from "../director/scene-control.ts";
import type { Ingest } from "../events/ingest.ts";
import { MAX_EVENTS_BODY } from "../events/schema.ts";
import type { IntegrationsService } from "../games/integrations.ts";
import type { Engine } from "../light/engine.ts";
import type { SchedulesService } from "../schedules/service.ts";
import type { ServersService } from "../servers/service.ts";
import type { SystemService } from "../system/service.ts";
import { toJsonSchema } from "../util/validation.ts";
import { jsonBodies } from "./body.ts";
import { errorBody } from "./errors.ts";
import { createGuards } from "./guards.ts";
import { LIVE_SOCKET_OPTIONS, type LiveHub } from "./live.ts";
import { authRoutes } from "./routes/auth.ts";
import { eventRoutes } from "./routes/events.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { liveRoutes } from "./routes/live.ts";
import { mappingRoutes } from "./routes/mappings.ts";
import { mqttRoutes } from "./routes/mqtt.ts";
import { readRoutes, type ReadPorts } from "./routes/reads.ts";
import { sceneRoutes } from "./routes/scene.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { serverRoutes } from "./routes/servers.ts";
import { schemaRoutes } from "./routes/schemas.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { systemRoutes } from "./routes/system.ts";
import { webRoutes } from "./routes/web.ts";

export interface HttpPorts extends ReadPorts {
  auth: Auth;
  settings: SettingsService;
  /** Start-up only (reads show it). */
  dataDir: string;
  /** The port the device listens on. */
  port(): number;
  engine: Engine;
  ingest: Ingest;
  scene: SceneControl;
  mappings: MappingsService;
  servers: ServersService;
  schedules: SchedulesService;
  integrations: IntegrationsService;
  live: LiveHub;
  system: SystemService;
}

export function createHttp(p: HttpPorts) {
  const g = createGuards(p.auth, () => p.settings.get());
  return new Elysia({ websocket: LIVE_SOCKET_OPTIONS })
    .use(
      openapi({
        path: "/api/docs",
        documentation: { info: { title: "ledbox API", version: "1" } },
        mapJsonSchema: { zod: toJsonSchema },
        // The viewer's files come from the device (swagger-ui-dist), not a CDN: the LAN may be offline.
        provider: "swagger-ui",
        swagger: { theme: "/api/docs/assets/swagger-ui.css", cdn: "/api/docs/assets/swagger-ui-bundle.js", autoDarkMode: true } as never,
      }),
    )
    .onError(errorBody as never)
    .onRequest(({ request }) => g.request(request))
    // Every body is JSON within its route's limit; a game payload and a backup to restore are
    // read by their own routes.
    .onParse(jsonBodies({ "/api/v1/events": MAX_EVENTS_BODY }, ["/api/v1/integrations/:id/event", "/api/v1/system/restore"]) as never)
    .use(authRoutes(p.auth, g))
    .use(eventRoutes(p.ingest, g))
    .use(readRoutes(p, g))
    .use(settingsRoutes(p.settings, p.dataDir, g))
    .use(mappingRoutes(p.mappings, p.scene, g))
    .use(sceneRoutes(p.scene, p.engine, g))
    .use(serverRoutes(p.servers, g))
    .use(scheduleRoutes(p.schedules, g))
    .use(liveRoutes(p.live, g))
    .use(mqttRoutes(p.mqtt, g))
    .use(integrationRoutes(p.integrations, p.port, g))
    .use(systemRoutes(p.system, g))
    .use(schemaRoutes())
    .use(webRoutes());
}
