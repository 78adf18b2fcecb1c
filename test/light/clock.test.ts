// The frame clock: fixed rate aimed at absolute deadlines, frames more than half a period late
// skipped and counted as overruns, stats measured. Exact behaviour is checked with fake timers and an injected `now`;
// a real short run checks structure only (this runs on a shared, noisy machine).
import { afterEach, describe, expect, jest, test } from "bun:test";
import { FrameClock } from "../../src/light/clock.ts";
import { until } from "../helpers/box.ts";

/**
 * Fake time: timers advance with jest's fake clock; `cost` adds simulated render time (a frame
 * callback that "takes" 3 ms advances now() by 3 without any timer firing).
 */
function fakeClock(fps: number, costOf: (frame: number) => number) {
  jest.useFakeTimers({ now: 0 });
  let extra = 0;
  const now = () => Date.now() + extra;
  const starts: number[] = [];
  const indexes: number[] = [];
  const clock = new FrameClock(fps, (t, k) => {
    starts.push(t);
    indexes.push(k);
    extra += costOf(k);
  }, now);
  /** Lets fake time pass until now() (timer time plus simulated render time) reaches t. */
  const runUntil = (t: number) => {
    while (now() < t) jest.advanceTimersByTime(1);
  };
  return { clock, starts, indexes, now, runUntil };
}

afterEach(() => {
  jest.useRealTimers();
});

describe("with fake time", () => {
  test("frames start at t0 + k·period: a steady render cost does not make them drift (unlike chained timeouts)", () => {
    const { clock, starts, indexes, runUntil } = fakeClock(100, () => 3);
    clock.start();
    runUntil(195);
    clock.stop();
    expect(starts.length).toBe(20);
    expect(starts[0]).toBeLessThanOrEqual(1); // "now", give or take the timer's 1 ms minimum
    for (let k = 1; k < starts.length; k++) expect(starts[k]).toBe(10 * k);
    expect(indexes).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(clock.overruns).toBe(0);
    expect(clock.frames).toBe(20);
  });

  test("a frame that runs past later deadlines skips them (no burst of stale frames) and counts each as an overrun", () => {
    // Frame 5 starts at 50 and takes 36 ms: deadlines 60, 70 and 80 are more than half a period
    // gone by 86; the next frame is at 90.
    const { clock, starts, runUntil } = fakeClock(100, (k) => (k === 5 ? 36 : 1));
    clock.start();
    runUntil(205);
    clock.stop();
    expect(starts.slice(1)).toEqual([10, 20, 30, 40, 50, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
    expect(clock.overruns).toBe(3);
    // Every deadline is either a frame or an overrun.
    expect(clock.frames + clock.overruns).toBe(21);
  });

  test("a frame that ends less than half a period past the next deadline: that frame comes late, none is lost", () => {
    const { clock, starts, runUntil } = fakeClock(100, (k) => (k === 2 ? 12 : 0));
    clock.start();
    runUntil(65);
    clock.stop();
    // Ends at 32: the late frame runs at once (33: a timer's 1 ms minimum), then back on the grid.
    expect(starts.slice(1)).toEqual([10, 20, 33, 40, 50, 60]);
    expect(clock.overruns).toBe(0);
  });

  test("a frame that ends more than half a period past the next deadline skips it and counts one overrun", () => {
    const { clock, starts, runUntil } = fakeClock(100, (k) => (k === 2 ? 16 : 0));
    clock.start();
    runUntil(65);
    clock.stop();
    expect(starts.slice(1)).toEqual([10, 20, 40, 50, 60]);
    expect(clock.overruns).toBe(1);
  });

  test("stats are measured from the injected clock: intervals, render times, delivered rate", () => {
    const { clock, runUntil } = fakeClock(100, () => 2);
    clock.start();
    runUntil(7005); // more than the 600-sample window, so the odd first tick has left it
    clock.stop();
    const s = clock.stats();
    expect(s.targetFps).toBe(100);
    expect(s.deliveredFps).toBe(100);
    expect(s.intervalMs).toEqual({ p50: 10, p99: 10, max: 10 });
    expect(s.renderMs).toEqual({ p50: 2, p99: 2 });
    expect(s.frames).toBe(701);
    expect(s.overruns).toBe(0);
  });

  test("stop stops; start again resumes from a fresh t0; a second start() does not double the rate", () => {
    const { clock, starts } = fakeClock(50, () => 0);
    expect(clock.running).toBe(false);
    clock.start();
    clock.start();
    expect(clock.running).toBe(true);
    jest.advanceTimersByTime(99);
    expect(starts.length).toBe(5);
    clock.stop();
    expect(clock.running).toBe(false);
    jest.advanceTimersByTime(500);
    expect(starts.length).toBe(5);
    clock.start();
    jest.advanceTimersByTime(45);
    clock.stop();
    // t0 is now() at the restart (599); the first frame is due at once.
    expect(starts[5]).toBeGreaterThanOrEqual(599);
    expect(starts[5]).toBeLessThanOrEqual(600);
    expect(starts.slice(6)).toEqual([619, 639]);
    expect(clock.frames).toBe(8);
  });

  test("stop from inside a frame callback ends the loop", () => {
    jest.useFakeTimers({ now: 0 });
    let n = 0;
    const clock: FrameClock = new FrameClock(100, () => {
      if (++n === 3) clock.stop();
    }, () => Date.now());
    clock.start();
    jest.advanceTimersByTime(200);
    expect(n).toBe(3);
    expect(clock.running).toBe(false);
  });

  test("setFps changes the period from the next frame on, keeping deadlines absolute", () => {
    const { clock, starts } = fakeClock(100, () => 0);
    clock.start();
    jest.advanceTimersByTime(30); // frames at ~0, 10, 20, 30
    clock.setFps(50);
    expect(clock.period).toBe(20);
    jest.advanceTimersByTime(100);
    clock.stop();
    // The frame already scheduled for 40 still runs; from then on, every 20 ms from t0 = 30.
    expect(starts.slice(1)).toEqual([10, 20, 30, 40, 50, 70, 90, 110, 130]);
    expect(clock.stats().targetFps).toBe(50);
  });

  test("period is 1000 / fps", () => {
    expect(new FrameClock(60, () => {}, () => 0).period).toBeCloseTo(16.6667, 3);
    expect(new FrameClock(240, () => {}, () => 0).period).toBeCloseTo(4.1667, 3);
  });

  test("stats before any frame are zeros, not NaN", () => {
    const s = new FrameClock(60, () => {}, () => 0).stats();
    expect(s).toEqual({ targetFps: 60, deliveredFps: 0, intervalMs: { p50: 0, p99: 0, max: 0 }, renderMs: { p50: 0, p99: 0 }, frames: 0, frameErrors: 0, lastFrameError: null, overruns: 0 });
  });

  test("a frame that throws costs that frame only: the loop goes on, the error is counted and kept", () => {
    jest.useFakeTimers({ now: 0 });
    const clock = new FrameClock(100, (_t, k) => {
      if (k === 3) throw new Error("bad frame");
    }, () => Date.now());
    clock.start();
    jest.advanceTimersByTime(95);
    clock.stop();
    expect(clock.frames).toBe(10);
    expect(clock.stats()).toMatchObject({ frameErrors: 1, lastFrameError: "bad frame", overruns: 0 });
  });
});

describe("real time (structure only)", () => {
  test("a short run at 250 fps: every deadline up to the last frame is a frame or an overrun", async () => {
    const fps = 250, period = 1000 / fps;
    let maxNow = 0;
    const now = () => {
      const t = performance.now();
      if (t > maxNow) maxNow = t;
      return t;
    };
    const starts: number[] = [];
    const indexes: number[] = [];
    const clock = new FrameClock(fps, (t, k) => {
      starts.push(t);
      indexes.push(k);
    }, now);
    const before = now();
    clock.start();
    await until(() => starts.length >= 30, "30 frames", 10_000);
    clock.stop();
    const frames = starts.length;
    expect(clock.frames).toBe(frames);
    expect(indexes).toEqual(Array.from({ length: frames }, (_, k) => k));
    for (let i = 1; i < frames; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
    // Deadlines consumed (frames + overruns) cover the span from the first to the last frame,
    // and never run ahead of the time that has passed (allowing the timer's ~1 ms slack).
    const consumed = clock.frames + clock.overruns;
    expect(consumed).toBeGreaterThanOrEqual(Math.floor((starts[frames - 1] - starts[0]) / period));
    expect(consumed).toBeLessThanOrEqual((maxNow - before + 1) / period + 2);
    const s = clock.stats();
    expect(s.targetFps).toBe(250);
    expect(s.frames).toBe(frames);
    expect(s.overruns).toBe(clock.overruns);
    expect(s.deliveredFps).toBeGreaterThan(0);
    expect(s.intervalMs.p50).toBeGreaterThan(0);
    expect(s.intervalMs.p99).toBeGreaterThanOrEqual(s.intervalMs.p50);
    expect(s.intervalMs.max).toBeGreaterThanOrEqual(s.intervalMs.p99);
    expect(s.renderMs.p99).toBeGreaterThanOrEqual(s.renderMs.p50);
    // Nothing runs after stop: a second clock at the same rate ticks three times meanwhile,
    // and the stopped one's next deadline was at most one period away.
    let marks = 0;
    const marker = new FrameClock(fps, () => void marks++, now);
    marker.start();
    await until(() => marks >= 3, "three ticks of a second clock", 10_000);
    marker.stop();
    expect(starts.length).toBe(frames);
  });
});
