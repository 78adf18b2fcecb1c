import { Elysia } from "elysia";
import { redactSettings, SettingsSchema } from "../../config/schema.ts";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import { jsonBody } from "../docs.ts";
import { HttpError } from "../errors.ts";

export const settingsRoutes = (box: Ledbox, g: Guards) =>
  new Elysia({ prefix: "/api/v1/settings" })
    .get("/", ({ request }) => {
      g.reader(request);
      return { ...redactSettings(box.settings.get()), dataDir: box.boot.dataDir };
    }, { detail: { summary: "All settings (dataDir is start-up only: --data or LEDBOX_DATA_DIR)" } })
    .put("/", async ({ request, body }) => {
      g.admin(request);
      const r = await box.settings.update(withoutDataDir(body, box.boot.dataDir));
      if (!r.ok) throw new HttpError(400, `invalid settings: ${r.error}`);
      return { settings: redactSettings(r.settings), restartRequired: r.restartRequired };
    }, { detail: { summary: "Change settings: a partial document, merged, validated whole, stored atomically, applied live", requestBody: jsonBody(SettingsSchema) } });

/**
 * GET adds dataDir (start-up only) to the settings, so a client that PUTs back what it read would
 * be rejected for an unknown key: drop it when unchanged, name it when someone tries to change it.
 */
function withoutDataDir(body: unknown, dataDir: string): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("dataDir" in body)) return body;
  const { dataDir: given, ...rest } = body as Record<string, unknown>;
  if (given !== dataDir) throw new HttpError(400, "invalid settings: dataDir: set at start-up only (--data or LEDBOX_DATA_DIR)");
  return rest;
}
