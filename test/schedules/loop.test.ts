// The import loop's timing, computed (no real waiting): a failed import is retried sooner than the
// interval, doubling up to it; a success goes back to the jittered interval.
import { describe, expect, test } from "bun:test";
import { ImportLoop, RETRY_FIRST_MS } from "../../src/schedules/loop.ts";

describe("ImportLoop", () => {
  test("retries back off from 15 s, doubling, capped at the interval; a success resets them", () => {
    const loop = new ImportLoop(async () => true, { intervalMs: 300_000 }, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => loop.nextDelay(false))).toEqual([15_000, 30_000, 60_000, 120_000, 240_000, 300_000]);
    // random() = 0: the interval's jitter at its lowest (-10%).
    expect(loop.nextDelay(true)).toBe(270_000);
    expect(loop.nextDelay(false)).toBe(RETRY_FIRST_MS);
  });

  test("jitter spreads both the interval (±10%) and the retries (down to 80%)", () => {
    const high = new ImportLoop(async () => true, { intervalMs: 300_000 }, () => 0.999_999);
    expect(high.nextDelay(true)).toBeCloseTo(330_000, -1);
    expect(high.nextDelay(false)).toBeCloseTo(12_000, -1);
  });
});
