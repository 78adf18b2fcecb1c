import { Elysia } from "elysia";
import { EventBatchSchema } from "../../events/schema.ts";
import { parseEvents } from "../../events/ingest.ts";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import { jsonBody } from "../docs.ts";
import { HttpError } from "../errors.ts";

/** Ingest answers as soon as the events are on the bus: effects start on the next frame. */
export const MAX_EVENTS_BODY = 256 * 1024;

export const eventRoutes = (box: Ledbox, g: Guards) =>
  new Elysia().post(
    "/api/v1/events",
    ({ body, request, cookie, set }) => {
      g.ingest(request, cookie);
      const r = parseEvents(body);
      if (!r.ok) throw new HttpError(400, `invalid event: ${r.error}`);
      const ids = box.ingest.accept(r.events);
      set.status = 202;
      return { accepted: ids.length, duplicates: r.events.length - ids.length, ids };
    },
    {
      parse: ({ request }) => {
        const len = Number(request.headers.get("content-length") ?? 0);
        if (len > MAX_EVENTS_BODY) throw new HttpError(413, `body of ${len} bytes is over the ${MAX_EVENTS_BODY}-byte limit for events`);
      },
      detail: {
        summary: "Ingest one standard GameEvent or a batch (at most 500)",
        requestBody: jsonBody(EventBatchSchema),
      },
    },
  );
