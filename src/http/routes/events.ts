import { Elysia } from "elysia";
import { EventBatchSchema, MAX_EVENTS_BODY } from "../../events/schema.ts";
import type { Ingest } from "../../events/ingest.ts";
import { parseEvents } from "../../events/ingest.ts";
import { DomainError } from "../../util/errors.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

/** Ingest answers as soon as the events are on the bus: effects start on the next frame. */
export const eventRoutes = (ingest: Pick<Ingest, "accept">, g: Guards) =>
  new Elysia().post(
    "/api/v1/events",
    ({ body, request, set }) => {
      g.ingest(request);
      const r = parseEvents(body);
      if (!r.ok) throw new DomainError("invalid", `invalid event: ${r.error}`);
      const ids = ingest.accept(r.events);
      set.status = 202;
      return { accepted: ids.length, duplicates: r.events.length - ids.length, ids };
    },
    {
      parse: async ({ request }) => {
        const header = request.headers.get("content-length");
        const len = Number(header ?? 0);
        if (len > MAX_EVENTS_BODY) throw new DomainError("too-large", `body of ${len} bytes is over the ${MAX_EVENTS_BODY}-byte limit for events`);
        if (header !== null) return; // Elysia's own parsers take it from here
        // A chunked body has no length up front: read it (the server caps it at 1 MiB) and check,
        // so the limit cannot be sidestepped by leaving Content-Length out.
        const text = await request.text();
        const size = Buffer.byteLength(text);
        if (size > MAX_EVENTS_BODY) throw new DomainError("too-large", `body of ${size} bytes is over the ${MAX_EVENTS_BODY}-byte limit for events`);
        return (request.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text;
      },
      detail: {
        summary: "Ingest one standard GameEvent or a batch (at most 500)",
        requestBody: jsonBody(EventBatchSchema),
      },
    },
  );
