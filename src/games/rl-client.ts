// TCP client of the Rocket League Stats API stream: splits concatenated JSON objects (which may
// arrive split across packets, characters too), feeds each one, and reconnects with backoff.
import type { Socket } from "bun";
import { Backoff } from "../util/backoff.ts";
import type { Connector, ConnectorContext } from "./adapter.ts";
import { connectionProblem, seconds } from "./net.ts";

const MAX_BUFFER = 1024 * 1024;

/** Splits a stream of concatenated JSON objects; returns complete texts, keeps the rest. */
export class JsonSplitter {
  private buf = "";
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === "\\") this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === "{") {
        if (this.depth++ === 0) this.start = i;
      } else if (c === "}" && this.depth > 0 && --this.depth === 0) out.push(this.buf.slice(this.start, i + 1));
    }
    // Keep only an unfinished object.
    this.buf = this.depth > 0 ? this.buf.slice(this.start) : "";
    this.start = this.depth > 0 ? 0 : -1;
    this.scanned = this.buf.length;
    if (this.buf.length > MAX_BUFFER) throw new Error(`a message over ${MAX_BUFFER} bytes`);
    return out;
  }
}

const SILENCE_MS = 10_000;

/**
 * Connects to the stream and feeds every message. A failed connect (refused, a name that does not
 * resolve) or a broken stream (reset, closed) is a problem in words and is retried with backoff
 * (0.5 s doubling to 10 s), reset only once messages arrive — a peer that accepts and hangs up
 * keeps backing off. A message cut off by a broken connection is dropped with it. A peer that
 * accepts and sends nothing is said so after `silenceMs`.
 */
export function rlClient(ctx: ConnectorContext<{ host: string; port: number }>, silenceMs = SILENCE_MS): Connector {
  let socket: Socket | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let watchdog: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let lastData = 0;
  let silent = false;
  const backoff = new Backoff({ firstMs: 500, maxMs: 10_000 });
  const { host, port } = ctx.config;
  const where = `${host}:${port}`;

  function retry(why: string) {
    socket = null;
    if (watchdog) clearTimeout(watchdog);
    if (!running) return;
    const wait = backoff.next();
    ctx.problem(`not connected to the game at ${where} (${why}); retrying in ${seconds(wait)}`);
    timer = setTimeout(connect, wait);
  }

  function watch(ms: number) {
    watchdog = setTimeout(() => {
      const quiet = performance.now() - lastData;
      if (quiet < silenceMs) return watch(silenceMs - quiet);
      silent = true;
      ctx.problem(`connected to the game at ${where}, but nothing received for ${seconds(silenceMs)}: is a match running?`);
    }, ms);
  }

  function connect() {
    const splitter = new JsonSplitter();
    const decoder = new TextDecoder();
    // One outcome per attempt: a failed connect may both reject and close.
    let ended = false;
    let why: string | null = null;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      retry(reason);
    };
    Bun.connect({
      hostname: host,
      port,
      socket: {
        open(s) {
          if (!running) return void s.end();
          socket = s;
          lastData = performance.now();
          silent = false;
          ctx.problem(null);
          watch(silenceMs);
        },
        data(s, chunk) {
          lastData = performance.now();
          backoff.reset();
          if (silent) {
            silent = false;
            ctx.problem(null);
            watch(silenceMs);
          }
          let texts: string[];
          try {
            texts = splitter.push(decoder.decode(chunk, { stream: true }));
          } catch (err) {
            why = (err as Error).message;
            s.end();
            return;
          }
          for (const t of texts) {
            try {
              ctx.feed(JSON.parse(t));
            } catch (err) {
              ctx.problem(`message skipped: ${(err as Error).message}`);
            }
          }
        },
        close: (_s, err) => end(why ?? (err ? connectionProblem(err, host) : "the game closed the stream")),
        error: (_s, err) => ctx.log(`stream error: ${err.message}`),
      },
    }).catch((err: unknown) => end(connectionProblem(err, host)));
  }

  return {
    start() {
      running = true;
      connect();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      if (watchdog) clearTimeout(watchdog);
      socket?.end();
    },
  };
}
