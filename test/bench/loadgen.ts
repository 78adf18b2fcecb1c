// Load generator for the benchmarks, run in its own process so it never shares the server's
// event loop: keep-alive connections posting GameEvents to POST /api/v1/events.
//
//   bun test/bench/loadgen.ts --url http://127.0.0.1:PORT --seconds 10 [--rate 2000] [--conns 4] [--batch 1] [--client raw|fetch]
//
// --rate N: open loop, N events/s spread evenly over the connections (bounded: at most one
//           request in flight per connection; slots missed while behind are skipped and counted).
// --rate 0: closed loop, each connection posts again as soon as its answer arrives (throughput).
// --client raw (default): plain HTTP/1.1 over Bun.connect, one request in flight per connection
//           (as wrk does): cheap enough that on 2 cores the generator is not what limits the
//           figure. --client fetch: Bun's fetch (keep-alive), about half as fast on this machine.
// It stops by itself after --seconds (and exits hard 15 s later whatever happens), then prints
// one line: RESULT {json}.
import { summary } from "./lib.ts";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const url = arg("url", "");
const seconds = Number(arg("seconds", "10"));
const rate = Number(arg("rate", "0"));
const conns = Math.max(1, Number(arg("conns", "4")));
const batch = Math.max(1, Number(arg("batch", "1")));
const client = arg("client", "raw");
if (!url) throw new Error("--url is required");
setTimeout(() => process.exit(3), (seconds + 15) * 1000);

/**
 * A game-like mix: values that drive meters, triggers that start effects (some refused by the
 * photosensitivity guard, as in play), and a few that map to nothing.
 */
function event(i: number): Record<string, unknown> {
  const game = "cs2";
  switch (i % 10) {
    case 0: case 1: case 2: return { type: "health", game, value: (i * 7) % 101 };
    case 3: return { type: "ammo", game, value: i % 31 };
    case 4: return { type: "damage_taken", game, amount: i % 40 };
    case 5: return { type: "kill", game, headshot: i % 3 === 0 };
    case 6: return { type: "flash", game, value: (i * 13) % 256 };
    case 7: return { type: "damage_dealt", game, amount: i % 50 };
    case 8: return i % 40 === 8 ? { type: "multikill", game, count: 2 } : { type: "assist", game };
    default: return i % 100 === 9 ? { type: "death", game } : { type: "money", game, value: i % 16000 };
  }
}

/** Bodies prepared up front so generating them costs nothing during the run. */
const POOL = 97;
const bodies = Array.from({ length: POOL }, (_, p) => {
  if (batch === 1) return JSON.stringify(event(p));
  return JSON.stringify(Array.from({ length: batch }, (_, j) => event(p * batch + j)));
});

const endpoint = `${url}/api/v1/events`;
const headers = { "content-type": "application/json" };
const latencies: number[] = [];
const status: Record<string, number> = {};
let requests = 0, okRequests = 0, errors = 0, skipped = 0;
let firstError: string | null = null;

const target = new URL(url);
const requestBytes = bodies.map((b) =>
  Buffer.from(`POST /api/v1/events HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`),
);

/** One keep-alive HTTP/1.1 connection with at most one request in flight. */
class RawConnection {
  private socket: Awaited<ReturnType<typeof Bun.connect>> | null = null;
  private buf = Buffer.alloc(0);
  private pending: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;

  async open(): Promise<void> {
    this.buf = Buffer.alloc(0);
    this.socket = await Bun.connect({
      hostname: target.hostname,
      port: Number(target.port),
      socket: {
        data: (_s, chunk) => this.onData(chunk),
        close: () => this.fail(new Error("connection closed")),
        error: (_s, e) => this.fail(e),
      },
    });
  }

  request(bytes: Uint8Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending = { resolve, reject };
      const n = this.socket!.write(bytes);
      if (n < bytes.length) this.socket!.write(bytes.subarray(n)); // rare on loopback; Bun buffers the rest
    });
  }

  private fail(e: Error): void {
    this.socket = null;
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  private onData(chunk: Uint8Array): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString("latin1");
    const status = Number(head.slice(9, 12));
    const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let total: number;
    if (len) total = end + 4 + Number(len[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const z = this.buf.indexOf("0\r\n\r\n", end + 4);
      if (z < 0) return;
      total = z + 5;
    } else total = end + 4;
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = null;
    p?.resolve(status);
  }

  get connected(): boolean {
    return this.socket !== null;
  }
}

const raw: RawConnection[] = [];

async function post(i: number, c: number): Promise<void> {
  const t = performance.now();
  try {
    let code: number;
    if (client === "fetch") {
      const res = await fetch(endpoint, { method: "POST", headers, body: bodies[i % POOL], keepalive: true });
      await res.arrayBuffer();
      code = res.status;
    } else {
      const conn = (raw[c] ??= new RawConnection());
      if (!conn.connected) await conn.open();
      code = await conn.request(requestBytes[i % POOL]);
    }
    status[code] = (status[code] ?? 0) + 1;
    if (code === 202) okRequests++;
    else firstError ??= `HTTP ${code}`;
  } catch (e) {
    errors++;
    firstError ??= String(e);
  }
  requests++;
  latencies.push(performance.now() - t);
}

const start = performance.now();
const end = start + seconds * 1000;
/** Requests per second per connection in open loop. */
const perConnHz = rate > 0 ? rate / batch / conns : 0;

async function connection(c: number): Promise<void> {
  let i = c;
  if (perConnHz === 0) {
    while (performance.now() < end) {
      await post(i, c);
      i += conns;
    }
    return;
  }
  const gap = 1000 / perConnHz;
  // Connections are staggered so the load is spread evenly in time.
  let due = start + (c * gap) / conns;
  while (due < end) {
    const wait = due - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    await post(i, c);
    i += conns;
    due += gap;
    // Behind by more than a few slots (server or machine stalled): skip them rather than burst.
    const now = performance.now();
    if (now - due > 4 * gap) {
      const missed = Math.floor((now - due) / gap);
      skipped += missed;
      due += missed * gap;
    }
  }
}

await Promise.all(Array.from({ length: conns }, (_, c) => connection(c)));
const elapsed = (performance.now() - start) / 1000;
const lat = summary(latencies);
const result = {
  seconds: elapsed,
  conns, batch, rate, client,
  requests, okRequests, errors, skipped, status, firstError,
  events: okRequests * batch,
  eventsPerSec: (okRequests * batch) / elapsed,
  requestsPerSec: okRequests / elapsed,
  latencyMs: { p50: lat.p50, p99: lat.p99, max: lat.max },
};
console.log("RESULT " + JSON.stringify(result));
process.exit(0);
