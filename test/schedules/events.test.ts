// The schedule's words in the event vocabulary: match_upcoming and the countdown value.
import { describe, expect, test } from "bun:test";
import { parseEvents } from "../../src/events/ingest.ts";
import { normalise, numericOf, type GameEvent } from "../../src/events/schema.ts";

const one = (body: unknown) => {
  const r = parseEvents(body);
  if (!r.ok) throw new Error(r.error);
  return r.events[0] as GameEvent;
};

describe("schedule events", () => {
  test("a countdown's fraction left runs 1 → 0 and mappings see the part gone, so a meter fills", () => {
    expect(normalise(one({ type: "countdown", value: 1 }))).toBe(0);
    expect(normalise(one({ type: "countdown", value: 0.25 }))).toBe(0.75);
    expect(normalise(one({ type: "countdown", value: 0 }))).toBe(1);
  });

  test("match_upcoming carries the minutes (a condition can compare them) and an optional title", () => {
    const e = one({ type: "match_upcoming", minutes: 5, title: "Swiss Round 1", source: "schedule:league" });
    expect(e).toMatchObject({ type: "match_upcoming", minutes: 5, title: "Swiss Round 1", source: "schedule:league", game: "generic" });
    expect(numericOf(e)).toBe(5);
    const bad = parseEvents({ type: "match_upcoming", minutes: -1 });
    expect(bad.ok ? "accepted" : bad.error).toContain("minutes");
  });
});
