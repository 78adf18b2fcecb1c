// A hostile HTTP server on 127.0.0.1 for schedule sources, written on raw TCP so it can do what a
// polite server never would: reset mid-reply, drip a byte at a time, stream without end, lie
// about the content type. SpeedGaming-shaped episodes and .ics builders for its bodies.
import type { Socket } from "bun";

export type Reply =
  /** A whole reply; SpeedGaming's JSON really comes as text/html. */
  | { kind: "ok"; body: string; type?: string }
  | { kind: "status"; status: number; body?: string }
  /** Promises the whole body, sends `after` bytes of it, then resets the connection. */
  | { kind: "reset"; body: string; after: number }
  /** One byte every `everyMs`. */
  | { kind: "slow"; body: string; everyMs: number }
  /** `bytes` of filler, with or without a Content-Length (without: until the client gives up). */
  | { kind: "huge"; bytes: number; declare: boolean };

export interface Request {
  path: string;
  query: URLSearchParams;
  accept: string | null;
}

interface Conn {
  head: string;
  answered: boolean;
  out: Uint8Array[];
  /** Refills `out` when it runs dry (huge bodies); null when there is no more. */
  more: (() => Uint8Array | null) | null;
  /** What to do once everything is written. */
  then: "end" | "terminate" | "wait";
  timer?: ReturnType<typeof setInterval>;
}

export interface FakeHttp {
  url: string;
  port: number;
  requests: Request[];
  /** Replies used before the default one, first first. */
  queue: Reply[];
  close(): void;
}

const enc = new TextEncoder();

export function fakeHttp(reply: (r: Request) => Reply): FakeHttp {
  const requests: Request[] = [];
  const queue: Reply[] = [];
  const listener = Bun.listen<Conn>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { head: "", answered: false, out: [], more: null, then: "end" };
      },
      data(s, chunk) {
        if (s.data.answered) return;
        s.data.head += chunk.toString("latin1");
        if (!s.data.head.includes("\r\n\r\n")) return;
        s.data.answered = true;
        const [line, ...headers] = s.data.head.split("\r\n");
        const u = new URL(line.split(" ")[1], "http://fake");
        const accept = headers.find((h) => /^accept:/i.test(h))?.slice(7).trim() ?? null;
        const req = { path: u.pathname, query: u.searchParams, accept };
        requests.push(req);
        answer(s, queue.shift() ?? reply(req));
      },
      drain: flush,
      close(s) {
        clearInterval(s.data.timer);
      },
      error() {},
    },
  });
  return { url: `http://127.0.0.1:${listener.port}`, port: listener.port, requests, queue, close: () => listener.stop(true) };
}

function head(status: number, type: string, length: number | null): string {
  return `HTTP/1.1 ${status} ${status === 200 ? "OK" : "Error"}\r\nContent-Type: ${type}\r\n${length === null ? "" : `Content-Length: ${length}\r\n`}Connection: close\r\n\r\n`;
}

function answer(s: Socket<Conn>, r: Reply): void {
  const send = (text: string | Uint8Array) => s.data.out.push(typeof text === "string" ? enc.encode(text) : text);
  switch (r.kind) {
    case "ok": {
      const body = enc.encode(r.body);
      send(head(200, r.type ?? "text/html; charset=UTF-8", body.length));
      send(body);
      break;
    }
    case "status": {
      const body = enc.encode(r.body ?? `<html><body>${r.status}</body></html>`);
      send(head(r.status, "text/html", body.length));
      send(body);
      break;
    }
    case "reset": {
      const body = enc.encode(r.body);
      send(head(200, "text/calendar", body.length));
      send(body.subarray(0, r.after));
      s.data.then = "terminate";
      break;
    }
    case "slow": {
      const body = enc.encode(r.body);
      send(head(200, "text/calendar", body.length));
      s.data.then = "wait";
      let i = 0;
      s.data.timer = setInterval(() => {
        if (i >= body.length) return clearInterval(s.data.timer);
        s.write(body.subarray(i, ++i));
      }, r.everyMs);
      break;
    }
    case "huge": {
      send(head(200, "application/json", r.declare ? r.bytes : null));
      let left = r.bytes;
      const filler = new Uint8Array(64 * 1024).fill(0x20);
      s.data.more = () => {
        if (left <= 0) return null;
        const n = Math.min(left, filler.length);
        left -= n;
        return filler.subarray(0, n);
      };
      break;
    }
  }
  flush(s);
}

/** Writes what is queued as far as the socket takes it; the rest goes on `drain`. */
function flush(s: Socket<Conn>): void {
  const c = s.data;
  for (;;) {
    if (!c.out.length) {
      const next = c.more?.();
      if (!next) break;
      c.out.push(next);
    }
    const n = s.write(c.out[0]);
    if (n < c.out[0].length) {
      c.out[0] = c.out[0].subarray(Math.max(0, n));
      return;
    }
    c.out.shift();
  }
  if (c.then === "end") s.end();
  else if (c.then === "terminate") s.terminate();
}

/** A port nothing listens on (bound, then released). */
export function closedPort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

// ---- SpeedGaming ----

export interface SgPlayer {
  displayName: string;
  discordId?: string;
}

const person = (p: SgPlayer, i: number) => ({ id: 5000 + i, displayName: p.displayName, discordId: p.discordId ?? "", discordTag: p.displayName.toLowerCase(), publicStream: "", streamingFrom: "" });

/** An episode with every key the live feed serves, unset strings as "" and match2 null. */
export function episode(id: number, when: string, players: SgPlayer[], extra: Record<string, unknown> = {}) {
  return {
    id, title: "", when, whenCountdown: when, length: 90, timezone: "", approved: true, externalRestream: false,
    event: { id: 77, slug: "alttprleague", name: "ALTTPR League", shortName: "League", game: "ALttP Randomizer", active: true, srtv: false, srl: "", botChannel: "" },
    match1: { id: id * 10, title: "", note: "Swiss Round 1", players: players.map(person) },
    match2: null,
    channels: [{ id: 1, name: "SpeedGaming", slug: "speedgaming", initials: "SG", language: "en" }],
    commentators: [], trackers: [], broadcasters: [], helpers: [],
    ...extra,
  };
}

// ---- iCalendar ----

export const BERLIN_VTIMEZONE = `BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE`;

/** A calendar with CRLF line ends, as servers send them. */
export const calendar = (...blocks: string[]) => ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ledbox tests//EN", ...blocks, "END:VCALENDAR", ""].join("\r\n").replace(/\r?\n/g, "\r\n");

export const vevent = (lines: string[]) => ["BEGIN:VEVENT", ...lines, "END:VEVENT"].join("\r\n");
