import { Elysia } from "elysia";
import { redactSettings, SettingsSchema } from "../../config/schema.ts";
import type { SettingsService } from "../../config/service.ts";
import { DomainError } from "../../util/errors.ts";
import { isObject } from "../../util/json.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

export const settingsRoutes = (settings: Pick<SettingsService, "get" | "update">, dataDir: string, g: Guards) =>
  new Elysia({ prefix: "/api/v1/settings" })
    .get("/", ({ request }) => {
      g.reader(request);
      return { ...redactSettings(settings.get()), dataDir };
    }, { detail: { summary: "All settings (dataDir is start-up only: --data or LEDBOX_DATA_DIR)" } })
    .put("/", async ({ request, body }) => {
      g.admin(request);
      const r = await settings.update(withoutDataDir(body, dataDir));
      if (!r.ok) throw new DomainError("invalid", `invalid settings: ${r.error}`);
      return { settings: redactSettings(r.settings), restartRequired: r.restartRequired };
    }, { detail: { summary: "Change settings: a partial document, merged, validated whole, stored atomically, applied live", requestBody: jsonBody(SettingsSchema) } });

/**
 * GET adds dataDir (start-up only) to the settings, so a client that PUTs back what it read would
 * be rejected for an unknown key: drop it when unchanged, name it when someone tries to change it.
 */
function withoutDataDir(body: unknown, dataDir: string): unknown {
  if (!isObject(body) || !("dataDir" in body)) return body;
  const { dataDir: given, ...rest } = body;
  if (given !== dataDir) throw new DomainError("invalid", "invalid settings: dataDir: set at start-up only (--data or LEDBOX_DATA_DIR)");
  return rest;
}
