// The device itself: version and uptime, the log tail, backup and restore of everything stored,
// and a restart. Restarting is the entry point's (it builds a new ledbox on the same port); this
// service only asks for it, after checking a restore completely.
import type { Database } from "bun:sqlite";
import { hostname } from "node:os";
import { VERSION } from "../config/version.ts";
import { backup, checkBackup } from "../store/backup.ts";
import { DomainError } from "../util/errors.ts";
import type { LogRing } from "../util/log.ts";

/** Largest backup taken for a restore: far over any real device's database. */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

export interface SystemPorts {
  db: Database;
  dataDir: string;
  logs: LogRing;
  /** Stops this ledbox and starts a new one; with `restore`, on that database instead. */
  restart(restore?: Uint8Array): void;
}

export class SystemService {
  private readonly startedAt = Date.now();

  constructor(private readonly ports: SystemPorts) {}

  info() {
    return {
      version: VERSION,
      hostname: hostname(),
      runtime: `Bun ${Bun.version} on ${process.platform}/${process.arch}`,
      dataDir: this.ports.dataDir,
      startedAt: new Date(this.startedAt).toISOString(),
      uptimeS: Math.round(process.uptime()),
    };
  }

  logTail(lines: number): string[] {
    return this.ports.logs.tail(lines);
  }

  /** Everything stored (settings, mappings, integrations, servers, history, credentials) as one SQLite file. */
  backup(): Uint8Array {
    return backup(this.ports.db, this.ports.dataDir);
  }

  /** Checks a backup completely, then restarts on it; the current database is kept beside it. */
  restore(bytes: Uint8Array): void {
    if (bytes.length > MAX_BACKUP_BYTES) throw new DomainError("too-large", `a backup of ${bytes.length} bytes is over the ${MAX_BACKUP_BYTES}-byte limit`);
    const problem = checkBackup(bytes, this.ports.dataDir);
    if (problem) throw new DomainError("invalid", `cannot restore: ${problem}; nothing was changed`);
    this.ports.restart(bytes);
  }

  restart(): void {
    this.ports.restart();
  }
}
