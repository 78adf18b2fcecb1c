// Admin auth: a password set on first run (guarded by a one-time code printed to the log),
// login sessions, and bearer API tokens for automation. Failed attempts are throttled per
// client address, so one guesser on the LAN cannot lock the owner out.
import { z } from "zod";
import type { AuthRepo } from "../store/auth.ts";
import { conflict, DomainError } from "../util/errors.ts";
import { randomToken, sameSecret } from "../util/secrets.ts";
import { validate } from "../util/validation.ts";

const LOGIN_FAILURES_PER_MINUTE = 10;
const MAX_TRACKED_CLIENTS = 1000;

const PasswordSchema = z.string().min(8, "at least 8 characters").max(256);
export const SetupSchema = z.strictObject({ code: z.string().min(1), password: PasswordSchema });
export const LoginSchema = z.strictObject({ password: z.string().min(1).max(256) });
export const TokenSchema = z.strictObject({ name: z.string().min(1).max(64) });
export const PasswordChangeSchema = z.strictObject({ current: z.string().min(1).max(256), password: PasswordSchema });

/** What a request presents: a bearer token and/or a session token (from a cookie). */
export interface Presented {
  bearer?: string | null;
  session?: string | null;
}

export type Credential = "session" | "token" | null;

export interface Session {
  token: string;
  maxAgeS: number;
}

export class Auth {
  private code: string | null = null;
  private failures = new Map<string, number[]>();

  constructor(readonly repo: AuthRepo, private readonly log: (msg: string) => void) {
    void this.setupCode;
  }

  /**
   * While no admin password exists: a one-time code, printed to the log so only someone who can
   * read the device's log can claim it. A password removed on the device (the reset-password
   * tool) makes a new one at once, without a restart.
   */
  get setupCode(): string | null {
    if (this.repo.hasAdmin()) return (this.code = null);
    if (!this.code) {
      this.code = randomToken(6).replace(/[-_]/g, "x").slice(0, 8).toUpperCase();
      this.log(`[auth] first-run setup code: ${this.code} (enter it on the web page to set the admin password)`);
    }
    return this.code;
  }

  /** Which valid credential is presented, if any. */
  credential(p: Presented): Credential {
    if (p.bearer && this.repo.validApiToken(p.bearer)) return "token";
    if (p.session && this.repo.validSession(p.session)) return "session";
    return null;
  }

  /** An "unauthorized" error unless the admin presents a credential. */
  requireAdmin(p: Presented): void {
    if (this.credential(p)) return;
    if (p.bearer) throw new DomainError("unauthorized", "invalid API token");
    if (this.setupCode) throw new DomainError("unauthorized", "no admin password yet: finish first-run setup with the code printed in the log");
    throw new DomainError("unauthorized", "admin credential required: log in or send a bearer API token");
  }

  /** Claims the device: the setup code sets the admin password; returns a session. */
  async setup(client: string, body: unknown): Promise<Session> {
    const { code, password } = validate(SetupSchema, body);
    if (!this.setupCode) conflict("setup is already done: log in instead");
    this.throttle(client);
    if (!sameSecret(code.trim().toUpperCase(), this.code!)) this.fail(client, "wrong setup code: use the one printed in the log");
    await this.repo.setPassword(password);
    this.code = null;
    return this.repo.createSession();
  }

  /** A new password, given the current one; every session ends, and this client gets a new one. */
  async changePassword(client: string, body: unknown): Promise<Session> {
    const { current, password } = validate(PasswordChangeSchema, body);
    this.throttle(client);
    if (!(await this.repo.checkPassword(current))) this.fail(client, "wrong current password");
    await this.repo.setPassword(password);
    this.repo.endAllSessions();
    this.log("[auth] the admin password was changed; every session ended");
    return this.repo.createSession();
  }

  async login(client: string, body: unknown): Promise<Session> {
    const { password } = validate(LoginSchema, body);
    if (this.setupCode) conflict("no admin password yet: finish first-run setup");
    this.throttle(client);
    if (!(await this.repo.checkPassword(password))) this.fail(client, "wrong password");
    return this.repo.createSession();
  }

  logout(session: string): void {
    this.repo.endSession(session);
  }

  tokens() {
    return this.repo.listApiTokens();
  }

  createToken(body: unknown) {
    return this.repo.createApiToken(validate(TokenSchema, body).name);
  }

  deleteToken(id: string): void {
    if (!this.repo.deleteApiToken(id)) throw new DomainError("not-found", `no API token ${id}`);
  }

  private throttle(client: string): void {
    const now = Date.now();
    const recent = (this.failures.get(client) ?? []).filter((t) => now - t < 60_000);
    this.failures.set(client, recent);
    if (recent.length >= LOGIN_FAILURES_PER_MINUTE) throw new DomainError("rate-limited", "too many failed attempts: wait a minute");
  }

  private fail(client: string, message: string): never {
    // Bounded: the oldest address is forgotten first (a Map keeps insertion order).
    if (this.failures.size >= MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(client, [...(this.failures.get(client) ?? []), Date.now()]);
    throw new DomainError("unauthorized", message);
  }
}
