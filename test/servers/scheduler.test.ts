import { describe, expect, test } from "bun:test";
import { Poller } from "../../src/servers/scheduler.ts";
import { until } from "../helpers/box.ts";

describe("poller", () => {
  test("backoff doubles while failing, is capped, and resets on success; jitter stays within ±10%", () => {
    const p = new Poller(async () => true, { intervalMs: 1000, maxBackoffMs: 8000 }, () => 0.5);
    expect(p.nextDelay()).toBe(1000);
    p.failures = 1;
    expect(p.nextDelay()).toBe(2000);
    p.failures = 3;
    expect(p.nextDelay()).toBe(8000);
    p.failures = 10;
    expect(p.nextDelay()).toBe(8000);
    p.failures = 0;
    expect(new Poller(async () => true, { intervalMs: 1000 }, () => 0).nextDelay()).toBe(900);
    expect(new Poller(async () => true, { intervalMs: 1000 }, () => 0.999999).nextDelay()).toBeCloseTo(1100, 0);
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
    const runs = p.runs;
    await Bun.sleep(150);
    expect(p.runs).toBe(runs);
  });
});
