// Capped exponential backoff (src/util/backoff.ts): the one implementation behind outputs, the
// MQTT link, server pollers and the Rocket League client, driven here by its injected random.
import { describe, expect, test } from "bun:test";
import { Backoff } from "../../src/util/backoff.ts";

/** A random source that returns the given values in turn. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

describe("Backoff", () => {
  test("each failure in a row doubles the wait, from firstMs", () => {
    const b = new Backoff({ firstMs: 250, maxMs: 1_000_000 });
    expect(Array.from({ length: 6 }, () => b.next())).toEqual([250, 500, 1000, 2000, 4000, 8000]);
    expect(b.failures).toBe(6);
  });

  test("the wait stops growing at maxMs, also when that is not a doubling of firstMs", () => {
    const b = new Backoff({ firstMs: 300, maxMs: 1000 });
    expect(Array.from({ length: 5 }, () => b.next())).toEqual([300, 600, 1000, 1000, 1000]);
  });

  test("thousands of failures in a row still give maxMs, never Infinity or NaN", () => {
    const b = new Backoff({ firstMs: 500, maxMs: 10_000 });
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.next()).toBe(10_000);
  });

  test("jitter only shortens: the wait is scaled by 1 − jitter·random, so maxMs stays the longest", () => {
    const b = new Backoff({ firstMs: 1000, maxMs: 4000, jitter: 0.2 }, sequence(0, 0.5, 0.75, 0.25));
    // 1000·(1 − 0), 2000·(1 − 0.1), 4000·(1 − 0.15), 4000·(1 − 0.05)
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([1000, 1800, 3400, 3800]);
    // Random values just below 1 (Math.random never returns 1) shorten by almost the whole jitter.
    const low = new Backoff({ firstMs: 1000, maxMs: 4000, jitter: 0.2 }, () => 0.999);
    expect(low.next()).toBeCloseTo(800.2, 9);
  });

  test("without jitter the waits are exact whatever the random source returns", () => {
    const b = new Backoff({ firstMs: 100, maxMs: 400 }, () => 0.9);
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
  });

  test("exhaust(): a failure that retrying sooner cannot fix waits the longest at once, and after", () => {
    const b = new Backoff({ firstMs: 250, maxMs: 4000 });
    expect(b.exhaust()).toBe(4000);
    expect(b.next()).toBe(4000);
    // maxMs that is not a power-of-two multiple of firstMs: still the cap, not a wait short of it.
    const odd = new Backoff({ firstMs: 300, maxMs: 1000 });
    expect(odd.exhaust()).toBe(1000);
    // Jitter still applies to the exhausted wait.
    expect(new Backoff({ firstMs: 250, maxMs: 4000, jitter: 0.2 }, () => 0.5).exhaust()).toBe(3600);
  });

  test("exhaust() never lowers a count that is already past the cap", () => {
    const b = new Backoff({ firstMs: 250, maxMs: 4000 });
    for (let i = 0; i < 9; i++) b.next();
    b.exhaust();
    expect(b.failures).toBe(10);
  });

  test("reset() after a success starts again from firstMs", () => {
    const b = new Backoff({ firstMs: 500, maxMs: 10_000 });
    b.next();
    b.next();
    b.exhaust();
    b.reset();
    expect(b.failures).toBe(0);
    expect([b.next(), b.next()]).toEqual([500, 1000]);
  });
});
