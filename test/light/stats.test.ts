// Sample rings: fixed-size recent samples, percentiles on request.
import { describe, expect, test } from "bun:test";
import { round2, round3, SampleRing } from "../../src/light/stats.ts";

describe("SampleRing", () => {
  test("keeps the most recent `capacity` samples, oldest first", () => {
    const r = new SampleRing(3);
    expect(r.size).toBe(0);
    expect(Array.from(r.values())).toEqual([]);
    for (const v of [1, 2]) r.push(v);
    expect(Array.from(r.values())).toEqual([1, 2]);
    for (const v of [3, 4, 5]) r.push(v);
    expect(r.size).toBe(3);
    expect(Array.from(r.values())).toEqual([3, 4, 5]);
  });

  test("summary: p50, p99 and max of the samples held; zeros when empty", () => {
    const r = new SampleRing(100);
    expect(r.summary()).toEqual({ p50: 0, p99: 0, max: 0 });
    for (let i = 100; i >= 1; i--) r.push(i);
    expect(r.summary()).toEqual({ p50: 51, p99: 100, max: 100 });
    r.push(1000);
    expect(r.summary().max).toBe(1000);
  });

  test("summary does not disturb the ring's order", () => {
    const r = new SampleRing(4);
    for (const v of [4, 1, 3, 2]) r.push(v);
    r.summary();
    expect(Array.from(r.values())).toEqual([4, 1, 3, 2]);
  });

  test("clear empties it", () => {
    const r = new SampleRing(4);
    r.push(1);
    r.clear();
    expect(r.size).toBe(0);
    r.push(7);
    expect(Array.from(r.values())).toEqual([7]);
  });

  test("rounding helpers", () => {
    expect(round2(1.23456)).toBe(1.23);
    expect(round3(1.23456)).toBe(1.235);
  });
});
