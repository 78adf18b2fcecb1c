import { Elysia } from "elysia";
import { SettingsSchema } from "../../config/schema.ts";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import { jsonBody } from "../docs.ts";
import { HttpError } from "../errors.ts";

export const settingsRoutes = (box: Ledbox, g: Guards) =>
  new Elysia({ prefix: "/api/v1/settings" })
    .get("/", ({ request, cookie }) => {
      g.reader(request, cookie);
      return { ...box.settings.get(), dataDir: box.boot.dataDir };
    }, { detail: { summary: "All settings (dataDir is start-up only: --data or LEDBOX_DATA_DIR)" } })
    .put("/", async ({ request, cookie, body }) => {
      g.admin(request, cookie);
      const r = await box.settings.update(body);
      if (!r.ok) throw new HttpError(400, `invalid settings: ${r.error}`);
      return { settings: r.settings, restartRequired: r.restartRequired };
    }, { detail: { summary: "Change settings: a partial document, merged, validated whole, stored atomically, applied live", requestBody: jsonBody(SettingsSchema) } });
