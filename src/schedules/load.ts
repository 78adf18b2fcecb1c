// Load: one fetch's matches into the store, idempotently by (source, external id). New matches
// are added, changed ones updated (a new start is a reschedule), ones gone from the source (or
// cancelled) inside the window removed; nothing is written when nothing changed.
import type { SchedulesRepo } from "../store/schedules.ts";
import { inWindow, sameMatch, type Extracted, type MatchData, type Window } from "./match.ts";

/** Past matches are kept this long (then dropped without a word). */
export const KEEP_PAST_MS = 7 * 86_400_000;

export interface LoadResult {
  imported: number;
  updated: number;
  removed: number;
  skipped: number;
  /** One line per change, for the log. */
  changes: string[];
}

export function loadMatches(repo: Pick<SchedulesRepo, "matches" | "applyChanges">, sourceId: string, got: Extracted, w: Window, now: number, when: (ms: number) => string): LoadResult {
  const stored = new Map(repo.matches(sourceId).map((m) => [m.externalId, m]));
  const fresh = new Map<string, MatchData>();
  const r: LoadResult = { imported: 0, updated: 0, removed: 0, skipped: got.skipped.length, changes: [] };
  for (const m of got.matches) {
    if (fresh.has(m.externalId)) r.skipped++;
    else fresh.set(m.externalId, m);
  }
  // What was imported of an item that is now unreadable stays as it was.
  const keys = got.skipped.flatMap((s) => (s.key ? [s.key] : []));
  const kept = (id: string) => keys.some((k) => id === k || id.startsWith(`${k}/`));
  const put: MatchData[] = [];
  for (const m of fresh.values()) {
    const old = stored.get(m.externalId);
    if (old && sameMatch(old, m)) continue;
    put.push(m);
    if (!old) {
      r.imported++;
      r.changes.push(`added "${m.title}" at ${when(m.startAt)}`);
    } else {
      r.updated++;
      r.changes.push(old.startAt !== m.startAt ? `"${m.title}" moved from ${when(old.startAt)} to ${when(m.startAt)}` : `"${m.title}" at ${when(m.startAt)} changed`);
    }
  }
  const remove: string[] = [];
  for (const old of stored.values()) {
    if (fresh.has(old.externalId) || kept(old.externalId)) continue;
    if (inWindow(old, w)) {
      r.removed++;
      r.changes.push(`removed "${old.title}" at ${when(old.startAt)}: cancelled or no longer in the source`);
      remove.push(old.externalId);
    } else if (old.startAt < now - KEEP_PAST_MS) remove.push(old.externalId);
  }
  if (put.length || remove.length) repo.applyChanges(sourceId, put, remove, now);
  return r;
}
