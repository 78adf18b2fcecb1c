// Admin auth: a password set on first run (guarded by a one-time code printed to the log),
// a session cookie (HttpOnly, SameSite=Strict) and bearer API tokens for automation.
import { Elysia } from "elysia";
import { z } from "zod";
import { randomToken, sameSecret, type AuthRepo } from "../store/auth.ts";
import { HttpError, validate } from "./errors.ts";

export const SESSION_COOKIE = "ledbox_session";
const SESSION_IN_COOKIE = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]*)`);
const LOGIN_FAILURES_PER_MINUTE = 10;
const MAX_TRACKED_CLIENTS = 1000;

const PasswordSchema = z.string().min(8, "at least 8 characters").max(256);
const SetupSchema = z.strictObject({ code: z.string().min(1), password: PasswordSchema });
const LoginSchema = z.strictObject({ password: z.string().min(1).max(256) });
const TokenSchema = z.strictObject({ name: z.string().min(1).max(64) });

export type Credential = "session" | "token" | null;

export class Auth {
  /** Set while no admin password exists; printed to the log so only the owner can claim the device. */
  setupCode: string | null = null;
  private failures = new Map<string, number[]>();

  constructor(readonly repo: AuthRepo, log: (msg: string) => void) {
    if (!repo.hasAdmin()) {
      this.setupCode = randomToken(6).replace(/[-_]/g, "x").slice(0, 8).toUpperCase();
      log(`[auth] first-run setup code: ${this.setupCode} (enter it on the web page to set the admin password)`);
    }
  }

  /** Which credential the request carries, if any valid one. */
  credential(headers: Headers): Credential {
    const h = headers.get("authorization");
    if (h?.startsWith("Bearer ") && this.repo.validApiToken(h.slice(7).trim())) return "token";
    const session = SESSION_IN_COOKIE.exec(headers.get("cookie") ?? "")?.[1];
    if (session && this.repo.validSession(decodeURIComponent(session))) return "session";
    return null;
  }

  /** Throws 401 unless the request is from the admin. */
  requireAdmin(headers: Headers): void {
    if (this.credential(headers)) return;
    if (headers.get("authorization")) throw new HttpError(401, "invalid API token");
    if (this.setupCode) throw new HttpError(401, "no admin password yet: finish first-run setup with the code printed in the log");
    throw new HttpError(401, "admin credential required: log in or send a bearer API token");
  }

  /** Counted per client address, so one guesser on the LAN cannot lock the owner out. */
  private throttle(client: string): void {
    const now = Date.now();
    const recent = (this.failures.get(client) ?? []).filter((t) => now - t < 60_000);
    this.failures.set(client, recent);
    if (recent.length >= LOGIN_FAILURES_PER_MINUTE) throw new HttpError(429, "too many failed attempts: wait a minute");
  }

  private fail(client: string, message: string): never {
    // Bounded: the oldest address is forgotten first (a Map keeps insertion order).
    if (this.failures.size >= MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(client, [...(this.failures.get(client) ?? []), Date.now()]);
    throw new HttpError(401, message);
  }

  routes() {
    const cookieOptions = (maxAge: number) => ({ httpOnly: true, sameSite: "strict" as const, path: "/", maxAge });
    return new Elysia({ prefix: "/api/v1/auth" })
      .get("/", ({ request }) => ({
        setupRequired: this.setupCode !== null,
        authenticated: this.credential(request.headers) !== null,
      }), { detail: { summary: "Whether first-run setup is pending and whether this request is logged in" } })
      .post("/setup", async ({ body, cookie, set, request, server }) => {
        const client = server?.requestIP(request)?.address ?? "unknown";
        const { code, password } = validate(SetupSchema, body);
        if (!this.setupCode) throw new HttpError(409, "setup is already done: log in instead");
        this.throttle(client);
        if (!sameSecret(code.trim().toUpperCase(), this.setupCode)) this.fail(client, "wrong setup code: use the one printed in the log");
        await this.repo.setPassword(password);
        this.setupCode = null;
        const s = this.repo.createSession();
        cookie[SESSION_COOKIE].set({ value: s.token, ...cookieOptions(s.maxAgeS) });
        set.status = 201;
        return { ok: true };
      }, { detail: { summary: "Set the admin password with the one-time setup code" } })
      .post("/login", async ({ body, cookie, request, server }) => {
        const client = server?.requestIP(request)?.address ?? "unknown";
        const { password } = validate(LoginSchema, body);
        if (this.setupCode) throw new HttpError(409, "no admin password yet: finish first-run setup");
        this.throttle(client);
        if (!(await this.repo.checkPassword(password))) this.fail(client, "wrong password");
        const s = this.repo.createSession();
        cookie[SESSION_COOKIE].set({ value: s.token, ...cookieOptions(s.maxAgeS) });
        return { ok: true };
      }, { detail: { summary: "Log in; sets an HttpOnly, SameSite=Strict session cookie" } })
      .post("/logout", ({ cookie }) => {
        const c = cookie[SESSION_COOKIE];
        if (c?.value) this.repo.endSession(String(c.value));
        c?.set({ value: "", ...cookieOptions(0) });
        return { ok: true };
      })
      .get("/tokens", ({ request }) => {
        this.requireAdmin(request.headers);
        return this.repo.listApiTokens();
      }, { detail: { summary: "List API tokens (names only)" } })
      .post("/tokens", ({ request, body, set }) => {
        this.requireAdmin(request.headers);
        const { name } = validate(TokenSchema, body);
        set.status = 201;
        return this.repo.createApiToken(name);
      }, { detail: { summary: "Create a bearer API token; the token is shown only in this answer" } })
      .delete("/tokens/:id", ({ request, params }) => {
        this.requireAdmin(request.headers);
        if (!this.repo.deleteApiToken(params.id)) throw new HttpError(404, `no API token ${params.id}`);
        return { ok: true };
      });
  }
}
