// The live hub with a real engine and event ring, and sockets that buffer what they are sent as
// Bun's do (getBufferedAmount grows until the peer reads): a client that stops reading gets
// nothing more, and when it reads again it gets the newest hello/stats/heartbeat once and every
// event from its place in the ring, or how many the ring no longer has.
import { afterEach, beforeEach, expect, setDefaultTimeout, test } from "bun:test";
import { defaultSettings, SettingsSchema } from "../../src/config/schema.ts";
import { EventRing } from "../../src/events/ring.ts";
import { LiveHub, LiveMessageSchema, MAX_BUFFERED, type LiveMessage, type LiveSocket } from "../../src/http/live.ts";
import { Engine } from "../../src/light/engine.ts";
import { until } from "../helpers/box.ts";

setDefaultTimeout(20_000);

/** A socket whose peer reads only while `reading`; what it has not read stays buffered. */
class Peer implements LiveSocket {
  reading = true;
  buffered = 0;
  closed: [number?, string?] | null = null;
  received: (LiveMessage | Uint8Array)[] = [];
  private unread: (string | Uint8Array)[] = [];
  send(data: string | Uint8Array) {
    if (this.closed) return 0;
    this.unread.push(data);
    this.buffered += data.length;
    if (this.reading) this.read();
    return data.length;
  }
  getBufferedAmount() {
    return this.buffered;
  }
  /** Reads what is buffered; returns it. */
  read() {
    const got = this.unread.map((d) => (typeof d === "string" ? LiveMessageSchema.parse(JSON.parse(d)) : d));
    this.received.push(...got);
    this.unread = [];
    this.buffered = 0;
    return got;
  }
  close(code?: number, reason?: string) {
    this.closed = [code, reason];
  }
  terminate() {
    this.closed = [];
  }
  json<T extends LiveMessage["type"]>(type: T) {
    return this.received.filter((m): m is Extract<LiveMessage, { type: T }> => !(m instanceof Uint8Array) && m.type === type);
  }
}

let engine: Engine;
let ring: EventRing;
let hub: LiveHub;
beforeEach(async () => {
  engine = new Engine(SettingsSchema.parse({ strip: { ledCount: 10_000 }, http: { liveClients: 3 } }));
  ring = new EventRing(512);
  hub = new LiveHub(engine, ring);
  await engine.start();
  hub.start();
});
afterEach(async () => {
  hub.stop();
  await engine.stop();
});

const push = (n: number) => {
  for (let i = 0; i < n; i++) ring.push({ type: "assist", id: `e${ring.lastSeq + 1}`, time: 1, source: "api", game: "generic" } as never);
};
const seqs = (p: Peer) => p.json("events").flatMap((m) => m.items.map((i) => i.seq));

test("a client that stops reading is sent nothing more; reading again it gets the newest state once and every event since", async () => {
  const p = new Peer();
  hub.open(p, undefined, undefined);
  await until(() => p.received.filter((m) => m instanceof Uint8Array).length >= 3, "frames to a reading client");
  push(5);
  await until(() => seqs(p).length === 5, "the first events");

  p.reading = false;
  push(50);
  await until(() => p.buffered > MAX_BUFFERED, "the client's buffer filling");
  const stuck = p.buffered;
  // Frames (30,000 bytes each) and events keep being made; none of them goes to this client.
  const frames = engine.stats().frames;
  await until(() => engine.stats().frames > frames + 30, "30 more frames");
  push(50);
  await until(() => hub.skippedFrames > 20, "frames skipped for it");
  expect(p.buffered).toBe(stuck);
  // Five stats and a heartbeat come and go meanwhile: only the newest of each will be sent.
  await until(() => engine.stats().frames > frames + 5.5 * 60, "5.5 s of frames", 10_000, 50);
  expect(p.json("heartbeat")).toEqual([]);
  p.read();
  // One frame is over the limit by itself: what the next frame time sends is all it sends.
  await until(() => p.buffered > 0, "the client's next turn");
  const turn = p.read().filter((m) => !(m instanceof Uint8Array)) as LiveMessage[];
  expect(turn.map((m) => m.type).sort()).toEqual(["events", "heartbeat", "stats"]);
  expect(seqs(p)).toEqual(Array.from({ length: 105 }, (_, i) => i + 1));
  expect(p.json("events").some((m) => m.missed)).toBe(false);
  expect(p.closed).toBeNull();
});

test("a client behind for longer than the ring holds is told how many events it missed", async () => {
  const p = new Peer();
  hub.open(p, undefined, undefined);
  await until(() => p.json("hello").length === 1, "hello");
  p.reading = false;
  await until(() => p.buffered > MAX_BUFFERED, "the client's buffer filling");
  push(700);
  const frames = engine.stats().frames;
  await until(() => engine.stats().frames > frames + 5, "5 frames");
  p.read();
  p.reading = true;
  await until(() => seqs(p).length === 512, "the 512 events the ring holds");
  expect(seqs(p)).toEqual(Array.from({ length: 512 }, (_, i) => 700 - 512 + 1 + i));
  expect(p.json("events")[0].missed).toBe(700 - 512);
});

test("past http.liveClients a client is closed with the reason; a closed one frees its place", () => {
  const peers = [new Peer(), new Peer(), new Peer(), new Peer()];
  for (const p of peers) hub.open(p, undefined, undefined);
  expect(hub.clientCount).toBe(3);
  expect(peers[3].closed).toEqual([1013, "too many live clients: 3 are connected (settings http.liveClients)"]);
  expect(peers[3].received).toEqual([]);
  expect(hub.refused).toBe(1);
  hub.close(peers[0]);
  const next = new Peer();
  hub.open(next, undefined, undefined);
  expect(next.closed).toBeNull();
  expect(next.json("hello")).toHaveLength(1);
  expect(defaultSettings().http.liveClients).toBe(16);
});
