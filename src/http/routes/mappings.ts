import { Elysia } from "elysia";
import { MappingInputSchema, type MappingInput } from "../../director/mapping.ts";
import { PRESETS, presetById } from "../../director/presets.ts";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import { jsonBody } from "../docs.ts";
import { HttpError, validate } from "../errors.ts";

export const mappingRoutes = (box: Ledbox, g: Guards) =>
  new Elysia({ prefix: "/api/v1" })
    .get("/mappings", ({ request }) => {
      g.reader(request);
      return box.mappings.records();
    }, { detail: { summary: "All mappings (event → effect, value → meter)" } })
    .get("/mappings/:id", ({ request, params }) => {
      g.reader(request);
      return box.mappings.record(params.id) ?? notFound(params.id);
    })
    .post("/mappings", ({ request, body, set }) => {
      g.admin(request);
      const rec = box.mappings.create(mappingInput(body));
      box.reloadMappings();
      set.status = 201;
      return rec;
    }, { detail: { summary: "Create a mapping", requestBody: jsonBody(MappingInputSchema) } })
    .put("/mappings/:id", ({ request, body, params }) => {
      g.admin(request);
      const rec = box.mappings.update(params.id, mappingInput(body)) ?? notFound(params.id);
      box.reloadMappings();
      return rec;
    }, { detail: { summary: "Replace a mapping", requestBody: jsonBody(MappingInputSchema) } })
    .delete("/mappings/:id", ({ request, params }) => {
      g.admin(request);
      if (!box.mappings.delete(params.id)) notFound(params.id);
      box.reloadMappings();
      return { ok: true };
    })
    .get("/presets", () => PRESETS, { detail: { summary: "Built-in presets" } })
    .post("/presets/:id/apply", ({ request, params }) => {
      g.admin(request);
      const p = presetById.get(params.id);
      if (!p) throw new HttpError(404, `no preset "${params.id}" (have: ${PRESETS.map((x) => x.id).join(", ")})`);
      return { applied: p.id, mappings: box.applyPreset(p) };
    }, { detail: { summary: "Apply a preset: its mappings replace earlier preset mappings; your own stay" } });

/**
 * Validates a mapping body and returns what to store. The schema lets unknown top-level fields
 * through and the raw body used to be stored, so a typo ("cooldown" for "cooldownMs") was kept
 * and silently ignored: name it instead. A record's own fields (as GET returns them) may come
 * back in a PUT and are dropped.
 */
function mappingInput(body: unknown): MappingInput {
  validate(MappingInputSchema, body, "mapping");
  const { id, preset, createdAt, updatedAt, ...input } = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !(k in MappingInputSchema.shape));
  if (unknown.length) throw new HttpError(400, `invalid mapping: ${unknown.map((k) => `${k}: unknown field`).join("; ")}`);
  return input as MappingInput;
}

function notFound(id: string): never {
  throw new HttpError(404, `no mapping ${id}`);
}
