// Polls the LoL Live Client Data API. Its certificate is Riot's self-signed one: verification is
// skipped for these requests only (the configured origin), never process-wide. Every JSON answer
// of the API — the data, and its own 404 (loading screen) and 400 (spectator mode) — goes to the
// adapter, which knows what each means. A poll that gets no usable answer (refused, a name that
// does not resolve, reset mid-reply, no answer in time, not JSON) is a problem in words, and the
// polls back off (the interval doubling to 10 s) until the game answers again.
import { Backoff } from "../util/backoff.ts";
import { isObject } from "../util/json.ts";
import type { Connector, ConnectorContext } from "./adapter.ts";
import { connectionProblem, seconds } from "./net.ts";

const PATH = "/liveclientdata/allgamedata";
const MAX_WAIT_MS = 10_000;
const POLL_TIMEOUT_MS = 2000;

/** An answer that came but cannot be used; its message is the problem. */
class Unusable extends Error {}

export function lolPoller(ctx: ConnectorContext<{ url: string; intervalMs: number }>, timeoutMs = POLL_TIMEOUT_MS): Connector {
  const origin = ctx.config.url.replace(/\/+$/, "");
  const host = new URL(origin).hostname.replace(/^\[|\]$/g, "");
  const backoff = new Backoff({ firstMs: ctx.config.intervalMs, maxMs: MAX_WAIT_MS });
  const stopped = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let lastProblem: string | null = "not polled yet";

  const report = (text: string | null) => {
    if (text === lastProblem) return;
    lastProblem = text;
    ctx.problem(text);
  };

  async function answer(): Promise<unknown> {
    const signal = AbortSignal.any([stopped.signal, AbortSignal.timeout(timeoutMs)]);
    const res = await fetch(origin + PATH, { signal, tls: { rejectUnauthorized: false } } as RequestInit);
    const text = await res.text(); // a connection reset mid-reply throws here
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Unusable(`the game API at ${origin} answered ${res.status} with something that is not JSON`);
    }
    if (res.ok || (isObject(body) && typeof body.errorCode === "string")) return body;
    throw new Unusable(`the game API at ${origin} answered ${res.status}`);
  }

  function describe(err: unknown): string {
    if (err instanceof Unusable) return err.message;
    if ((err as Error).name === "TimeoutError") return `no answer from the game API at ${origin} within ${seconds(timeoutMs)}`;
    const why = connectionProblem(err, host);
    return why === "connection refused" ? `no game running at ${origin} (connection refused)` : `the game API at ${origin}: ${why}`;
  }

  async function poll(): Promise<void> {
    let wait = ctx.config.intervalMs;
    try {
      const body = await answer();
      backoff.reset();
      report(null);
      ctx.feed(body);
    } catch (err) {
      if (!running) return;
      wait = backoff.next();
      report(`${describe(err)}; retrying in ${seconds(wait)}`);
    } finally {
      if (running) timer = setTimeout(poll, wait);
    }
  }

  return {
    start() {
      running = true;
      void poll();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      stopped.abort();
    },
  };
}
