// Replays a recording of ingest requests against a running ledbox, with the original timing.
//
//   bun run replay FILE [--url http://localhost:8080] [--speed 1] [--loop] [--token TOKEN]
//
// Recording format (JSONL): one JSON object per line,
//
//   {"at": 1500, "method": "POST", "path": "/api/v1/events", "headers": {"x-foo": "bar"}, "body": {"type": "kill"}}
//
//   at       ms since the recording started; never smaller than the line before
//   method   HTTP method (default "POST")
//   path     request path (default "/api/v1/events"); for that path the body is checked
//            against the GameEvent schema before anything is sent
//   headers  optional extra request headers (content-type is application/json unless given)
//   body     the JSON body: one event or a batch (an array)
//
// Blank lines and lines starting with "#" (comments) are skipped. Every line is validated
// first: one bad line is reported with its line number and nothing is sent. Bodies should
// carry no event "id": the server drops redeliveries, so a looped replay would be ignored.
//
// Each request is scheduled at its absolute offset from the start (start + at / speed), not
// "sleep after the previous one", so timing does not drift; requests go out one at a time, in
// order, and the lateness of each against its schedule is measured.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseEvents } from "../events/ingest.ts";
import { describeIssues } from "../util/validation.ts";

export const DEFAULT_URL = "http://localhost:8080";
const EVENTS_PATH = "/api/v1/events";
/** With --loop, the pause between the last request of one pass and the first of the next. */
export const LOOP_GAP_MS = 1000;
const REQUEST_TIMEOUT_MS = 5000;

export const EntrySchema = z.strictObject({
  at: z.number().finite().min(0),
  method: z.string().regex(/^[A-Z]+$/, "an upper-case HTTP method").default("POST"),
  path: z.string().regex(/^\/\S*$/, "a path starting with /").default(EVENTS_PATH),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().refine((b) => b !== undefined, "required"),
});
export type Entry = z.infer<typeof EntrySchema> & { line: number };

export type Parsed = { ok: true; entries: Entry[] } | { ok: false; error: string };

/** Validates every line of a recording (text or its lines); line numbers count from 1. */
export function parseRecording(input: string | readonly string[]): Parsed {
  const lines = typeof input === "string" ? input.split(/\r?\n/) : input;
  const entries: Entry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === "" || text.startsWith("#")) continue;
    const fail = (msg: string): Parsed => ({ ok: false, error: `line ${i + 1}: ${msg}` });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return fail(`not valid JSON (${(err as Error).message})`);
    }
    const r = EntrySchema.safeParse(json);
    if (!r.success) return fail(describeIssues(r.error));
    const prev = entries.at(-1);
    if (prev && r.data.at < prev.at) return fail(`at ${r.data.at} is before the previous request's ${prev.at} (line ${prev.line})`);
    if (r.data.path === EVENTS_PATH) {
      const ev = parseEvents(r.data.body);
      if (!ev.ok) return fail(`body: ${ev.error}`);
    }
    entries.push({ ...r.data, line: i + 1 });
  }
  if (entries.length === 0) return { ok: false, error: "the recording has no requests" };
  return { ok: true, entries };
}

export interface ReplayOptions {
  url?: string;
  /** 2 = twice as fast. */
  speed?: number;
  /** Start again after the last request, until signal aborts. */
  loop?: boolean;
  /** Sent as "Authorization: Bearer …". */
  token?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ReplayResult {
  ok: boolean;
  /** Requests the server accepted (2xx). */
  sent: number;
  /** Requests answered with an error status, or that could not be delivered. */
  failed: number;
  /** How far behind its schedule the latest-sent request went out. */
  maxLatenessMs: number;
  /** Why the replay did not run or stopped early. */
  error?: string;
}

/** Sends the recording's requests at their times; see the format at the top of this file. */
export async function replay(lines: string | readonly string[], opts: ReplayOptions = {}): Promise<ReplayResult> {
  const { speed = 1, loop = false, token, log = console.log, signal } = opts;
  const url = (opts.url ?? DEFAULT_URL).replace(/\/+$/, "");
  const result: ReplayResult = { ok: false, sent: 0, failed: 0, maxLatenessMs: 0 };
  if (!(speed > 0) || !Number.isFinite(speed)) return { ...result, error: `--speed must be a positive number, not ${speed}` };
  if (!URL.canParse(url)) return { ...result, error: `--url ${url} is not a URL` };
  const parsed = parseRecording(lines);
  if (!parsed.ok) return { ...result, error: parsed.error };
  const { entries } = parsed;
  const passMs = entries.at(-1)!.at + (loop ? LOOP_GAP_MS : 0);

  const start = performance.now();
  for (let pass = 0; pass === 0 || (loop && !signal?.aborted); pass++) {
    for (const e of entries) {
      const due = start + (pass * passMs + e.at) / speed;
      if (due > performance.now()) await sleep(due - performance.now(), signal);
      if (signal?.aborted) break;
      const lateness = Math.max(0, performance.now() - due);
      result.maxLatenessMs = Math.max(result.maxLatenessMs, lateness);
      const stamp = `${((e.at + pass * passMs) / 1000).toFixed(3).padStart(8)}s`;
      const what = `${e.method} ${e.path} ${summarise(e.body)}`;
      let res: Response;
      try {
        res = await fetch(url + e.path, {
          method: e.method,
          headers: { "content-type": "application/json", ...e.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: e.method === "GET" || e.method === "HEAD" ? undefined : JSON.stringify(e.body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (err) {
        result.failed++;
        log(`${stamp}  ---  ${what}`);
        return { ...result, error: `cannot reach ledbox at ${url} (${reason(err)}): is it running? Start it with \`npm start\`` };
      }
      const text = await res.text();
      if (res.ok) result.sent++;
      else result.failed++;
      log(`${stamp}  ${res.status}  ${what}  (+${Math.round(lateness)} ms)${res.ok ? "" : `  ${text.slice(0, 200)}`}`);
    }
  }
  result.ok = result.failed === 0;
  return result;
}

function reason(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return e.code ?? e.message ?? String(err);
}

/** "damage_taken, health=80" — the event types of a body (with the telling field), for the per-request line. */
function summarise(body: unknown): string {
  const list = Array.isArray(body) ? body : [body];
  return list
    .map((e) => {
      const { type, value, result, count, headshot } = (e ?? {}) as Record<string, unknown>;
      const detail = value ?? result ?? count ?? (headshot === true ? "headshot" : undefined);
      return detail === undefined ? String(type) : `${type}=${detail}`;
    })
    .join(", ");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

const USAGE = `usage: bun run replay FILE [--url ${DEFAULT_URL}] [--speed 1] [--loop] [--token TOKEN]`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string", default: DEFAULT_URL },
        speed: { type: "string", default: "1" },
        loop: { type: "boolean", default: false },
        token: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const speed = Number(values.speed);
  if (!(speed > 0) || !Number.isFinite(speed)) {
    console.error(`--speed must be a positive number, not ${values.speed}`);
    return 2;
  }
  const file = positionals[0];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    console.error(`cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const parsed = parseRecording(text);
  if (!parsed.ok) {
    console.error(`${file} ${parsed.error}; nothing was sent`);
    return 2;
  }
  const stop = new AbortController();
  process.on("SIGINT", () => stop.abort());
  console.log(`replaying ${file} to ${values.url}${speed !== 1 ? ` at ${speed}x` : ""}${values.loop ? " in a loop (Ctrl+C stops)" : ""}`);
  const r = await replay(text, { url: values.url, speed, loop: values.loop, token: values.token, signal: stop.signal });
  if (r.error) console.error(r.error);
  console.log(`sent ${r.sent}, failed ${r.failed}, max lateness ${Math.round(r.maxLatenessMs)} ms`);
  return r.ok ? 0 : 1;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
