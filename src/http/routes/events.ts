import { Elysia } from "elysia";
import { EventBatchSchema } from "../../events/schema.ts";
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
      g.events(request);
      const r = parseEvents(body);
      if (!r.ok) throw new DomainError("invalid", `invalid event: ${r.error}`);
      const ids = ingest.accept(r.events);
      set.status = 202;
      return { accepted: ids.length, duplicates: r.events.length - ids.length, ids };
    },
    {
      detail: {
        summary: "Ingest one standard GameEvent or a batch (at most 500)",
        requestBody: jsonBody(EventBatchSchema),
      },
    },
  );
