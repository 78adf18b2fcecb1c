import { afterEach, expect, test } from "bun:test";
import type { GameEvent } from "../../src/events/schema.ts";
import { parseRecording, replay } from "../../src/tools/replay.ts";
import { call, startBox, type TestBox } from "../helpers/box.ts";

let t: TestBox | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

/** Records what reaches the bus, with the arrival time. */
function listen(box: TestBox) {
  const got: { e: GameEvent; atMs: number }[] = [];
  box.box.bus.subscribe("test-replay", (e) => void got.push({ e, atMs: performance.now() }));
  return got;
}

const line = (at: number, body: unknown) => JSON.stringify({ at, method: "POST", path: "/api/v1/events", body });
const FIVE = [0, 100, 200, 300, 400].map((at, i) => line(at, { type: "custom", name: "step", value: i }));
const quiet = { log: () => {} };

test("replays requests in order with the original spacing", async () => {
  t = await startBox();
  const got = listen(t);
  const r = await replay(["# five steps", "", ...FIVE], { url: t.url, ...quiet });
  expect(r).toMatchObject({ ok: true, sent: 5, failed: 0 });
  expect(got.map((g) => g.e.value)).toEqual([0, 1, 2, 3, 4]);
  const span = got[4].atMs - got[0].atMs;
  expect(span).toBeGreaterThanOrEqual(350);
  expect(span).toBeLessThan(1000);
  expect(r.maxLatenessMs).toBeLessThan(200);
});

test("--speed 2 halves the span", async () => {
  t = await startBox();
  const got = listen(t);
  const r = await replay(FIVE, { url: t.url, speed: 2, ...quiet });
  expect(r.ok).toBe(true);
  expect(got.map((g) => g.e.value)).toEqual([0, 1, 2, 3, 4]);
  const span = got[4].atMs - got[0].atMs;
  expect(span).toBeGreaterThanOrEqual(175);
  expect(span).toBeLessThan(350);
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

test("--loop starts over until stopped", async () => {
  t = await startBox();
  const got = listen(t);
  const stop = new AbortController();
  const run = replay(FIVE.slice(0, 2), { url: t.url, speed: 10, loop: true, signal: stop.signal, ...quiet });
  // One pass is (100 ms + the 1 s loop gap) / 10 = 110 ms.
  await Bun.sleep(300);
  stop.abort();
  const r = await run;
  expect(r.ok).toBe(true);
  expect(got.length).toBeGreaterThanOrEqual(4);
  expect(got.map((g) => g.e.value).slice(0, 4)).toEqual([0, 1, 0, 1]);
});
