// Admin auth: a password set on first run (guarded by a one-time code printed to the log),
// login sessions, and bearer API tokens for automation. Failed attempts are throttled per
// client address, so one guesser on the LAN cannot lock the owner out; an attempt is booked
// before it is checked, so concurrent guesses count too. Password checks run two at a time
// (argon2id takes 64 MiB and a core for a moment on a Pi), and setup-code guesses are limited
// device-wide, as an attacker can rotate addresses.
import { z } from "zod";
import type { AuthRepo } from "../store/auth.ts";
import { conflict, DomainError } from "../util/errors.ts";
import { Limiter } from "../util/limiter.ts";
import { randomToken, sameSecret } from "../util/secrets.ts";
import { TokenBucket } from "../util/token-bucket.ts";
import { validate } from "../util/validation.ts";

const LOGIN_FAILURES_PER_MINUTE = 10;
const MAX_TRACKED_CLIENTS = 1000;
/** Password checks at once, and how many more may wait for one. */
export const HASH_CHECKS_AT_ONCE = 2;
const HASH_CHECKS_WAITING = 8;
/** Setup-code guesses from all addresses together: a burst, then this many a second. */
export const SETUP_GUESSES_BURST = 10;
export const SETUP_GUESSES_PER_S = 1;

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
  /** Set while a setup with the right code stores its password: the code is spent. */
  private claiming = false;
  /** Per client address, the times of its recent failed (and in-flight) attempts. */
  private failures = new Map<string, number[]>();
  private readonly hashing = new Limiter(HASH_CHECKS_AT_ONCE, HASH_CHECKS_WAITING);
  private readonly setupGuesses = new TokenBucket(SETUP_GUESSES_PER_S, SETUP_GUESSES_BURST);

  constructor(readonly repo: AuthRepo, private readonly log: (msg: string) => void) {
    void this.setupCode;
  }

  /**
   * While no admin password exists: a one-time code, printed to the log so only someone who can
   * read the device's log can claim it. A password removed on the device (the reset-password
   * tool) makes a new one at once, without a restart.
   */
  get setupCode(): string | null {
    if (this.claiming) return null;
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
    const booked = this.book(client);
    if (!this.setupGuesses.take()) {
      this.unbook(client, booked);
      throw new DomainError("rate-limited", "too many setup attempts on this device: wait a few seconds");
    }
    if (!sameSecret(code.trim().toUpperCase(), this.code!)) throw new DomainError("unauthorized", "wrong setup code: use the one printed in the log");
    this.unbook(client, booked);
    // Spent before the slow hash: a second request with the code cannot claim the device too.
    this.claiming = true;
    try {
      await this.repo.setPassword(password);
    } finally {
      this.claiming = false;
    }
    this.code = null;
    return this.repo.createSession();
  }

  /** A new password, given the current one; every session ends, and this client gets a new one. */
  async changePassword(client: string, body: unknown): Promise<Session> {
    const { current, password } = validate(PasswordChangeSchema, body);
    const booked = this.book(client);
    if (!(await this.checkPassword(client, booked, current))) throw new DomainError("unauthorized", "wrong current password");
    this.unbook(client, booked);
    await this.repo.setPassword(password);
    this.repo.endAllSessions();
    this.log("[auth] the admin password was changed; every session ended");
    return this.repo.createSession();
  }

  async login(client: string, body: unknown): Promise<Session> {
    const { password } = validate(LoginSchema, body);
    if (this.setupCode) conflict("no admin password yet: finish first-run setup");
    const booked = this.book(client);
    if (!(await this.checkPassword(client, booked, password))) throw new DomainError("unauthorized", "wrong password");
    this.unbook(client, booked);
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

  /**
   * Books an attempt for this address before it is checked (a failure keeps it), or refuses
   * with 429 when the address had too many in the last minute.
   */
  private book(client: string): number {
    const now = Date.now();
    const recent = (this.failures.get(client) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= LOGIN_FAILURES_PER_MINUTE) {
      this.failures.set(client, recent);
      throw new DomainError("rate-limited", "too many failed attempts: wait a minute");
    }
    // Bounded: the oldest address is forgotten first (a Map keeps insertion order).
    if (!this.failures.has(client) && this.failures.size >= MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(client, [...recent, now]);
    return now;
  }

  /** The attempt booked at `at` succeeded or was never checked: it does not count. */
  private unbook(client: string, at: number): void {
    const times = this.failures.get(client);
    const i = times?.indexOf(at) ?? -1;
    if (i >= 0) times!.splice(i, 1);
  }

  /** The password check, at most HASH_CHECKS_AT_ONCE at a time; "busy" (429) when too many wait. */
  private async checkPassword(client: string, booked: number, password: string): Promise<boolean> {
    if (!(await this.hashing.acquire())) {
      this.unbook(client, booked);
      throw new DomainError("rate-limited", "busy: too many password checks at once; try again in a moment");
    }
    try {
      return await this.repo.checkPassword(password);
    } finally {
      this.hashing.release();
    }
  }
}
