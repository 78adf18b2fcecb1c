// Live clients that stop reading, against a real ledbox process whose memory is measured: its
// RSS stays within a few MB while 2,000 events/s flow to clients that never read (raw sockets
// with the smallest receive buffer), those clients are closed once they stay stalled, a reading
// client meanwhile gets every event, and clients past http.liveClients are turned away with the
// reason.
import { expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { STALL_CLOSE_MS } from "../../src/http/live.ts";
import { call, openLive, tempDir, until } from "../helpers/box.ts";
import { startProcess } from "../helpers/process.ts";
import { stalledLiveClient, type StalledClient } from "../helpers/stalled.ts";

setDefaultTimeout(120_000);

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

/** Posts events at `perSecond` (in batches as the clock says) until stop() is called. */
function eventFlow(url: string, perSecond: number) {
  let running = true;
  let sent = 0;
  const name = "n".repeat(60), id = "i".repeat(90); // ~260 bytes of JSON each on the live channel
  const done = (async () => {
    const start = performance.now();
    while (running) {
      const n = Math.min(200, Math.floor(((performance.now() - start) / 1000) * perSecond) - sent);
      if (n <= 0) {
        await Bun.sleep(5);
        continue;
      }
      const r = await call(url, "POST", "/api/v1/events", Array.from({ length: n }, (_, i) => ({ type: "custom", name, value: sent + i, id: `${id}${sent + i}` })));
      if (r.status !== 202) throw new Error(`ingest answered ${r.status}: ${r.text}`);
      sent += n;
    }
  })();
  return { sent: () => sent, stop: async () => ((running = false), await done) };
}

test("clients that never read: memory stays flat, they are closed when stalled, the cap turns more away, a reading client gets everything", async () => {
  const dir = tempDir();
  // JSC sized for a 512 MB Pi: its heap then grows and shrinks in a few MB, not in tens, so what
  // the stalled clients cost is not lost in the garbage collector's sawtooth.
  const box = await startProcess(dir, [], { BUN_JSC_forceRAMSize: String(512 * 1024 * 1024) });
  const stalled: StalledClient[] = [];
  let flow: ReturnType<typeof eventFlow> | null = null;
  try {
    const cookie = await box.admin();
    const CAP = 20;
    expect((await call(box.url, "PUT", "/api/v1/settings", { http: { liveClients: CAP } }, { cookie })).status).toBe(200);
    const live = async () => (await call(box.url, "GET", "/api/v1/state")).body.live;

    // A client that reads, and the flow, for a while before the baseline: the process warms up.
    // The baseline is the highest RSS of the last seconds of that: the top of the GC's sawtooth.
    const reader = await openLive(box.url);
    flow = eventFlow(box.url, 2000);
    let base = 0;
    await until(() => {
      if (flow!.sent() >= 6000) base = Math.max(base, rssMb(box.proc.pid));
      return flow!.sent() >= 10_000;
    }, "5 s of events", 20_000, 100);

    // 30 that never read: CAP - 1 get in (the reader holds a place), the rest are turned away.
    for (let i = 0; i < 30; i++) stalled.push(stalledLiveClient(box.url));
    await until(async () => (await live()).refused === 30 - (CAP - 1), "the clients past the cap turned away");
    expect((await live()).clients).toBe(CAP);
    // One more that would read is told why.
    const extra = new WebSocket(box.url.replace("http", "ws") + "/api/v1/live");
    const closed = await new Promise<CloseEvent>((r) => extra.addEventListener("close", r));
    expect(closed.code).toBe(1013);
    expect(closed.reason).toBe(`too many live clients: ${CAP} are connected (settings http.liveClients)`);

    // Events keep flowing; the stalled ones fill their buffers and are closed after STALL_CLOSE_MS.
    // RSS every 100 ms meanwhile: 9 in 10 samples within a few MB of the baseline (the stalled
    // clients' buffers, the heap's drift: about 5 MB on a busy machine), and no moment far above
    // it. Without the bounds it climbs ~9 MB/s here, past 150 MB in 10 s.
    const samples: number[] = [];
    await until(async () => {
      samples.push(rssMb(box.proc.pid) - base);
      return (await live()).closedStalled === CAP - 1;
    }, "every stalled client closed", STALL_CLOSE_MS + 20_000, 100);
    const sent = flow.sent();
    await flow.stop();
    flow = null;
    expect(sent).toBeGreaterThan(2000 * (STALL_CLOSE_MS / 1000));
    samples.sort((a, b) => a - b);
    expect(samples[Math.floor(samples.length * 0.9)]).toBeLessThan(10);
    expect(samples.at(-1)!).toBeLessThan(20);
    expect(await live()).toMatchObject({ clients: 1, closedStalled: CAP - 1 });

    // The reader got every event, once, in order, none reported missed.
    const last = (await call(box.url, "GET", "/api/v1/state")).body.events.lastSeq;
    await until(() => reader.events().at(-1)?.seq === last, "the reader to have the last event", 10_000);
    const seqs = reader.events().map((i) => i.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => reader.hello.lastSeq + 1 + i));
    expect(reader.messages.some((m) => m.type === "events" && m.missed)).toBe(false);
    await reader.close();
    // With the stalled ones gone there is room again.
    const again = await openLive(box.url);
    expect(again.hello.type).toBe("hello");
    await again.close();
  } finally {
    await flow?.stop();
    for (const s of stalled) s.close();
    await box.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
