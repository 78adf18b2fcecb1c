import { Elysia } from "elysia";
import { z } from "zod";
import { MAX_BACKUP_BYTES, type SystemService } from "../../system/service.ts";
import { DomainError } from "../../util/errors.ts";
import { validate } from "../../util/validation.ts";
import { readCapped } from "../body.ts";
import type { Guards } from "../guards.ts";

const LogQuery = z.object({ lines: z.coerce.number().int().min(1).max(500).default(200) });

export const systemRoutes = (system: Pick<SystemService, "info" | "logTail" | "backup" | "restore" | "restart">, g: Guards) =>
  new Elysia({ prefix: "/api/v1/system" })
    .get("/", ({ request }) => {
      g.reader(request);
      return system.info();
    }, { detail: { summary: "Version, host name, runtime, data folder, start time and uptime" } })
    .get("/log", ({ request, query }) => {
      g.admin(request);
      return { lines: system.logTail(validate(LogQuery, query, "query").lines) };
    }, { detail: { summary: "The newest log lines (at most 500)" } })
    .get("/backup", ({ request }) => {
      g.admin(request);
      const name = `ledbox-backup-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.db`;
      return new Response(system.backup() as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": "application/vnd.sqlite3", "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" },
      });
    }, { detail: { summary: "Download everything stored as one file (a consistent SQLite copy; it holds the device's secrets: keep it safe)" } })
    .post("/restore", async ({ request, set }) => {
      g.admin(request);
      const len = Number(request.headers.get("content-length") ?? 0);
      if (len > MAX_BACKUP_BYTES) throw new DomainError("too-large", `a backup of ${len} bytes is over the ${MAX_BACKUP_BYTES}-byte limit`);
      system.restore(await readCapped(request, MAX_BACKUP_BYTES));
      set.status = 202;
      return { ok: true, restarting: true };
    }, { parse: () => null, detail: { summary: "Restore a backup (the file's bytes as the body): checked first, then ledbox restarts on it; the current database is kept" } })
    .post("/restart", ({ request, set }) => {
      g.admin(request);
      system.restart();
      set.status = 202;
      return { ok: true, restarting: true };
    }, { detail: { summary: "Restart ledbox (outputs black out briefly; the page reconnects by itself)" } });
