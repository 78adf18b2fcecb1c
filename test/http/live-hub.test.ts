// The live channel's frame pacing (src/http/live.ts) on engine time: which engine frames each
// client is sent, decided from the frames' own timestamps, so it is checked exactly here with a
// stand-in engine; live.test.ts runs the channel end to end.
import { afterEach, describe, expect, test } from "bun:test";
import { EventRing } from "../../src/events/ring.ts";
import { LiveHub, type LiveSocket } from "../../src/http/live.ts";
import type { Engine } from "../../src/light/engine.ts";

/** Just what the hub reads from an engine; frame(t) runs its frame listeners at engine time t. */
class StandInEngine {
  settings = { render: { fps: 60 }, strip: { ledCount: 2 }, http: { liveClients: 16 } } as Engine["settings"];
  lastFrameMs = 0;
  pipeline = { preview: new Uint8Array(6) };
  private listeners: ((e: Engine) => void)[] = [];
  onFrame(fn: (e: Engine) => void) {
    this.listeners.push(fn);
    return () => void this.listeners.splice(this.listeners.indexOf(fn), 1);
  }
  stats() {
    return {} as ReturnType<Engine["stats"]>;
  }
  frame(tMs: number) {
    this.lastFrameMs = tMs;
    for (const l of this.listeners) l(this as unknown as Engine);
  }
  /** Frames at the engine's rate for one second of engine time from `fromMs`. */
  second(fromMs = 0) {
    const fps = this.settings.render.fps;
    for (let k = 0; k < fps; k++) this.frame(fromMs + (k * 1000) / fps);
  }
}

/** A socket that keeps what it is sent; `buffered` plays a client that is not reading. */
class Socket implements LiveSocket {
  sent: (string | Uint8Array)[] = [];
  buffered = 0;
  send(data: string | Uint8Array) {
    this.sent.push(data);
  }
  getBufferedAmount() {
    return this.buffered;
  }
  close() {}
  terminate() {}
  frames() {
    return this.sent.filter((d) => typeof d !== "string").length;
  }
}

let hub: LiveHub | null = null;
afterEach(() => {
  hub?.stop();
  hub = null;
});

function setup() {
  const engine = new StandInEngine();
  hub = new LiveHub(engine as unknown as Engine, new EventRing());
  hub.start();
  return { engine, hub };
}

describe("live frame pacing, on engine time", () => {
  test("at 60 engine fps: a client asking 10 fps gets every sixth frame, one asking nothing gets every frame", () => {
    const { engine, hub } = setup();
    const slow = new Socket(), all = new Socket();
    hub.open(slow, 10, undefined);
    hub.open(all, undefined, undefined);
    const sentAt: number[] = [];
    engine.onFrame(() => void (slow.frames() > sentAt.length && sentAt.push(engine.lastFrameMs)));
    engine.second();
    engine.second(1000);
    expect(slow.frames()).toBe(20);
    expect(sentAt.map((t) => Math.round(t))).toEqual(Array.from({ length: 20 }, (_, k) => 100 * k));
    expect(all.frames()).toBe(120);
  });

  test("a subscribe message changes a connected client's rate from the next frame; more than the engine's rate gets the engine's", () => {
    const { engine, hub } = setup();
    const ws = new Socket();
    hub.open(ws, undefined, undefined);
    engine.second();
    expect(ws.frames()).toBe(60);
    hub.message(ws, JSON.stringify({ type: "subscribe", fps: 5 }));
    engine.second(1000);
    expect(ws.frames()).toBe(60 + 5);
    hub.message(ws, JSON.stringify({ type: "subscribe", fps: 240 }));
    engine.second(2000);
    expect(ws.frames()).toBe(60 + 5 + 60);
    // Not a subscribe message: ignored, the rate stays.
    hub.message(ws, JSON.stringify({ type: "subscribe", fps: 0 }));
    hub.message(ws, "{nonsense");
    engine.second(3000);
    expect(ws.frames()).toBe(60 + 5 + 60 + 60);
  });

  test("engine frames up to half a frame late still give a 10 fps client its ten frames a second", () => {
    const { engine, hub } = setup();
    const ws = new Socket();
    hub.open(ws, 10, undefined);
    // Every third frame comes 8 ms late (still within half a frame of its due time).
    for (let k = 0; k < 120; k++) engine.frame((k * 1000) / 60 + (k % 3 === 0 ? 8 : 0));
    expect(ws.frames()).toBe(20);
  });

  test("a client with over 1 MiB unsent skips frames (counted) instead of queueing them, and catches up when it drains", () => {
    const { engine, hub } = setup();
    const ws = new Socket();
    hub.open(ws, undefined, undefined);
    ws.buffered = 2 << 20;
    engine.second();
    expect(ws.frames()).toBe(0);
    expect(hub.skippedFrames).toBe(60);
    ws.buffered = 0;
    engine.second(1000);
    expect(ws.frames()).toBe(60);
  });

  test("a new engine rate after a settings change: a client's own lower cap holds, the others follow the engine", () => {
    const { engine, hub } = setup();
    const capped = new Socket(), open = new Socket();
    hub.open(capped, 20, undefined);
    hub.open(open, undefined, undefined);
    engine.settings = { ...engine.settings, render: { ...engine.settings.render, fps: 10 } };
    hub.reconfigured();
    engine.second();
    expect([capped.frames(), open.frames()]).toEqual([10, 10]);
    const hellos = (s: Socket) => s.sent.filter((d) => typeof d === "string").map((d) => JSON.parse(d as string)).filter((m) => m.type === "hello");
    expect(hellos(capped).map((h) => h.fps)).toEqual([20, 10]);
    expect(hellos(open).map((h) => h.fps)).toEqual([60, 10]);
  });
});
