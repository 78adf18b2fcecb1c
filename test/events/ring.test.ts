// EventRing: numbered recent events, bounded, for resuming the live channel.
import { describe, expect, test } from "bun:test";
import { EventRing } from "../../src/events/ring.ts";
import type { GameEvent } from "../../src/events/schema.ts";

const ev = (id: string) => ({ type: "assist", id, time: 1, source: "t", game: "g" }) as GameEvent;

describe("EventRing", () => {
  test("numbers events from 1 and returns those after a seq, oldest first", () => {
    const ring = new EventRing(8);
    expect(ring.since(0)).toEqual([]);
    expect(["a", "b", "c"].map((id) => ring.push(ev(id)).seq)).toEqual([1, 2, 3]);
    expect(ring.lastSeq).toBe(3);
    expect(ring.since(0).map((n) => n.event.id)).toEqual(["a", "b", "c"]);
    expect(ring.since(1).map((n) => n.seq)).toEqual([2, 3]);
    expect(ring.since(3)).toEqual([]);
  });

  test("keeps only the newest `capacity` events once it wraps", () => {
    const ring = new EventRing(4);
    for (let i = 1; i <= 10; i++) ring.push(ev(`e${i}`));
    expect(ring.since(0).map((n) => n.seq)).toEqual([7, 8, 9, 10]);
    expect(ring.since(8).map((n) => n.event.id)).toEqual(["e9", "e10"]);
  });

  test("limit keeps the newest", () => {
    const ring = new EventRing(16);
    for (let i = 1; i <= 10; i++) ring.push(ev(`e${i}`));
    expect(ring.since(0, 3).map((n) => n.seq)).toEqual([8, 9, 10]);
  });
});
