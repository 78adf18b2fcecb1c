// Polls the LoL Live Client Data API. Its certificate is Riot's self-signed one: verification is
// skipped for these requests only (the configured origin), never process-wide.
import type { Connector, ConnectorContext } from "./adapter.ts";

const PATH = "/liveclientdata/allgamedata";

export function lolPoller(ctx: ConnectorContext<{ url: string; intervalMs: number }>): Connector {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let inFlight: AbortController | null = null;
  let lastProblem: string | null = "not polled yet";

  const report = (text: string | null) => {
    if (text === lastProblem) return;
    lastProblem = text;
    ctx.problem(text);
  };

  async function poll(): Promise<void> {
    inFlight = new AbortController();
    const timeout = setTimeout(() => inFlight?.abort(), Math.max(200, ctx.config.intervalMs * 2));
    try {
      const res = await fetch(ctx.config.url.replace(/\/+$/, "") + PATH, { signal: inFlight.signal, tls: { rejectUnauthorized: false } } as RequestInit);
      const body = await res.json().catch(() => null);
      if (res.status === 404) report("game loading (the API answers 404 RESOURCE_NOT_FOUND)");
      else if (res.status === 400) report("spectator mode: the API has no active player (400 RPC_ERROR)");
      else if (!res.ok || body === null) report(`the game API answered ${res.status}`);
      else {
        report(null);
        try {
          ctx.feed(body);
        } catch (err) {
          report((err as Error).message);
        }
      }
    } catch (err) {
      report(`no game running at ${ctx.config.url} (${(err as Error).name === "AbortError" ? "no answer" : ((err as { code?: string }).code ?? (err as Error).message)})`);
    } finally {
      clearTimeout(timeout);
      inFlight = null;
      if (running) timer = setTimeout(poll, ctx.config.intervalMs);
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
      inFlight?.abort();
    },
  };
}
