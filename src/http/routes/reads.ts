import { Elysia } from "elysia";
import { z } from "zod";
import { VERSION } from "../../config/version.ts";
import type { Director } from "../../director/director.ts";
import type { EventBus } from "../../events/bus.ts";
import type { Ingest } from "../../events/ingest.ts";
import type { EventRing } from "../../events/ring.ts";
import type { IntegrationsService } from "../../games/integrations.ts";
import type { Engine } from "../../light/engine.ts";
import type { ServersService } from "../../servers/service.ts";
import type { StorageHealth } from "../../store/health.ts";
import { validate } from "../../util/validation.ts";
import type { Guards } from "../guards.ts";
import type { LiveHub } from "../live.ts";

const startedAt = Date.now();
/** ?since= the last event sequence number already seen. */
const RecentQuery = z.object({ since: z.coerce.number().int().min(0).default(0) });

/** Every unit whose health or figures the reads report. */
export interface ReadPorts {
  engine: Pick<Engine, "stats" | "state">;
  bus: Pick<EventBus, "health">;
  ingest: Pick<Ingest, "accepted" | "duplicates">;
  ring: Pick<EventRing, "lastSeq" | "since">;
  director: Pick<Director, "triggered" | "skipped" | "lastProblem">;
  live: Pick<LiveHub, "clientCount" | "skippedFrames" | "closedStalled" | "refused">;
  mqtt: { status(): { enabled: boolean; state: string; lastError: string | null } };
  servers: Pick<ServersService, "list" | "status">;
  integrations: Pick<IntegrationsService, "list" | "health">;
  storage: Pick<StorageHealth, "report">;
}

export const readRoutes = (p: ReadPorts, g: Guards) =>
  new Elysia({ prefix: "/api/v1" })
    .get("/health", ({ request }) => {
      g.reader(request);
      const { outputs, stats } = p.engine.state();
      const mqtt = p.mqtt.status();
      return {
        // The loop and outputs are what the device is for; the other edges report without failing it.
        ok: outputs.every((o) => o.health.ok),
        version: VERSION,
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        fps: stats.deliveredFps,
        outputs: outputs.map((o) => ({ driver: o.driver, ...o.health })),
        bus: p.bus.health(),
        storage: p.storage.report(),
        mqtt: { enabled: mqtt.enabled, state: mqtt.state, lastError: mqtt.lastError },
        servers: p.servers.list().map((s) => {
          const { id, name, state, problem } = p.servers.status(s.id);
          return { id, name, state, problem };
        }),
        integrations: p.integrations.list().map((r) => ({ id: r.id, name: r.name, ...p.integrations.health(r.id) })),
      };
    }, { detail: { summary: "Liveness and the health of every unit" } })
    .get("/state", ({ request }) => {
      g.reader(request);
      return {
        ...p.engine.state(),
        events: { accepted: p.ingest.accepted, duplicates: p.ingest.duplicates, lastSeq: p.ring.lastSeq },
        director: { triggered: p.director.triggered, skipped: p.director.skipped, lastProblem: p.director.lastProblem },
        live: { clients: p.live.clientCount, skippedFrames: p.live.skippedFrames, closedStalled: p.live.closedStalled, refused: p.live.refused },
      };
    }, { detail: { summary: "Frame stats, segments with their active layers, power estimate, outputs" } })
    .get("/events/recent", ({ request, query }) => {
      g.reader(request);
      return p.ring.since(validate(RecentQuery, query, "query").since, 100);
    }, { detail: { summary: "Recent events (the ring the live channel resumes from)" } });
