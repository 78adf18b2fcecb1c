// TCP client of the Rocket League Stats API stream: splits concatenated JSON objects (which may
// arrive split across packets), feeds each one, and reconnects with backoff when the game closes.
import type { Socket } from "bun";
import { Backoff } from "../util/backoff.ts";
import type { Connector, ConnectorContext } from "./adapter.ts";

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

export function rlClient(ctx: ConnectorContext<{ host: string; port: number }>): Connector {
  let socket: Socket | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  const backoff = new Backoff({ firstMs: 500, maxMs: 10_000 });
  const where = `${ctx.config.host}:${ctx.config.port}`;

  function retry(why: string) {
    socket = null;
    if (!running) return;
    const wait = backoff.next();
    ctx.problem(`not connected to the game at ${where} (${why}); retrying in ${wait / 1000} s`);
    timer = setTimeout(connect, wait);
  }

  function connect() {
    const splitter = new JsonSplitter();
    const decoder = new TextDecoder();
    Bun.connect({
      hostname: ctx.config.host,
      port: ctx.config.port,
      socket: {
        open(s) {
          socket = s;
          backoff.reset();
          ctx.problem(null);
          if (!running) s.end();
        },
        data(_s, chunk) {
          let texts: string[];
          try {
            texts = splitter.push(decoder.decode(chunk, { stream: true }));
          } catch (err) {
            ctx.problem((err as Error).message);
            socket?.end();
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
        close: () => retry("the game closed the stream"),
        error: (_s, err) => ctx.log(`stream error: ${err.message}`),
      },
    }).catch((err: { code?: string; message?: string }) => retry(err.code ?? err.message ?? "cannot connect"));
  }

  return {
    start() {
      running = true;
      connect();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      socket?.end();
    },
  };
}
