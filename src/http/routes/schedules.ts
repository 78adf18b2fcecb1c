import { Elysia } from "elysia";
import { SourceInputSchema } from "../../schedules/config.ts";
import type { SchedulesService } from "../../schedules/service.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

type SchedulesPort = Pick<SchedulesService, "list" | "get" | "create" | "update" | "remove" | "status" | "importNow" | "matches">;

export const scheduleRoutes = (schedules: SchedulesPort, g: Guards) =>
  new Elysia({ prefix: "/api/v1" })
    .get("/schedules", ({ request }) => {
      g.reader(request);
      return schedules.list();
    }, { detail: { summary: "Match schedule sources (a calendar's URL is never returned)" } })
    .post("/schedules", ({ request, body, set }) => {
      g.admin(request);
      set.status = 201;
      return schedules.create(body);
    }, { detail: { summary: "Add a schedule source: a SpeedGaming event or an iCal calendar", requestBody: jsonBody(SourceInputSchema) } })
    .get("/schedules/:id", ({ request, params }) => {
      g.reader(request);
      return schedules.get(params.id);
    })
    .put("/schedules/:id", ({ request, params, body }) => {
      g.admin(request);
      return schedules.update(params.id, body);
    }, { detail: { summary: "Replace a source's config (leave url out to keep the calendar's)", requestBody: jsonBody(SourceInputSchema) } })
    .delete("/schedules/:id", ({ request, params }) => {
      g.admin(request);
      schedules.remove(params.id);
      return { ok: true };
    }, { detail: { summary: "Delete a source and its matches" } })
    .get("/schedules/:id/status", ({ request, params }) => {
      g.reader(request);
      return schedules.status(params.id);
    }, { detail: { summary: "Last import: when, counts imported/updated/removed/skipped, the problem in words; the clock check" } })
    .post("/schedules/:id/import", async ({ request, params }) => {
      g.admin(request);
      const ok = await schedules.importNow(params.id);
      return { ok, status: schedules.status(params.id) };
    }, { detail: { summary: "Import a source now (or wait for the import under way)" } })
    .get("/matches", ({ request, query }) => {
      g.reader(request);
      return schedules.matches(query);
    }, { detail: { summary: "Matches under way in ?from=&to= (ms or ISO; default the next 30 days), ?mine=true for yours; soonest first, across sources" } });
