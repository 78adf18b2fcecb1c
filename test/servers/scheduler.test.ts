import { describe, expect, test } from "bun:test";
import { Poller } from "../../src/servers/scheduler.ts";
import { until } from "../helpers/box.ts";

describe("poller", () => {
  test("backoff doubles while failing, is capped, and resets on success; jitter stays within ±10%", () => {
    const p = new Poller(async () => true, { intervalMs: 1000, maxBackoffMs: 8000 }, () => 0.5);
    expect(p.nextDelay(true)).toBe(1000);
    expect([false, false, false, false, false].map(() => p.nextDelay(false))).toEqual([2000, 4000, 8000, 8000, 8000]);
    expect(p.failures).toBe(5);
    expect(p.nextDelay(true)).toBe(1000);
    expect(p.failures).toBe(0);
    expect(p.nextDelay(false)).toBe(2000);
    expect(new Poller(async () => true, { intervalMs: 1000 }, () => 0).nextDelay(true)).toBe(900);
    expect(new Poller(async () => true, { intervalMs: 1000 }, () => 0.999999).nextDelay(true)).toBeCloseTo(1100, 0);
  });

  test("a poll slower than the interval is never overlapped; a throwing task counts as a failure; stop ends it", async () => {
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const failuresSeen: number[] = [];
    const p = new Poller(async () => {
      failuresSeen.push(p.failures);
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls++;
      await Bun.sleep(30);
      running--;
      if (calls === 2) throw new Error("boom");
      return calls !== 3;
    }, { intervalMs: 10, firstWithinMs: 0, maxBackoffMs: 40 }, () => 0.5);
    p.start();
    await until(() => p.runs >= 5, "five polls", 3000);
    p.stop();
    expect(maxRunning).toBe(1);
    expect(failuresSeen.slice(0, 5)).toEqual([0, 0, 1, 2, 0]);
    // Stopped: while a second poller with the same schedule runs ten times (well past the 40 ms
    // backoff cap), the stopped one runs no more.
    const runs = p.runs;
    const marker = new Poller(async () => true, { intervalMs: 10, firstWithinMs: 0, maxBackoffMs: 40 }, () => 0.5);
    marker.start();
    await until(() => marker.runs >= 10, "ten runs of a second poller", 3000);
    marker.stop();
    expect(p.runs).toBe(runs);
  });
});
