import { Elysia } from "elysia";
import { z } from "zod";
import type { Ledbox } from "../../ledbox.ts";
import { VERSION } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import { validate } from "../errors.ts";

const startedAt = Date.now();
/** ?since= the last event sequence number already seen. */
const RecentQuery = z.object({ since: z.coerce.number().int().min(0).default(0) });

export const readRoutes = (box: Ledbox, g: Guards) =>
  new Elysia({ prefix: "/api/v1" })
    .get("/health", ({ request }) => {
      g.reader(request);
      const outputs = box.engine.outputs.map((o) => ({ driver: o.driver.kind, ...o.driver.health() }));
      const mqtt = box.mqtt.status();
      const servers = box.servers.repo.configs().map((c) => box.servers.status(c.id)!);
      const integrations = box.integrations.list().map((r) => ({ id: r.id, name: r.name, ...integrationHealth(box, r.id) }));
      return {
        // The loop and outputs are what the device is for; the other edges report without failing it.
        ok: outputs.every((o) => o.ok),
        version: VERSION,
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        fps: box.engine.stats().deliveredFps,
        outputs,
        bus: box.bus.health(),
        mqtt: { enabled: mqtt.enabled, state: mqtt.state, lastError: mqtt.lastError },
        servers: servers.map((s) => ({ id: s.id, name: s.name, state: s.state, problem: s.problem })),
        integrations,
      };
    }, { detail: { summary: "Liveness and the health of every unit" } })
    .get("/state", ({ request }) => {
      g.reader(request);
      return {
        ...box.engine.state(),
        events: { accepted: box.ingest.accepted, duplicates: box.ingest.duplicates, lastSeq: box.ring.lastSeq },
        director: { triggered: box.director.triggered, skipped: box.director.skipped, lastProblem: box.director.lastProblem },
        live: { clients: box.live.clientCount, skippedFrames: box.live.skippedFrames },
      };
    }, { detail: { summary: "Frame stats, segments with their active layers, power estimate, outputs" } })
    .get("/events/recent", ({ request, query }) => {
      g.reader(request);
      return box.ring.since(validate(RecentQuery, query, "query").since, 100);
    }, { detail: { summary: "Recent events (the ring the live channel resumes from)" } });

/** An integration whose adapter is not loaded has no live status: not connected, and why. */
function integrationHealth(box: Ledbox, id: string) {
  try {
    const s = box.integrations.status(id);
    return { connected: s.connected, problem: s.problem?.text ?? null };
  } catch (err) {
    return { connected: false, problem: err instanceof Error ? err.message : String(err) };
  }
}
