import { Elysia } from "elysia";
import { z } from "zod";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import type { LiveSocket } from "../live.ts";

const LiveQuery = z.object({
  fps: z.coerce.number().min(1).max(240).optional(),
  /** Resume: the last event sequence number this client saw. */
  since: z.coerce.number().int().min(0).optional(),
});

export const liveRoutes = (box: Ledbox, g: Guards) =>
  new Elysia().ws("/api/v1/live", {
    query: LiveQuery,
    beforeHandle: ({ request }) => g.reader(request),
    open: (ws) => box.live.open(ws.raw as unknown as LiveSocket, ws.data.query.fps, ws.data.query.since),
    message: (ws, msg) => box.live.message(ws.raw as unknown as LiveSocket, msg),
    close: (ws) => box.live.close(ws.raw as unknown as LiveSocket),
    detail: { summary: "Live channel: binary RGB frames (3 bytes per LED) and JSON messages (hello, events, stats, heartbeat)" },
  });
