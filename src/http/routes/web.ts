import { Elysia } from "elysia";
import { existsSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { DomainError } from "../../util/errors.ts";

const WEB_DIR = join(import.meta.dir, "../../web");
const TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", mjs: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", html: "text/html; charset=utf-8", svg: "image/svg+xml" };
/** The page's libraries and the API docs viewer, served from the installed packages: no CDN, works offline. */
const PACKAGED: Record<string, string> = {
  "/web/vendor/preact.js": "preact",
  "/web/vendor/hooks.js": "preact/hooks",
  "/web/vendor/htm.js": "htm",
  "/api/docs/assets/swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
  "/api/docs/assets/swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
};

interface Asset {
  type: string;
  raw: Uint8Array;
  gzip: Uint8Array;
  etag: string;
}

/** Read and compressed once per file: the page is small and fixed while ledbox runs. */
const assets = new Map<string, Asset>();

function asset(file: string): Asset {
  let a = assets.get(file);
  if (!a) {
    const raw = new Uint8Array(readFileSync(file));
    a = { type: TYPES[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream", raw, gzip: Bun.gzipSync(raw, { level: 9 }), etag: `"${Bun.hash(raw).toString(36)}"` };
    assets.set(file, a);
  }
  return a;
}

/** The file, compressed when the browser takes gzip; 304 when it already has this version. */
function serve(file: string, request: Request): Response {
  const a = asset(file);
  if (request.headers.get("if-none-match") === a.etag) return new Response(null, { status: 304, headers: { etag: a.etag } });
  const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
  const headers: Record<string, string> = { "content-type": a.type, etag: a.etag, "cache-control": "no-cache", vary: "accept-encoding" };
  if (gzip) headers["content-encoding"] = "gzip";
  return new Response((gzip ? a.gzip : a.raw) as Uint8Array<ArrayBuffer>, { headers });
}

/** A page file by its path under web/: letters, digits, -, _ and / only, so nothing outside it. */
function pageFile(path: string): string {
  const rel = path.slice("/web/".length);
  const file = normalize(join(WEB_DIR, rel));
  if (!/^[a-z0-9_/-]+\.(js|css|svg)$/.test(rel) || !file.startsWith(WEB_DIR + "/") || !existsSync(file)) throw new DomainError("not-found", `no file ${rel}`);
  return file;
}

/** The on-device page: static files, no build step. */
export const webRoutes = () => {
  const packaged = new Map(Object.entries(PACKAGED).map(([path, spec]) => [path, Bun.resolveSync(spec, import.meta.dir)]));
  return new Elysia()
    .get("/", ({ request }) => serve(join(WEB_DIR, "index.html"), request), { detail: { hide: true } })
    .get("/web/*", ({ request, path }) => serve(packaged.get(path) ?? pageFile(path), request), { detail: { hide: true } })
    .get("/api/docs/assets/*", ({ request, path }) => {
      const file = packaged.get(path);
      if (!file) throw new DomainError("not-found", `no file ${path}`);
      return serve(file, request);
    }, { detail: { hide: true } });
};
