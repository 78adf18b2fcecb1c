import { Elysia } from "elysia";
import { SettingsSchema } from "../../config/schema.ts";
import { MappingInputSchema } from "../../director/mapping.ts";
import { IntegrationInputSchema } from "../../games/integrations.ts";
import { BaseChangeSchema, EffectSpecSchema } from "../../light/specs.ts";
import { SourceInputSchema } from "../../schedules/config.ts";
import { ServerInputSchema } from "../../servers/config.ts";
import { toJsonSchema } from "../../util/validation.ts";

/** Computed once: the schemas do not change while ledbox runs. */
let cached: Record<string, unknown> | null = null;

/** The zod schemas the API validates with, as JSON Schema: the page builds its forms from them. */
export const schemaRoutes = () =>
  new Elysia().get("/api/v1/schemas", () => {
    cached ??= Object.fromEntries(
      Object.entries({ settings: SettingsSchema, mapping: MappingInputSchema, server: ServerInputSchema, integration: IntegrationInputSchema, base: BaseChangeSchema, effect: EffectSpecSchema, schedule: SourceInputSchema })
        .map(([k, s]) => [k, toJsonSchema(s)]),
    );
    return cached;
  }, { detail: { summary: "JSON Schema of settings, mappings, servers, integrations, the base layer, effects and schedule sources (what the API accepts)" } });
