// Wall time in a named (IANA) time zone ⇄ UTC, through the runtime's own zone data (Intl): for
// calendars that name a zone without defining it, and for showing times in the device's zone.

/** The device's time zone (TZ, else the system's). */
export const deviceZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const formats = new Map<string, Intl.DateTimeFormat>();

function format(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formats.set(tz, f);
  }
  return f;
}

export function isZone(tz: string): boolean {
  try {
    format(tz);
    return true;
  } catch {
    return false;
  }
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
export function offsetAt(utcMs: number, tz: string): number {
  const p = Object.fromEntries(format(tz).formatToParts(new Date(utcMs)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(utcMs / 1000) * 1000;
}

export interface WallTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * The instant a wall time in the zone stands for. Two passes settle the offset; a time in the gap
 * of a spring-forward change comes out shifted forward by the gap, as RFC 5545 says.
 */
export function wallToUtc(w: WallTime, tz: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const guess = asUtc - offsetAt(asUtc, tz);
  return asUtc - offsetAt(guess, tz);
}

/** ISO 8601 in the zone with its offset, e.g. 2027-03-18T20:00:00+01:00. */
export function localIso(utcMs: number, tz: string): string {
  const off = offsetAt(utcMs, tz);
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off) / 60_000;
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${new Date(utcMs + off).toISOString().slice(0, 19)}${sign}${hhmm}`;
}
