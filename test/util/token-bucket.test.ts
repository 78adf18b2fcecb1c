// Token bucket (src/util/token-bucket.ts): a burst allowance and a sustained rate, on its
// injected clock; it limits integration payloads and MQTT error reports.
import { describe, expect, test } from "bun:test";
import { TokenBucket } from "../../src/util/token-bucket.ts";

/** A bucket on a clock that moves only when the test sets `now`. */
function bucket(ratePerS: number, burst: number) {
  const clock = { now: 0 };
  return { clock, b: new TokenBucket(ratePerS, burst, () => clock.now) };
}

const takeAll = (b: TokenBucket, n: number) => Array.from({ length: n }, () => b.take());

describe("TokenBucket", () => {
  test("a burst at one instant gets exactly `burst` tokens, not one more", () => {
    const { b } = bucket(10, 5);
    expect(takeAll(b, 7)).toEqual([true, true, true, true, true, false, false]);
  });

  test("it refills at the rate: one token per 1000/rate ms, not before", () => {
    const { b, clock } = bucket(10, 5);
    takeAll(b, 5);
    clock.now = 99;
    expect(b.take()).toBe(false);
    clock.now = 100;
    expect(takeAll(b, 2)).toEqual([true, false]);
    // 350 ms later: 3.5 tokens, so three whole ones.
    clock.now = 450;
    expect(takeAll(b, 4)).toEqual([true, true, true, false]);
    // The half token carries over: 50 ms more makes it whole.
    clock.now = 500;
    expect(takeAll(b, 2)).toEqual([true, false]);
  });

  test("a refused take costs nothing: refusals do not push the next token back", () => {
    const { b, clock } = bucket(4, 1);
    expect(b.take()).toBe(true);
    for (clock.now = 0; clock.now < 250; clock.now += 10) expect(b.take()).toBe(false);
    clock.now = 250;
    expect(b.take()).toBe(true);
  });

  test("a long pause refills up to the burst, never beyond it", () => {
    const { b, clock } = bucket(10, 5);
    takeAll(b, 5);
    clock.now = 60_000;
    expect(takeAll(b, 6)).toEqual([true, true, true, true, true, false]);
  });

  test("a sustained stream is held to the rate: 10 per second over 10 s is the burst plus 100", () => {
    const { b, clock } = bucket(10, 10);
    let granted = 0;
    // One attempt per millisecond for 10 s.
    for (clock.now = 0; clock.now < 10_000; clock.now++) if (b.take()) granted++;
    expect(granted).toBe(10 + 99);
  });
});
