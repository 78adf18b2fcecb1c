// The credentials a request carries, as the auth service reads them: a bearer token, or the
// session cookie (HttpOnly, SameSite=Strict) that login sets.
import type { Presented } from "../auth/service.ts";

export const SESSION_COOKIE = "ledbox_session";
const SESSION_IN_COOKIE = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]*)`);

export function presented(headers: Headers): Presented {
  const h = headers.get("authorization");
  const session = SESSION_IN_COOKIE.exec(headers.get("cookie") ?? "")?.[1];
  return { bearer: h?.startsWith("Bearer ") ? h.slice(7).trim() : null, session: session ? decodeURIComponent(session) : null };
}

export const sessionCookie = (value: string, maxAge: number) => ({ value, httpOnly: true, sameSite: "strict" as const, path: "/", maxAge });
