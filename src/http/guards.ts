// Who may do what, checked at the edge. Guards read the request's headers only when a credential
// is needed: asking Elysia for the parsed cookie costs every request, the hot event path too.
import { isIP } from "node:net";
import { hostname } from "node:os";
import type { Auth } from "../auth/service.ts";
import type { Settings } from "../config/schema.ts";
import { DomainError } from "../util/errors.ts";
import { presented } from "./session.ts";

export interface Guards {
  /**
   * Every request, before anything else: it names this device (DNS rebinding), and a browser's
   * changing request or live connection comes from this device's own page (CSRF). A valid API
   * token passes both: scripts may reach the device by any name.
   */
  request(request: Request): void;
  /** Changing endpoints: admin session or bearer API token. */
  admin(request: Request): void;
  /** Reads of state/health/live: open unless settings.http.reads is "token". */
  reader(request: Request): void;
  /** Posting standard events (POST /events): open unless settings.http.ingest is "token". */
  events(request: Request): void;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function createGuards(auth: Pick<Auth, "requireAdmin" | "credential">, settings: () => Settings): Guards {
  const admin = (req: Request) => auth.requireAdmin(presented(req.headers));
  const own = ownNames();
  const apiToken = (req: Request) => auth.credential({ bearer: presented(req.headers).bearer }) === "token";
  const refuse = (req: Request, why: string) => {
    if (!apiToken(req)) throw new DomainError("forbidden", why);
  };
  return {
    request: (req) => {
      const host = req.headers.get("host");
      if (host !== null) {
        const name = hostnameOf(host);
        if (!own.has(name) && !isIpLiteral(name) && !settings().http.allowedHosts.includes(name)) {
          refuse(req, `refused: this device does not answer to the name "${name}" (its own names and IP addresses only; add others to http.allowedHosts, or send an API token)`);
        }
      }
      if (SAFE_METHODS.has(req.method) && req.headers.get("upgrade")?.toLowerCase() !== "websocket") return;
      const site = req.headers.get("sec-fetch-site");
      const origin = req.headers.get("origin");
      if (site !== null ? site !== "same-origin" && site !== "none" : origin !== null && !sameOrigin(origin, host)) {
        refuse(req, `refused: a cross-site request (${site !== null ? `Sec-Fetch-Site: ${site}` : `Origin: ${origin}`}); only this device's own page may change it or open the live channel`);
      }
    },
    admin,
    reader: (req) => {
      if (settings().http.reads === "token") admin(req);
    },
    events: (req) => {
      if (settings().http.ingest === "token") admin(req);
    },
  };
}

/** The names a DNS-rebinding page cannot use: the device's own. */
function ownNames(): Set<string> {
  const h = hostname().toLowerCase();
  return new Set(["localhost", h, `${h}.local`]);
}

/**
 * Any IP address is accepted as a Host: a rebinding page can only send a name it controls (its
 * own domain), never an address, and game integrations post to the device's LAN address, which
 * DHCP may change.
 */
const isIpLiteral = (name: string) => isIP(name.startsWith("[") ? name.slice(1, -1) : name) !== 0;

/** "Ledbox.local.:8080" → "ledbox.local"; "[::1]:8080" → "[::1]". */
function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  const name = h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.replace(/:\d*$/, "");
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

function sameOrigin(origin: string, host: string | null): boolean {
  try {
    return host !== null && new URL(origin).host === host.trim().toLowerCase();
  } catch {
    return false; // "null" (a sandboxed frame, a file) or garbage
  }
}
