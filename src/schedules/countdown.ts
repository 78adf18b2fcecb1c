// The countdown to your matches, as events at points in wall time: match_upcoming at each mark,
// a countdown value every few seconds over the last minutes, match_start at the start. A point
// fires when a tick passes it, at most GRACE_MS late: a clock that jumps (or a device that slept)
// skips the points it jumped over instead of firing a burst of stale ones. Event ids are made of
// the match, its start and the point, so each fires once per match and time; a match that moves
// has new points, armed afresh.
import type { GameEventInput } from "../events/schema.ts";
import { sha256 } from "../util/secrets.ts";

/** How often the countdown value moves: 180 steps over 15 minutes, smoothed by the meter. */
export const STEP_MS = 5000;
/** The game schedule events carry, so a mapping can tell a scheduled match's start from a game's. */
const SCHEDULE_GAME = "schedule";

/** A point this much overdue is stale and not fired. */
export const GRACE_MS = 30_000;

/** One of your matches, with what its source asks for. */
export interface Armed {
  /** Unique per match: source id and external id. */
  key: string;
  /** The `source` of its events. */
  source: string;
  title: string;
  startAt: number;
  marksMin: number[];
  countdownMin: number;
}

interface Point {
  at: number;
  event: GameEventInput;
}

export class Countdown {
  private armed: Armed[] = [];
  /** The last point fired per match and start: a clock set back does not fire them again. */
  private firedUpTo = new Map<string, number>();

  set(armed: Armed[]): void {
    this.armed = armed;
    const live = new Set(armed.map(slot));
    for (const k of this.firedUpTo.keys()) if (!live.has(k)) this.firedUpTo.delete(k);
  }

  /** The events of the points in (prev, now], in time order; stale ones are passed over. */
  due(prev: number, now: number): GameEventInput[] {
    const out: Point[] = [];
    for (const a of this.armed) {
      const done = this.firedUpTo.get(slot(a)) ?? -Infinity;
      const points = pointsNear(a, now).filter((p) => p.at > prev && p.at <= now && p.at > done && now - p.at <= GRACE_MS);
      if (!points.length) continue;
      out.push(...points);
      this.firedUpTo.set(slot(a), Math.max(...points.map((p) => p.at)));
    }
    return out.sort((x, y) => x.at - y.at).map((p) => p.event);
  }

  /** When the next point after `now` comes, or null when none is armed. */
  nextAfter(now: number): number | null {
    let next = Infinity;
    for (const a of this.armed) {
      const first = a.startAt - countdownSteps(a) * STEP_MS;
      const left = a.startAt - now;
      // The countdown's next step: its first, or the next one inside it (none once it is over).
      const step = first > now ? first : left > 0 ? a.startAt - (Math.ceil(left / STEP_MS) - 1) * STEP_MS : Infinity;
      for (const at of [...a.marksMin.map((m) => a.startAt - m * 60_000), step, a.startAt]) if (at > now && at < next) next = at;
    }
    return next === Infinity ? null : next;
  }
}

const slot = (a: Armed) => `${a.key}@${a.startAt}`;
const countdownSteps = (a: Armed) => Math.floor((a.countdownMin * 60_000) / STEP_MS);

/** The marks, the start, and the latest countdown step at or before `now`. */
function pointsNear(a: Armed, now: number): Point[] {
  const id = `sched-${sha256(a.key).slice(0, 16)}-${a.startAt}`;
  const point = (at: number, suffix: string, e: Record<string, unknown>): Point => ({ at, event: { ...e, game: SCHEDULE_GAME, source: a.source, id: `${id}-${suffix}`, time: at } as GameEventInput });
  const out = a.marksMin.map((m) => point(a.startAt - m * 60_000, `m${m}`, { type: "match_upcoming", minutes: m, title: a.title }));
  const steps = Math.max(0, Math.ceil((a.startAt - now) / STEP_MS));
  if (steps <= countdownSteps(a)) {
    out.push(point(a.startAt - steps * STEP_MS, `c${steps}`, { type: "countdown", value: (steps * STEP_MS) / (a.countdownMin * 60_000) }));
  }
  out.push(point(a.startAt, "start", { type: "match_start" }));
  return out;
}
