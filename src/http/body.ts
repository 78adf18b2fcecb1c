// Request bodies: JSON only, read with a cap, and never with a key that reaches a prototype.
// JSON only because a plain HTML form (urlencoded, multipart, text/plain) is the one kind of
// cross-site request a browser sends without asking the device first: refusing it stops any web
// page a LAN user opens from firing events or changing anything with a form.
import { DomainError } from "../util/errors.ts";
import { parseUntrusted } from "../util/json.ts";
import { refuseReservedKeys } from "../util/validation.ts";

/**
 * The largest body any endpoint takes (routes may take more: events, game payloads, a backup). The
 * largest document a user sends is settings with a 64 KiB broker CA; far more is only ever an
 * attack, and its parse would run on the render loop's thread (a few hundred KB: frames lost).
 */
export const MAX_BODY = 128 * 1024;

const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/;

const tooLarge = (size: number, limit: number) => new DomainError("too-large", `body of ${size} bytes is over the ${limit}-byte limit`);

/**
 * The body's text ("" when there is none), or a domain error: 415 for anything but JSON, 413 past
 * `limit` — said by Content-Length before reading, or found while reading a chunked body.
 */
export async function readJsonText(request: Request, limit: number): Promise<string> {
  const headers = request.headers;
  const header = headers.get("content-type");
  const declared = headers.get("content-length");
  const hasBody = declared !== null ? declared !== "0" : headers.has("transfer-encoding");
  // "application/json" exactly is nearly every request: it skips the parsing below (ingest's hot path).
  if (header !== "application/json") {
    const type = (header ?? "").split(";")[0].trim().toLowerCase();
    // No type is fine only without a body (DELETE, POST …/apply); a form's type never is, even empty.
    if (type === "" ? hasBody : !JSON_TYPE.test(type)) {
      throw new DomainError("unsupported", `unsupported body type ${type ? `"${type}"` : "(none)"}: send JSON with Content-Type: application/json`);
    }
  }
  if (!hasBody) return "";
  if (declared === null) return Buffer.from(await readCapped(request, limit)).toString("utf8");
  if (Number(declared) > limit) throw tooLarge(Number(declared), limit);
  // A declared length is what the server reads (no more): within the limit it is read whole, and
  // decoded natively (a third of the cost of bytes then a Buffer, per request).
  return request.text();
}

/** The body's bytes, or a 413 past `limit`: said by Content-Length before reading, or found while reading. */
export async function readCapped(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(Number(declared), limit);
  if (!request.body) return new Uint8Array(0);
  // A declared length is what the server reads (no more): within the limit, it is read whole. Only
  // a chunked body, whose size nobody said, is counted while it streams.
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(size, limit);
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** Parsed JSON (null for an empty body), refusing malformed text and reserved keys with a 400. */
export function parseJson(text: string): unknown {
  if (text === "") return null;
  let value: unknown;
  try {
    value = parseUntrusted(text);
  } catch (err) {
    throw new DomainError("invalid", `malformed body: expected valid JSON (${(err as Error).message})`);
  }
  refuseReservedKeys(value);
  return value;
}

/**
 * Elysia's parse hook for every route: JSON only, within the route's limit. Routes listed in
 * `ownParser` read their body themselves (a game payload is counted in its integration's status).
 */
export function jsonBodies(limits: Record<string, number>, ownParser: string[]) {
  return async ({ request, route }: { request: Request; route: string }) => {
    if (ownParser.includes(route)) return undefined;
    return parseJson(await readJsonText(request, limits[route] ?? MAX_BODY));
  };
}
