import { Elysia } from "elysia";
import type { Auth } from "../../auth/service.ts";
import type { Guards } from "../guards.ts";
import { presented, SESSION_COOKIE, sessionCookie } from "../session.ts";

type AuthPort = Pick<Auth, "setupCode" | "credential" | "setup" | "login" | "changePassword" | "logout" | "tokens" | "createToken" | "deleteToken">;

/** First-run setup, login/logout (a session cookie) and API tokens. */
export const authRoutes = (auth: AuthPort, g: Guards) =>
  new Elysia({ prefix: "/api/v1/auth" })
    .get("/", ({ request }) => ({
      setupRequired: auth.setupCode !== null,
      authenticated: auth.credential(presented(request.headers)) !== null,
    }), { detail: { summary: "Whether first-run setup is pending and whether this request is logged in" } })
    .post("/setup", async ({ body, cookie, set, request, server }) => {
      const s = await auth.setup(server?.requestIP(request)?.address ?? "unknown", body);
      cookie[SESSION_COOKIE].set(sessionCookie(s.token, s.maxAgeS));
      set.status = 201;
      return { ok: true };
    }, { detail: { summary: "Set the admin password with the one-time setup code" } })
    .post("/login", async ({ body, cookie, request, server }) => {
      const s = await auth.login(server?.requestIP(request)?.address ?? "unknown", body);
      cookie[SESSION_COOKIE].set(sessionCookie(s.token, s.maxAgeS));
      return { ok: true };
    }, { detail: { summary: "Log in; sets an HttpOnly, SameSite=Strict session cookie" } })
    .post("/password", async ({ body, cookie, request, server }) => {
      g.admin(request);
      const s = await auth.changePassword(server?.requestIP(request)?.address ?? "unknown", body);
      cookie[SESSION_COOKIE].set(sessionCookie(s.token, s.maxAgeS));
      return { ok: true };
    }, { detail: { summary: "Change the admin password (the current one required); every session ends, this one gets a new cookie" } })
    .post("/logout", ({ cookie }) => {
      const c = cookie[SESSION_COOKIE];
      if (c?.value) auth.logout(String(c.value));
      c?.set(sessionCookie("", 0));
      return { ok: true };
    })
    .get("/tokens", ({ request }) => {
      g.admin(request);
      return auth.tokens();
    }, { detail: { summary: "List API tokens (names only)" } })
    .post("/tokens", ({ request, body, set }) => {
      g.admin(request);
      set.status = 201;
      return auth.createToken(body);
    }, { detail: { summary: "Create a bearer API token; the token is shown only in this answer" } })
    .delete("/tokens/:id", ({ request, params }) => {
      g.admin(request);
      auth.deleteToken(params.id);
      return { ok: true };
    });
