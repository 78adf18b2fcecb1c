import { Elysia } from "elysia";
import { z } from "zod";
import type { Guards } from "../guards.ts";
import type { LiveHub, LiveSocket } from "../live.ts";

const LiveQuery = z.object({
  fps: z.coerce.number().min(1).max(240).optional(),
  /** Resume: the last event sequence number this client saw. */
  since: z.coerce.number().int().min(0).optional(),
});

export const liveRoutes = (live: Pick<LiveHub, "open" | "message" | "close">, g: Guards) =>
  new Elysia().ws("/api/v1/live", {
    query: LiveQuery,
    beforeHandle: ({ request }) => g.reader(request),
    open: (ws) => live.open(ws.raw as unknown as LiveSocket, ws.data.query.fps, ws.data.query.since),
    message: (ws, msg) => live.message(ws.raw as unknown as LiveSocket, msg),
    close: (ws) => live.close(ws.raw as unknown as LiveSocket),
    detail: { summary: "Live channel: binary RGB frames (3 bytes per LED) and JSON messages (hello, events, stats, heartbeat)" },
  });
