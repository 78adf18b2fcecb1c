import { afterEach, expect, jest, test } from "bun:test";
import type { GameEvent } from "../../src/events/schema.ts";
import { parseRecording, replay } from "../../src/tools/replay.ts";
import { call, startBox, type TestBox } from "../helpers/box.ts";

let t: TestBox | null = null;
afterEach(async () => {
  jest.useRealTimers();
  await t?.stop();
  t = null;
});

/** Records what reaches the bus. */
function listen(box: TestBox) {
  const got: { e: GameEvent }[] = [];
  box.box.bus.subscribe("test-replay", (e) => void got.push({ e }));
  return got;
}

const line = (at: number, body: unknown) => JSON.stringify({ at, method: "POST", path: "/api/v1/events", body });
const FIVE = [0, 100, 200, 300, 400].map((at, i) => line(at, { type: "custom", name: "step", value: i }));
const quiet = { log: () => {} };

/**
 * Replays on fake time: the clock moves only to each request's due time, and the test waits (in
 * real time) for that request to arrive at a recording server, which notes the clock's time.
 * A request sent early arrives stamped before its due time; one sent late never arrives.
 */
async function onFakeTime(lines: string[], opts: { speed?: number; loop?: boolean }, dues: number[]) {
  const got: { value: number; at: number }[] = [];
  const srv = Bun.serve({
    port: 0, hostname: "127.0.0.1",
    async fetch(req) {
      got.push({ value: ((await req.json()) as { value: number }).value, at: performance.now() });
      return new Response(null, { status: 202 });
    },
  });
  /** Waits in real time (fake timers also stop Bun.sleep): setImmediate still runs, after I/O. */
  const arrived = async (n: number, what: string) => {
    const deadline = Bun.nanoseconds() + 3e9;
    while (got.length < n) {
      if (Bun.nanoseconds() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  jest.useFakeTimers();
  try {
    const t0 = performance.now();
    const stop = new AbortController();
    const run = replay(lines, { url: `http://127.0.0.1:${srv.port}`, ...opts, signal: stop.signal, ...quiet });
    for (const [i, due] of dues.entries()) {
      const step = t0 + due - performance.now();
      if (step > 0) jest.advanceTimersByTime(step); // (Bun advances at least 1 ms, even for 0)
      await arrived(i + 1, `request ${i} at ${due} ms`);
    }
    stop.abort();
    const r = await run;
    return { r, got: got.map((g) => ({ value: g.value, at: g.at - t0 })) };
  } finally {
    jest.useRealTimers();
    srv.stop(true);
  }
}

test("replays requests in order at exactly their offsets from the start", async () => {
  const { r, got } = await onFakeTime(FIVE, {}, [0, 100, 200, 300, 400]);
  expect(got).toEqual([0, 100, 200, 300, 400].map((at, value) => ({ value, at })));
  expect(r).toMatchObject({ ok: true, sent: 5, failed: 0, maxLatenessMs: 0 });
});

test("--speed 2 halves every offset", async () => {
  const { r, got } = await onFakeTime(FIVE, { speed: 2 }, [0, 50, 100, 150, 200]);
  expect(got).toEqual([0, 50, 100, 150, 200].map((at, value) => ({ value, at })));
  expect(r).toMatchObject({ ok: true, sent: 5, maxLatenessMs: 0 });
});

test("--loop starts over after the pass and a 1 s gap, until stopped", async () => {
  // Two requests 100 ms apart at speed 10: a pass of (100 + 1000) / 10 = 110 ms.
  const { r, got } = await onFakeTime(FIVE.slice(0, 2), { speed: 10, loop: true }, [0, 10, 110, 120, 220, 230]);
  expect(got).toEqual([0, 10, 110, 120, 220, 230].map((at, i) => ({ value: i % 2, at })));
  expect(r).toMatchObject({ ok: true, sent: 6 });
});

test("the replayed events reach ledbox in order", async () => {
  t = await startBox();
  const got = listen(t);
  const r = await replay(["# five steps", "", ...FIVE], { url: t.url, speed: 10, ...quiet });
  expect(r).toMatchObject({ ok: true, sent: 5, failed: 0 });
  expect(got.map((g) => g.e.value)).toEqual([0, 1, 2, 3, 4]);
});

test("prints a line per request with its status", async () => {
  t = await startBox();
  const out: string[] = [];
  await replay(FIVE.slice(0, 2), { url: t.url, log: (l) => out.push(l) });
  expect(out).toHaveLength(2);
  expect(out[1]).toMatch(/0\.100s\s+202\s+POST \/api\/v1\/events custom=1/);
});

test("a malformed line is rejected with its line number before anything is sent", async () => {
  t = await startBox();
  const got = listen(t);
  for (const [bad, why] of [
    ["{not json", /line 3: not valid JSON/],
    [line(250, { type: "explosion" }), /line 3: body: type: unknown event type "explosion"/],
    [JSON.stringify({ method: "POST", body: { type: "kill" } }), /line 3: at: /],
    [line(50, { type: "kill" }), /line 3: at 50 is before the previous request's 100 \(line 2\)/],
  ] as const) {
    const r = await replay([FIVE[0], FIVE[1], bad, FIVE[2]], { url: t.url, ...quiet });
    expect(r.ok).toBe(false);
    expect(r.sent).toBe(0);
    expect(r.error).toMatch(why);
  }
  expect(got).toHaveLength(0);
  expect(t.box.ingest.accepted).toBe(0);
  expect(parseRecording("# only a comment\n\n").ok).toBe(false);
});

test("an unreachable server gives a failed result naming the URL", async () => {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const url = `http://127.0.0.1:${probe.port}`;
  await probe.stop(true);
  const r = await replay(FIVE, { url, ...quiet });
  expect(r.ok).toBe(false);
  expect(r.failed).toBe(1);
  expect(r.sent).toBe(0);
  expect(r.error).toContain(`cannot reach ledbox at ${url}`);
});

test("a rejected request counts as failed; --token sends a bearer token", async () => {
  t = await startBox();
  const cookie = await t.admin();
  expect((await call(t.url, "PUT", "/api/v1/settings", { http: { ingest: "token" } }, { cookie })).status).toBe(200);
  const token = (await call(t.url, "POST", "/api/v1/auth/tokens", { name: "replay" }, { cookie })).body.token as string;
  expect(typeof token).toBe("string");
  const without = await replay(FIVE.slice(0, 2), { url: t.url, ...quiet });
  expect(without).toMatchObject({ ok: false, sent: 0, failed: 2 });
  const withToken = await replay(FIVE.slice(0, 2), { url: t.url, token, ...quiet });
  expect(withToken).toMatchObject({ ok: true, sent: 2, failed: 0 });
});

