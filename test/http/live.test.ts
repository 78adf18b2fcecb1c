// End to end: a real ledbox on loopback, events posted over HTTP, their effect read back as
// frames from the live WebSocket channel.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { call, led, openLive, startBox, until, type TestBox } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const ledsOf = (f: Uint8Array) => Array.from({ length: f.length / 3 }, (_, i) => led(f, i));
const sameColour = (f: Uint8Array) => ledsOf(f).every((c) => c.join() === led(f, 0).join());
/** The preview of the FPS Combat base layer (a dim solid colour), read from the strip at start. */
let base: [number, number, number];
const near = (c: number[], d: number[], tol = 2) => c.every((v, i) => Math.abs(v - d[i]) <= tol);
const isBase = (f: Uint8Array) => ledsOf(f).every((c) => near(c, base));
/** Near-white: every LED bright and its three channels about equal. */
const isWhite = (f: Uint8Array) => ledsOf(f).every(([r, g, b]) => Math.min(r, g, b) > 60 && Math.max(r, g, b) - Math.min(r, g, b) <= 0.15 * Math.max(r, g, b) + 2);
/** An LED clearly brighter than the base. */
const lit = (f: Uint8Array) => ledsOf(f).map((c) => c[0] + c[1] + c[2] > base[0] + base[1] + base[2] + 60);

describe("live channel on the default FPS Combat preset", () => {
  let t: TestBox;
  beforeAll(async () => {
    t = await startBox();
    const live = await openLive(t.url);
    base = led(await live.waitFrame(sameColour, "a solid base layer"), 0);
    await live.close();
    // Dim, so a flash and a meter stand out from it.
    expect(Math.max(...base)).toBeGreaterThan(0);
    expect(Math.max(...base)).toBeLessThan(80);
  });
  afterAll(async () => {
    await t.stop();
  });

  test("hello describes the strip; binary frames are 3 bytes per LED", async () => {
    const live = await openLive(t.url);
    try {
      expect(live.hello).toMatchObject({ type: "hello", ledCount: 150, engineFps: 60, fps: 60 });
      const f = await live.waitFrame(() => true, "a first frame");
      expect(f.length).toBe(150 * 3);
      await live.waitFrame(isBase, "the base layer");
      expect(live.invalid).toEqual([]);
    } finally {
      await live.close();
    }
  });

  test("a kill flashes the strip white, the event arrives as a message, then the base returns", async () => {
    const live = await openLive(t.url);
    try {
      await live.waitFrame(isBase, "the base layer before the kill");
      const from = live.mark();
      const r = await call(t.url, "POST", "/api/v1/events", { type: "kill", game: "cs2" });
      expect(r.status).toBe(202);
      const id = r.body.ids[0];
      await live.waitFrame(isWhite, "a white flash after the kill", { from });
      // Flash lasts 250 ms: the strip must come back to the base (no stuck state).
      const whiteAt = live.frames.findIndex((f, i) => i >= from && isWhite(f.data));
      await live.waitFrame(isBase, "the base layer after the flash", { from: whiteAt + 1, timeoutMs: 1500 });
      const m = await live.waitMessage("events", (x) => x.items.some((i) => i.event.id === id));
      expect(m.items.find((i) => i.event.id === id)!.event).toMatchObject({ type: "kill", game: "cs2", headshot: false, source: "api" });
      expect(live.invalid).toEqual([]);
    } finally {
      await live.close();
    }
  });

  test("a health value draws a meter bar with the right number of lit LEDs", async () => {
    const live = await openLive(t.url);
    try {
      const expectBar = async (n: number, what: string) => {
        const from = live.mark();
        const f = await live.waitFrame((f) => lit(f).filter(Boolean).length === n, what, { from, timeoutMs: 3000 });
        // Lit from the start of the strip, the rest showing the base (all alike; perhaps dimmer,
        // as the power limiter scales the whole strip when the bar draws a lot).
        expect(lit(f)).toEqual(Array.from({ length: 150 }, (_, i) => i < n));
        const rest = ledsOf(f).slice(n);
        expect(new Set(rest.map((c) => c.join())).size).toBe(1);
        expect(rest[0].every((v, i) => v <= base[i] + 2)).toBe(true);
        return f;
      };
      expect((await call(t.url, "POST", "/api/v1/events", { type: "health", value: 40 })).status).toBe(202);
      const at40 = await expectBar(60, "60 of 150 LEDs lit at health 40/100");
      // Health 40 is on the red side of the red→amber→green gradient: more red than green, no blue.
      const [r, g, b] = led(at40, 0);
      expect(r).toBeGreaterThan(g);
      expect(b).toBeLessThan(r / 4);
      // A value with its own range: 160 of 200 = 0.8 → 120 LEDs.
      expect((await call(t.url, "POST", "/api/v1/events", { type: "health", value: 160, max: 200 })).status).toBe(202);
      await expectBar(120, "120 of 150 LEDs lit at health 160/200");
      const state = await call(t.url, "GET", "/api/v1/state");
      expect(state.body.segments[0].meters.find((m: { name: string }) => m.name === "health").value).toBeCloseTo(0.8, 1);
    } finally {
      await live.close();
    }
  });

  test("a client asking for a lower rate is told its rate and gets frames (which frames: live-hub.test.ts)", async () => {
    const slow = await openLive(t.url, { query: "fps=10" });
    const fast = await openLive(t.url);
    try {
      expect(slow.hello).toMatchObject({ fps: 10, engineFps: 60 });
      expect(fast.hello).toMatchObject({ fps: 60, engineFps: 60 });
      const from = slow.mark();
      await slow.waitFrame(() => true, "a frame at 10 fps", { from });
      await fast.waitFrame(() => true, "a frame at 60 fps", { from: fast.mark() });
      expect([slow.invalid, fast.invalid]).toEqual([[], []]);
    } finally {
      await slow.close();
      await fast.close();
    }
  });

  test("a client message over 4 KiB closes that client (1009); garbage before it is ignored and frames keep coming", async () => {
    const live = await openLive(t.url);
    live.send("not json");
    live.send({ type: "subscribe", fps: "fast" });
    live.ws.send(new Uint8Array([1, 2, 3]));
    live.send({ type: "subscribe", fps: 5, extra: 1 });
    const closed = new Promise<CloseEvent>((r) => live.ws.addEventListener("close", r));
    const frames = live.frames.length;
    await live.waitFrame(() => true, "frames still coming after the garbage", { from: frames });
    live.ws.send("x".repeat(5000));
    expect((await closed).code).toBe(1009);
  });

  test("asking for more than the engine's rate gets the engine's rate", async () => {
    const live = await openLive(t.url, { query: "fps=240" });
    try {
      expect(live.hello.fps).toBe(60);
    } finally {
      await live.close();
    }
  });

  test("an out-of-range rate in the query is refused", async () => {
    await expect(openLive(t.url, { query: "fps=0" })).rejects.toThrow();
    await expect(openLive(t.url, { query: "fps=1000" })).rejects.toThrow();
  });

  test("after a reconnect, ?since=<seq> delivers exactly the missed events", async () => {
    const first = await openLive(t.url);
    const r1 = await call(t.url, "POST", "/api/v1/events", [{ type: "assist" }, { type: "assist" }]);
    expect(r1.status).toBe(202);
    await until(() => r1.body.ids.every((id: string) => first.events().some((i) => i.event.id === id)), "the first two events on the live channel");
    const lastSeen = Math.max(...first.events().map((i) => i.seq));
    await first.close();
    await until(() => t.box.live.clientCount === 0, "the server to drop the closed client");

    const r2 = await call(t.url, "POST", "/api/v1/events", [{ type: "assist", id: "missed-1" }, { type: "round_start", id: "missed-2" }, { type: "custom", name: "door", id: "missed-3" }]);
    expect(r2.body.ids).toEqual(["missed-1", "missed-2", "missed-3"]);

    const again = await openLive(t.url, { query: `since=${lastSeen}` });
    try {
      expect(again.hello.lastSeq).toBe(lastSeen + 3);
      const m = await again.waitMessage("events");
      expect(m.items.map((i) => i.event.id)).toEqual(["missed-1", "missed-2", "missed-3"]);
      expect(m.items.map((i) => i.seq)).toEqual([lastSeen + 1, lastSeen + 2, lastSeen + 3]);
      expect(m.missed).toBeUndefined();
    } finally {
      await again.close();
    }

    // Without since, no backlog is replayed: the first event it gets is one posted after it connected.
    const fresh = await openLive(t.url);
    try {
      const marker = await call(t.url, "POST", "/api/v1/events", { type: "custom", name: "after-connect" });
      await until(() => fresh.events().length > 0, "the event posted after connecting");
      expect(fresh.events().map((i) => i.event.id)).toEqual(marker.body.ids);
    } finally {
      await fresh.close();
    }
  });

  test("a connected client gets every event of a 500-event batch, once, in order", async () => {
    const live = await openLive(t.url);
    try {
      const start = live.hello.lastSeq;
      const r = await call(t.url, "POST", "/api/v1/events", Array.from({ length: 500 }, (_, i) => ({ type: "custom", name: "n", value: i })));
      expect(r.status).toBe(202);
      // One more event after the batch: once it is here, any duplicate of the batch would be too.
      const marker = await call(t.url, "POST", "/api/v1/events", { type: "custom", name: "after-batch" });
      await until(() => live.events().some((i) => i.event.id === marker.body.ids[0]), "the event after the batch");
      const got = live.events();
      expect(got.map((i) => i.seq)).toEqual(Array.from({ length: 501 }, (_, i) => start + 1 + i));
      expect(got.map((i) => i.event.id)).toEqual([...r.body.ids, ...marker.body.ids]);
      expect(live.messages.filter((m) => m.type === "events").every((m) => (m as { items: unknown[] }).items.length <= 200)).toBe(true);
    } finally {
      await live.close();
    }
  });

  test("resuming from further back than the ring holds reports how many were missed", async () => {
    const before = t.box.ring.lastSeq;
    const batch = (n: number) => Array.from({ length: n }, () => ({ type: "assist" }));
    expect((await call(t.url, "POST", "/api/v1/events", batch(500))).status).toBe(202);
    expect((await call(t.url, "POST", "/api/v1/events", batch(100))).status).toBe(202);
    const last = before + 600;
    const live = await openLive(t.url, { query: `since=${before}` });
    try {
      const capacity = t.box.ring.capacity;
      await until(() => live.events().length === capacity, `${capacity} resumed events`);
      const seqs = live.events().map((i) => i.seq);
      expect(seqs[0]).toBe(last - capacity + 1);
      expect(seqs.at(-1)).toBe(last);
      const firstEvents = live.messages.find((m) => m.type === "events") as { missed?: number };
      expect(firstEvents.missed).toBe(600 - capacity);
      expect(live.invalid).toEqual([]);
    } finally {
      await live.close();
    }
  });

  test("stats every second and a heartbeat parse with LiveMessageSchema", async () => {
    const opened = Date.now();
    const framesAtOpen = t.box.engine.stats().frames;
    const live = await openLive(t.url);
    try {
      const stats = await live.waitMessage("stats", undefined, 2500);
      expect(stats.stats).toMatchObject({ targetFps: 60, frameErrors: 0 });
      expect(stats.stats.frames as number).toBeGreaterThanOrEqual(framesAtOpen);
      // At least the idle current of 150 LEDs.
      expect((stats.stats.power as { ma: number }).ma).toBeGreaterThanOrEqual(150);
      const hb = await live.waitMessage("heartbeat", undefined, 7000);
      // Stamped when sent: after this client connected, before it arrived.
      expect(hb.t).toBeGreaterThanOrEqual(opened);
      expect(hb.t).toBeLessThanOrEqual(Date.now());
      expect(live.invalid).toEqual([]);
      // The loop kept running with a client attached all along (its rate is benchmarked).
      const frames = t.box.engine.stats().frames;
      await until(() => t.box.engine.stats().frames >= frames + 10, "frames going on");
    } finally {
      await live.close();
    }
  });
});

describe("live channel across a settings change", () => {
  test("a new hello follows the engine's new fps and LED count; the client's own cap still holds", async () => {
    const t = await startBox({ settings: { strip: { ledCount: 30 } } });
    try {
      const capped = await openLive(t.url, { query: "fps=20" });
      const open = await openLive(t.url);
      try {
        const cookie = await t.admin();
        const r = await call(t.url, "PUT", "/api/v1/settings", { render: { fps: 10 }, strip: { ledCount: 40 } }, { cookie });
        expect(r.status).toBe(200);
        const [a, b] = await Promise.all([
          capped.waitMessage("hello", (h: any) => h.engineFps === 10),
          open.waitMessage("hello", (h: any) => h.engineFps === 10),
        ]);
        expect(a).toMatchObject({ ledCount: 40, fps: 10 });
        expect(b).toMatchObject({ ledCount: 40, fps: 10 });
        await open.waitFrame((f) => f.length === 40 * 3, "a frame of the new length");
      } finally {
        await capped.close();
        await open.close();
      }
    } finally {
      await t.stop();
    }
  });
});
