// The retained-document set, without a broker.
import { expect, test } from "bun:test";
import { RetainedSet } from "../../src/mqtt/retained.ts";

test("a retained set publishes what changed (and what is owed a reply), and empties what is gone", () => {
  const sent: [string, string][] = [];
  const set = new RetainedSet((topic, payload) => sent.push([topic, payload]));
  expect(set.sync(new Map([["a", "1"], ["b", "2"]]))).toBe(true);
  expect(set.sync(new Map([["a", "1"], ["b", "2"]]))).toBe(false);
  expect(set.sync(new Map([["a", "1"], ["b", "3"]]), new Set(["a"]))).toBe(true);
  expect(set.sync(new Map([["b", "3"]]))).toBe(true);
  expect(sent).toEqual([["a", "1"], ["b", "2"], ["a", "1"], ["b", "3"], ["a", ""]]);
  // After a reconnect everything goes out again.
  set.reset();
  set.sync(new Map([["b", "3"]]));
  expect(sent.at(-1)).toEqual(["b", "3"]);
});
