// One error shape for every endpoint: { error: "<what is wrong, naming the field>" }, with the
// domain's error kinds mapped to status codes here, at the edge.
import { storageProblem } from "../store/db.ts";
import { DomainError, errorText, type ErrorKind } from "../util/errors.ts";

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  "too-large": 413,
  unsupported: 415,
  "rate-limited": 429,
  unavailable: 503,
};

/** Elysia's onError hook: maps validation, parse and domain errors to the shape above. */
export function errorBody({ code, error, set }: { code: unknown; error: unknown; set: { status?: number | string } }) {
  // Elysia wraps whatever a parse hook throws in its ParseError: unwrap ours (415, 413, a
  // malformed body or a reserved key), which would otherwise come out as "malformed body" 400.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (code === "PARSE" && cause instanceof DomainError) error = cause;
  if (error instanceof DomainError) {
    set.status = STATUS[error.kind];
    return { error: error.message };
  }
  const storage = storageProblem(error);
  if (storage !== null) {
    set.status = STATUS.unavailable;
    return { error: `could not store the change: ${storage} (${errorText(error)})` };
  }
  switch (code) {
    case "VALIDATION": {
      set.status = 400;
      const all = (error as { all?: { path?: string; message?: string }[] }).all ?? [];
      const what = all.slice(0, 5).map((i) => (i.path ? `${i.path.replace(/^\//, "").replaceAll("/", ".")}: ${i.message}` : i.message)).join("; ");
      return { error: `invalid request: ${what || "validation failed"}` };
    }
    case "PARSE":
      set.status = 400;
      return { error: "malformed body: expected valid JSON" };
    case "NOT_FOUND":
      set.status = 404;
      return { error: "not found" };
    case "INVALID_COOKIE_SIGNATURE":
      set.status = 401;
      return { error: "invalid session cookie" };
  }
  console.error("[http] unhandled error:", error);
  set.status = 500;
  return { error: "internal error" };
}
