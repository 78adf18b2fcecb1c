import { Elysia } from "elysia";
import { MappingInputSchema } from "../../director/mapping.ts";
import type { MappingsService } from "../../director/mappings.ts";
import { PRESETS } from "../../director/presets.ts";
import type { SceneControl } from "../../director/scene-control.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

type MappingsPort = Pick<MappingsService, "records" | "record" | "create" | "update" | "delete">;

export const mappingRoutes = (mappings: MappingsPort, scene: Pick<SceneControl, "preset" | "applyPreset">, g: Guards) =>
  new Elysia({ prefix: "/api/v1" })
    .get("/mappings", ({ request }) => {
      g.reader(request);
      return mappings.records();
    }, { detail: { summary: "All mappings (event → effect, value → meter)" } })
    .get("/mappings/:id", ({ request, params }) => {
      g.reader(request);
      return mappings.record(params.id);
    })
    .post("/mappings", ({ request, body, set }) => {
      g.admin(request);
      set.status = 201;
      return mappings.create(body);
    }, { detail: { summary: "Create a mapping", requestBody: jsonBody(MappingInputSchema) } })
    .put("/mappings/:id", ({ request, body, params }) => {
      g.admin(request);
      return mappings.update(params.id, body);
    }, { detail: { summary: "Replace a mapping", requestBody: jsonBody(MappingInputSchema) } })
    .delete("/mappings/:id", ({ request, params }) => {
      g.admin(request);
      mappings.delete(params.id);
      return { ok: true };
    })
    .get("/presets", () => PRESETS, { detail: { summary: "Built-in presets" } })
    .post("/presets/:id/apply", ({ request, params }) => {
      g.admin(request);
      const p = scene.preset(params.id);
      return { applied: p.id, mappings: scene.applyPreset(p) };
    }, { detail: { summary: "Apply a preset: its mappings replace earlier preset mappings; your own stay" } });
