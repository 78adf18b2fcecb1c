// Whether the wall clock can be believed. A Pi has no real-time clock: it boots at the time it
// last saved (or in 1970) and jumps when NTP syncs, so nothing of the schedules runs on the clock
// until systemd-timesyncd says it is synchronised, or the clock reads later than the latest time
// this device believed before (kept in the database, once a minute) and than NOT_BEFORE.
import { existsSync } from "node:fs";
import type { SchedulesRepo } from "../store/schedules.ts";

export const SYNC_FLAG = "/run/systemd/timesync/synchronized";
/** No clock that reads earlier is right: this code was written after it. */
export const NOT_BEFORE = Date.UTC(2026, 0, 1);
const SAVE_EVERY_MS = 60_000;

export class ClockCheck {
  private lastSeen: number;

  constructor(private readonly repo: Pick<SchedulesRepo, "lastSeen" | "saveLastSeen">, private readonly syncFlag = SYNC_FLAG) {
    this.lastSeen = repo.lastSeen() ?? 0;
  }

  /** null when the clock is to be believed at `now`, else why not, in words. */
  check(now: number): string | null {
    const floor = Math.max(NOT_BEFORE, this.lastSeen);
    if (existsSync(this.syncFlag) || now > floor) return null;
    return `waiting for the system clock: it is not synchronised (no ${this.syncFlag}) and reads ${new Date(now).toISOString()}, not after ${new Date(floor).toISOString()}`;
  }

  /** Remembers a believed time (written at most once a minute). */
  seen(now: number): void {
    if (now - this.lastSeen < SAVE_EVERY_MS) return;
    this.repo.saveLastSeen(now);
    this.lastSeen = now;
  }
}
