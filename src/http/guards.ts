// Who may do what, checked at the edge. Guards read the request's headers only when a credential
// is needed: asking Elysia for the parsed cookie costs every request, the hot ingest path too.
import type { Auth } from "../auth/service.ts";
import type { Settings } from "../config/schema.ts";
import { presented } from "./session.ts";

export interface Guards {
  /** Changing endpoints: admin session or bearer API token. */
  admin(request: Request): void;
  /** Reads of state/health/live: open unless settings.http.reads is "token". */
  reader(request: Request): void;
  /** Event ingest: open unless settings.http.ingest is "token". */
  ingest(request: Request): void;
}

export function createGuards(auth: Pick<Auth, "requireAdmin">, settings: () => Settings): Guards {
  const admin = (req: Request) => auth.requireAdmin(presented(req.headers));
  return {
    admin,
    reader: (req) => {
      if (settings().http.reads === "token") admin(req);
    },
    ingest: (req) => {
      if (settings().http.ingest === "token") admin(req);
    },
  };
}
