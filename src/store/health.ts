// How the storage is, for the health page: what opening it found (a damaged database set aside,
// rows left out), whether it runs only in memory, and whether there is room to store a change.
import { statfsSync } from "node:fs";
import type { OpenReport } from "./db.ts";

/** Below this much free space a change may not fit: the disk counts as full. */
const LOW_SPACE = 1024 * 1024;

export class StorageHealth implements OpenReport {
  /** What start-up found and dealt with; each is also in the log. */
  readonly notices: string[] = [];
  private standing: string | null = null;

  constructor(readonly dataDir: string, private readonly log: (msg: string) => void) {}

  /** Said once: a damaged row is met again on every read of its table. */
  note(msg: string): void {
    if (this.notices.includes(msg)) return;
    this.notices.push(msg);
    this.log(`[store] ${msg}`);
  }

  inMemory(why: string): void {
    this.standing = why;
    this.log(`[store] ${why}`);
  }

  /** A stored row that could not be read: the rest load without it. */
  leftOut(what: string, why: string): void {
    this.note(`${what} left out: ${why}`);
  }

  report() {
    const free = freeBytes(this.dataDir);
    const problem = this.standing ?? (free !== null && free < LOW_SPACE ? `the disk holding ${this.dataDir} is full (${free} bytes free): changes cannot be stored` : null);
    return { ok: problem === null, dataDir: this.dataDir, freeBytes: free, problem, notices: this.notices };
  }
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
