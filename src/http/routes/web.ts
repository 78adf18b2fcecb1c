import { Elysia } from "elysia";
import { join } from "node:path";
import { DomainError } from "../../util/errors.ts";

const WEB_DIR = join(import.meta.dir, "../../web");
const FILES: Record<string, string> = { "app.js": "text/javascript", "style.css": "text/css" };

/** The on-device page: static files, no build step. */
export const webRoutes = () =>
  new Elysia()
    .get("/", () => new Response(Bun.file(join(WEB_DIR, "index.html")), { headers: { "content-type": "text/html; charset=utf-8" } }), { detail: { hide: true } })
    .get("/web/:file", ({ params }) => {
      const type = FILES[params.file];
      if (!type) throw new DomainError("not-found", `no file ${params.file}`);
      return new Response(Bun.file(join(WEB_DIR, params.file)), { headers: { "content-type": type } });
    }, { detail: { hide: true } });
