// Run-length server history and player sessions, on an injected wall clock.
import type { HistoryRepo, SessionRow, SnapshotState } from "../store/server-history.ts";
import type { RosterEntry } from "./poll.ts";

export interface HistoryOptions {
  /** A session not seen for this long is closed (the server stopped answering or stopped listing it). */
  staleSessionMs: number;
  retentionDays: number;
}

export const HISTORY_DEFAULTS: HistoryOptions = { staleSessionMs: 120_000, retentionDays: 30 };
const DAY_MS = 86_400_000;

export class History {
  constructor(readonly repo: HistoryRepo, private readonly now: () => number = Date.now, readonly opts: HistoryOptions = HISTORY_DEFAULTS) {}

  /**
   * A new row when something shown changed, or when the last record is older than `maxGapMs` (no
   * one was watching in between: ledbox was not running); otherwise the current row's last-seen
   * time moves on.
   */
  record(serverId: string, s: SnapshotState, maxGapMs = Infinity): void {
    const at = this.now();
    const last = this.repo.latest(serverId);
    const same = last && last.online === s.online && last.players === s.players && last.max_players === s.max_players && last.bots === s.bots && last.map === s.map;
    if (same && at - last.last_seen_at <= maxGapMs) this.repo.touchSnapshot(last.id, at);
    else this.repo.insertSnapshot(serverId, s, at);
  }

  /**
   * Matches a complete roster against the open sessions: newcomers get a session back-dated by
   * their connected time, players still there are seen, the missing ones are closed now.
   */
  reconcile(serverId: string, roster: RosterEntry[]): { joined: RosterEntry[]; left: SessionRow[] } {
    const at = this.now();
    const open = new Map(this.repo.openSessions(serverId).map((s) => [s.player_key, s]));
    const joined: RosterEntry[] = [];
    for (const p of uniqueKeys(roster)) {
      const s = open.get(p.key);
      if (s) {
        this.repo.seeSession(s.id, at, p.ping);
        open.delete(p.key);
        continue;
      }
      this.repo.openSession(serverId, p, p.connectedS !== undefined ? at - p.connectedS * 1000 : at, at);
      joined.push(p);
    }
    for (const s of open.values()) this.repo.closeSession(s.id, at);
    return { joined, left: [...open.values()] };
  }

  /** Closes sessions not seen for longer than the threshold, at the time they were last seen. */
  closeStale(serverId: string): SessionRow[] {
    const cutoff = this.now() - this.opts.staleSessionMs;
    return this.closeWhere(serverId, (s) => s.last_seen_at < cutoff);
  }

  /** Closes every open session at the time it was last seen (the server went down). */
  closeAll(serverId: string): SessionRow[] {
    return this.closeWhere(serverId, () => true);
  }

  private closeWhere(serverId: string, which: (s: SessionRow) => boolean): SessionRow[] {
    const closing = this.repo.openSessions(serverId).filter(which);
    for (const s of closing) this.repo.closeSession(s.id, s.last_seen_at);
    return closing;
  }

  prune(): number {
    return this.repo.prune(this.now() - this.opts.retentionDays * DAY_MS);
  }
}

/** Two players with the same name (CS2 has no ids) must not share one session. */
function uniqueKeys(roster: RosterEntry[]): RosterEntry[] {
  const seen = new Map<string, number>();
  return roster.map((p) => {
    const n = (seen.get(p.key) ?? 0) + 1;
    seen.set(p.key, n);
    return n === 1 ? p : { ...p, key: `${p.key}#${n}` };
  });
}
