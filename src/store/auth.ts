// Admin credential, login sessions and API tokens. Only hashes are stored: a stolen database
// gives no working session or token.
import type { Database } from "bun:sqlite";
import { randomToken, sha256 } from "../util/secrets.ts";
import { nowIso } from "./db.ts";

const SESSION_DAYS = 30;

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: string;
}

/** What Bun.password.hash stores (argon2id by default; bcrypt verifies too). */
const PASSWORD_HASH = /^\$(argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{22,}\$[A-Za-z0-9+/]{22,}|2[abxy]\$\d\d\$[./A-Za-z0-9]{53})$/;

export class AuthRepo {
  /** `damaged` hears of a stored password that cannot be checked: the device asks for setup again. */
  constructor(private readonly db: Database, private readonly damaged: (what: string, why: string) => void = () => {}) {}

  /** True when a usable admin password is stored. */
  hasAdmin(): boolean {
    const row = this.db.query("SELECT password_hash FROM admin WHERE id = 1").get() as { password_hash: unknown } | null;
    if (!row) return false;
    if (typeof row.password_hash === "string" && PASSWORD_HASH.test(row.password_hash)) return true;
    this.damaged("the admin password", "its stored hash is damaged; a new setup code is in the log");
    return false;
  }

  async setPassword(password: string): Promise<void> {
    const hash = await Bun.password.hash(password);
    this.db.query("INSERT INTO admin (id, password_hash, created_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET password_hash = excluded.password_hash").run(hash, nowIso());
  }

  async checkPassword(password: string): Promise<boolean> {
    const row = this.db.query("SELECT password_hash FROM admin WHERE id = 1").get() as { password_hash: string } | null;
    return row ? Bun.password.verify(password, row.password_hash) : false;
  }

  createSession(): { token: string; maxAgeS: number } {
    const token = randomToken();
    const maxAgeS = SESSION_DAYS * 86400;
    this.db.query("DELETE FROM sessions WHERE expires_at < ?").run(Date.now());
    this.db.query("INSERT INTO sessions (token_hash, expires_at) VALUES (?, ?)").run(sha256(token), Date.now() + maxAgeS * 1000);
    return { token, maxAgeS };
  }

  validSession(token: string): boolean {
    const row = this.db.query("SELECT expires_at FROM sessions WHERE token_hash = ?").get(sha256(token)) as { expires_at: number } | null;
    return row !== null && row.expires_at > Date.now();
  }

  endSession(token: string): void {
    this.db.query("DELETE FROM sessions WHERE token_hash = ?").run(sha256(token));
  }

  endAllSessions(): void {
    this.db.query("DELETE FROM sessions").run();
  }

  /** Forgets the admin password (recovery on the device): the next request makes a new setup code. */
  removeAdmin(): void {
    this.db.transaction(() => {
      this.db.query("DELETE FROM admin").run();
      this.db.query("DELETE FROM sessions").run();
    })();
  }

  createApiToken(name: string): ApiTokenInfo & { token: string } {
    const id = crypto.randomUUID();
    const token = `lbx_${randomToken()}`;
    const createdAt = nowIso();
    this.db.query("INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)").run(id, name, sha256(token), createdAt);
    return { id, name, createdAt, token };
  }

  listApiTokens(): ApiTokenInfo[] {
    return this.db.query("SELECT id, name, created_at AS createdAt FROM api_tokens ORDER BY created_at").all() as ApiTokenInfo[];
  }

  deleteApiToken(id: string): boolean {
    return this.db.query("DELETE FROM api_tokens WHERE id = ?").run(id).changes > 0;
  }

  validApiToken(token: string): boolean {
    return this.db.query("SELECT 1 FROM api_tokens WHERE token_hash = ?").get(sha256(token)) !== null;
  }
}
