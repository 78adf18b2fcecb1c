// The engine: scene → pipeline → drivers per frame; pure renderAt(t); outputs, listeners and
// their failures; stats and state; reconfiguration; and a hot path that allocates nothing.
import { afterAll, afterEach, describe, expect, jest, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../../src/light/engine.ts";
import { spidevBufsiz } from "../../src/outputs/spi.ts";
import type { VirtualDriver } from "../../src/outputs/virtual.ts";
import { until } from "../helpers/box.ts";
import { baseChange, darkEngine, engineAt0, expectLevels, fx, level, meterSpec, plain, settings, solidLevels } from "./util.ts";

afterEach(() => {
  jest.useRealTimers();
});

const driver = (e: Engine, i = 0) => e.outputs[i].driver as VirtualDriver;

/** An engine on fake timers whose now() is the fake clock. */
function fakeEngine(s = plain(6, { gamma: 1 })) {
  jest.useFakeTimers({ now: 0 });
  return new Engine(s, () => Date.now());
}

describe("renderAt", () => {
  test("is pure in scene state and t: any order of times gives the same bytes for the same t", () => {
    const e = engineAt0(settings({ strip: { ledCount: 20 } }));
    e.setBase(baseChange({ effect: "rainbow", level: 0.6, hz: 1 }), 0);
    e.trigger(fx({ effect: "pulse", hz: 3, durationMs: 2000 }), 0);
    e.setMeter("m", meterSpec({ smoothingMs: 300 }), 0.8, 0);
    const at = (t: number) => {
      e.renderAt(t);
      return { wire: Array.from(e.pipeline.frame), preview: Array.from(e.pipeline.preview), ma: e.pipeline.power.requestedMa };
    };
    const first = at(700);
    at(100);
    at(1900);
    at(3000);
    expect(at(700)).toEqual(first);
  });

  test("the frame index (for dithering) defaults to round(t / period)", () => {
    const e = engineAt0(settings({ strip: { ledCount: 8, colorOrder: "RGB" }, light: { gamma: 1, brightness: 1 } }));
    e.setBase(baseChange({ colors: ["#0b0b0b"], level: 0.5, transitionMs: 0 }), 0); // 5.5 steps: dithered
    e.renderAt(50);
    const a = Array.from(e.pipeline.frame);
    e.renderAt(50, 3); // 50 ms at 60 fps is frame 3
    expect(Array.from(e.pipeline.frame)).toEqual(a);
    e.renderAt(50, 4);
    expect(Array.from(e.pipeline.frame)).not.toEqual(a);
  });

  test("frame bytes: base through brightness and gamma, in R G B order whatever the strip's order", () => {
    const e = engineAt0(settings({ strip: { ledCount: 3, colorOrder: "GRB" }, light: { dithering: false } }));
    e.setBase(baseChange({ colors: ["#ff8000"], level: 1, transitionMs: 0 }), 0);
    e.renderAt(0);
    // Brightness 0.8, gamma 2.2.
    const g = level(0.8 * (128 / 255)), r = level(0.8);
    expectLevels(e.pipeline.frame, [r, g, 0, r, g, 0, r, g, 0]);
    expect(Array.from(e.pipeline.preview)).toEqual([204, 102, 0, 204, 102, 0, 204, 102, 0]);
  });

  test("trigger, setBase and setMeter default to the engine's now()", () => {
    let now = 1000;
    const e = new Engine(plain(2, { gamma: 1 }), () => now);
    e.setBase(baseChange({ on: false, transitionMs: 0 }));
    e.trigger(fx({ effect: "flash", colors: ["#ffffff"], fadeOutMs: 0, durationMs: 100 }));
    e.renderAt(999);
    expect(Array.from(e.pipeline.frame)).toEqual([0, 0, 0, 0, 0, 0]);
    e.renderAt(1000);
    expect(Array.from(e.pipeline.frame)).toEqual([255, 255, 255, 255, 255, 255]);
    now = 5000;
    expect(e.now()).toBe(5000);
    expect(e.setMeter("m", meterSpec({ smoothingMs: 0, gradient: ["#ff0000"] }), 0.5)).toEqual(["main"]);
    e.renderAt(5000);
    expect(Array.from(e.pipeline.frame)).toEqual([255, 0, 0, 0, 0, 0]);
  });
});

describe("running", () => {
  test("each frame: ended effects are pruned, the frame is rendered, every output gets its own range, listeners run", async () => {
    const s = settings({
      strip: { ledCount: 6, colorOrder: "RGB" },
      light: { gamma: 1, brightness: 1, dithering: false, power: { enabled: false } },
      outputs: [{ driver: "virtual", start: 0, length: 2 }, { driver: "virtual", start: 2 }],
    });
    const e = fakeEngine(s);
    e.setBase(baseChange({ on: false, transitionMs: 0 }), 0);
    e.setMeter("m", meterSpec({ smoothingMs: 0, gradient: ["#ffffff"] }), 0.5, 0);
    expect(e.outputs.map((o) => [o.start, o.length, driver(e, e.outputs.indexOf(o)).ctx.ledCount])).toEqual([[0, 2, 2], [2, 4, 4]]);
    const seen: number[] = [];
    e.onFrame((eng) => seen.push(eng.lastFrameMs));
    e.trigger(fx({ effect: "flash", segment: "main", colors: ["#0000ff"], fadeOutMs: 0, durationMs: 100 }), 0);
    await e.start();
    jest.advanceTimersByTime(50);
    expect(Array.from(driver(e, 0).last)).toEqual([0, 0, 255, 0, 0, 255]);
    expect(Array.from(driver(e, 1).last)).toEqual([0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255]);
    jest.advanceTimersByTime(100);
    expect(Array.from(driver(e, 0).last)).toEqual([255, 255, 255, 255, 255, 255]);
    expect(Array.from(driver(e, 1).last)).toEqual([255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(e.scene.describe(e.now())[0].effects).toEqual([]);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.at(-1)).toBe(e.lastFrameMs);
    expect(driver(e, 0).health().framesWritten).toBe(seen.length);
    await e.stop();
  });

  test("stop writes black to every output and stops the loop", async () => {
    const e = fakeEngine(plain(4, { gamma: 1 }));
    await e.start();
    jest.advanceTimersByTime(40);
    expect(driver(e).last.some((b) => b > 0)).toBe(true);
    await e.stop();
    expect(driver(e).last.every((b) => b === 0)).toBe(true);
    const written = driver(e).health().framesWritten;
    jest.advanceTimersByTime(200);
    expect(driver(e).health().framesWritten).toBe(written);
  });

  test("a throwing listener or driver costs only itself: the loop and the other listeners go on", async () => {
    const e = fakeEngine();
    let good = 0;
    e.onFrame(() => {
      throw new Error("listener bug");
    });
    e.onFrame(() => good++);
    const d = driver(e);
    const write = d.write.bind(d);
    let calls = 0;
    d.write = (f) => {
      if (++calls % 2) throw new Error("unplugged");
      write(f);
    };
    await e.start();
    jest.advanceTimersByTime(200);
    await e.stop();
    expect(good).toBeGreaterThan(5);
    expect(e.listenerErrors).toBe(good);
    expect(e.outputErrors).toBeGreaterThan(2);
    expect(e.stats().frames).toBe(good);
  });

  test("onFrame returns an unsubscribe function", async () => {
    const e = fakeEngine();
    let a = 0, b = 0;
    const offA = e.onFrame(() => a++);
    e.onFrame(() => b++);
    await e.start();
    jest.advanceTimersByTime(50);
    offA();
    const aAt = a;
    jest.advanceTimersByTime(50);
    await e.stop();
    expect(a).toBe(aAt);
    expect(b).toBeGreaterThan(aAt);
  });

  test("a real short run at high fps: frames reach the driver and listeners one for one; deadlines a slow frame ran past are counted (structure only)", async () => {
    const e = new Engine(settings({ strip: { ledCount: 60 }, render: { fps: 240 } }));
    const period = 1000 / 240;
    let frames = 0, firstMs = 0;
    e.onFrame((eng) => {
      if (frames++ === 0) firstMs = eng.lastFrameMs;
      // Frame 10 takes 25 ms, six periods: at least five deadlines pass more than half a period late.
      if (frames === 10) for (const end = performance.now() + 25; performance.now() < end; );
    });
    e.trigger(fx({ effect: "pulse", hz: 4, durationMs: 5000 }));
    const startedAt = performance.now();
    await e.start();
    await until(() => frames > 20, "20 frames, past the slow one", 10_000);
    await e.stop();
    const stoppedAt = performance.now();
    const s = e.stats();
    expect(s.frames).toBe(frames);
    expect(driver(e).health().framesWritten).toBe(frames + 1); // + the black frame written by stop
    expect(s.targetFps).toBe(240);
    expect(s.overruns).toBeGreaterThanOrEqual(5);
    // Every deadline from the first frame to the last is a frame or an overrun, and the count
    // never runs ahead of the time that passed (the clock's rules, whatever the machine's load).
    expect(s.frames + s.overruns).toBeGreaterThanOrEqual((e.lastFrameMs - firstMs) / period - 0.5);
    expect(s.frames + s.overruns).toBeLessThanOrEqual((stoppedAt - startedAt) / period + 2);
    expect(driver(e).last.every((b) => b === 0)).toBe(true);
  });
});

describe("stats and state", () => {
  test("stats: clock figures, power (rounded), guard and dropped counters; virtual outputs have no wire limit", () => {
    const e = engineAt0(settings({ strip: { ledCount: 150 }, render: { maxEffectsPerSegment: 1 } }));
    e.setBase(baseChange({ colors: ["#ffffff"], level: 1, transitionMs: 0 }), 0);
    for (const t of [0, 10, 20, 30]) e.trigger(fx({ effect: "flash" }), t);
    e.trigger(fx({ effect: "sweep", priority: 0 }), 40);
    e.renderAt(50);
    const s = e.stats();
    expect(s.guardBlockedFlashes).toBe(1);
    expect(s.droppedEffects).toBe(1);
    expect(s.wireLimitFps).toBeNull();
    expect(s.power.limiting).toBe(true);
    expect(s.power.ma).toBe(850);
    expect(s.power.requestedMa).toBeGreaterThan(850);
    expect(s.power.watts).toBe(4.25);
    expect(s).toMatchObject({ targetFps: 60, frames: 0, overruns: 0 });
  });

  test("state: stats, strip, segments and output health, JSON-safe", () => {
    const e = engineAt0(settings({ strip: { ledCount: 10 } }));
    const st = e.state();
    expect(st.strip).toEqual({ ledCount: 10, ledType: "rgb", colorOrder: "GRB", whiteExtraction: "subtract" });
    expect(st.segments.map((s) => s.name)).toEqual(["main"]);
    expect(st.outputs).toEqual([{ driver: "virtual", start: 0, length: 10, wireLimitFps: null, health: { ok: true, framesWritten: 0, framesDropped: 0 } }]);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
  });
});

describe("start", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledbox-engine-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("stored settings (never checked as a change is): an SPI output too long for spidev.bufsiz names the fix in its health and writes nothing", async () => {
    const path = join(dir, "spidev-too-long");
    writeFileSync(path, "");
    // 12 bytes per RGB LED: more LEDs than this machine's spidev.bufsiz holds (4096 without the module).
    const ledCount = Math.ceil(spidevBufsiz() / 12) + 1;
    const e = new Engine(settings({ strip: { ledCount }, outputs: [{ driver: "spi", device: path }] }));
    await e.start();
    await until(() => e.stats().frames >= 5, "a few frames rendered");
    const [out] = e.state().outputs;
    expect(out.health.ok).toBe(false);
    expect(out.health.message).toContain(`${ledCount} LEDs need`);
    expect(out.health.message).toContain("add spidev.bufsiz=65536 to /boot/firmware/cmdline.txt and reboot");
    expect(out.health.framesWritten).toBe(0);
    await e.stop();
    expect(readFileSync(path).length).toBe(0);
  });
});

describe("reconfigure", () => {
  test("rebuilds buffers and outputs for new settings; bases and meters carry over by segment name", async () => {
    const e = engineAt0(plain(4, { gamma: 1 }));
    e.setBase(baseChange({ colors: ["#00ff00"], level: 1, transitionMs: 0 }), 0);
    e.setMeter("hp", meterSpec({ smoothingMs: 0, gradient: ["#ff0000"] }), 0.5, 0);
    await e.reconfigure(plain(8, { gamma: 1 }));
    expect(e.pipeline.frame.length).toBe(24);
    expect(driver(e).ctx.ledCount).toBe(8);
    e.renderAt(0);
    expect(Array.from(e.pipeline.frame)).toEqual([...solidLevels(4, [1, 0, 0], 1), ...solidLevels(4, [0, 1, 0], 1)]);
  });

  test("light settings alone retune the pipeline: running effects, outputs and buffers stay", async () => {
    const e = darkEngine(plain(4, { gamma: 1 }));
    expect(e.trigger(fx({ effect: "flash", colors: ["#ffffff"], durationMs: 10_000, fadeOutMs: 0 }), 0).ok).toBe(true);
    const [out, wire] = [driver(e), e.pipeline.frame];
    const s = plain(4, { gamma: 1 });
    await e.reconfigure({ ...s, light: { ...s.light, brightness: 0.5, gamma: 2 } });
    expect(driver(e)).toBe(out);
    expect(e.pipeline.frame).toBe(wire);
    expect(e.settings.light.brightness).toBe(0.5);
    e.renderAt(100);
    // The flash still shows, at the new brightness through the new gamma.
    expectLevels(e.pipeline.frame, solidLevels(4, [0.5, 0.5, 0.5], 2));
  });

  test("a new frame rate applies to the clock", async () => {
    const e = engineAt0(plain(2));
    await e.reconfigure(settings({ ...plain(2), render: { fps: 120, maxEffectsPerSegment: 8 } }));
    expect(e.stats().targetFps).toBe(120);
  });
});

describe("hot path", () => {
  test("20,000 frames with six effects, two meters and a base transition allocate nothing significant", () => {
    const s = settings({
      strip: { ledCount: 150 },
      safety: { flashGuard: false },
      segments: [
        { name: "a", start: 0, length: 50 },
        { name: "b", start: 50, length: 50, reversed: true },
        { name: "c", start: 100, length: 50, mirrored: true },
      ],
    });
    const e = engineAt0(s);
    const L = 300_000;
    for (const spec of [
      { effect: "pulse", segment: "a", durationMs: L, fadeInMs: 1000, fadeOutMs: 1000 },
      { effect: "sweep", segment: "a", hz: 2, durationMs: L, blend: "add" },
      { effect: "color_shift", segment: "b", durationMs: L, blend: "max" },
      { effect: "breathing", segment: "b", durationMs: L, priority: 10 },
      { effect: "strobe", segment: "c", hz: 3, durationMs: L, intensity: 0.5 },
      { effect: "flash", segment: "c", durationMs: L, fadeOutMs: 60_000 },
    ]) expect(e.trigger(fx(spec), 0).ok).toBe(true);
    e.setMeter("hp", meterSpec({ segment: "*", smoothingMs: 200, timeoutMs: 0 }), 0.7, 0);
    e.setMeter("ammo", meterSpec({ segment: "c", direction: "center", background: "#000010" }), 0.3, 0);
    e.setBase(baseChange({ segment: "a", effect: "rainbow", transitionMs: 60_000 }), 0);
    const period = 1000 / 60;
    let f = 0;
    for (; f < 2000; f++) e.renderAt(f * period, f); // warm up (JIT tiers)
    const objects = () => Object.values(heapStats().objectTypeCounts).reduce((a, b) => a + b, 0);
    Bun.gc(true);
    const heap0 = heapStats().heapSize;
    const objs0 = objects();
    for (const end = f + 20_000; f < end; f++) e.renderAt(f * period, f);
    // Without a collection in between, live-or-dead object counts show transient allocation:
    // one small object per frame would be ~20,000 here (a GC could only lower the count).
    const created = objects() - objs0;
    Bun.gc(true);
    const retained = heapStats().heapSize - heap0;
    expect(created).toBeLessThan(5_000);
    // Retained growth: a 32-byte leak per frame would be ~640 kB.
    expect(retained).toBeLessThan(256 * 1024);
    // And it was all really rendered (not optimised away): the strip is lit.
    expect(e.pipeline.frame.some((b) => b > 0)).toBe(true);
  });
});
