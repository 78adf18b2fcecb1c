// EventBus: every subscriber gets every event; one that throws or is slow stays its own problem.
import { describe, expect, test } from "bun:test";
import { EventBus } from "../../src/events/bus.ts";
import type { GameEvent } from "../../src/events/schema.ts";
import { until } from "../helpers/box.ts";

let n = 0;
const ev = (type = "kill", extra: Record<string, unknown> = {}) => ({ type, id: `e${++n}`, time: 1, source: "test", game: "generic", ...extra }) as GameEvent;
const gate = () => {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
};

describe("EventBus", () => {
  test("delivers every event to every subscriber, in order", () => {
    const bus = new EventBus(() => {});
    const a: string[] = [], b: string[] = [];
    bus.subscribe("a", (e) => void a.push(e.id));
    bus.subscribe("b", (e) => void b.push(e.id));
    const es = [ev(), ev(), ev()];
    es.forEach((e) => bus.publish(e));
    expect(a).toEqual(es.map((e) => e.id));
    expect(b).toEqual(a);
    expect(bus.published).toBe(3);
  });

  test("a throwing subscriber does not stop the others, and is logged and counted under its name", () => {
    const logs: string[] = [];
    const bus = new EventBus((m) => logs.push(m));
    const before: string[] = [], after: string[] = [];
    bus.subscribe("before", (e) => void before.push(e.id));
    bus.subscribe("broken", () => {
      throw new Error("boom");
    });
    bus.subscribe("after", (e) => void after.push(e.id));
    bus.publish(ev());
    bus.publish(ev());
    expect(before).toHaveLength(2);
    expect(after).toHaveLength(2);
    const h = bus.health().find((s) => s.name === "broken")!;
    expect(h).toMatchObject({ errors: 2, lastError: "boom" });
    expect(logs).toEqual(['[bus] subscriber "broken" failed: boom', '[bus] subscriber "broken" failed: boom']);
  });

  test("a slow async subscriber blocks neither publish nor the others; its events wait in order", async () => {
    const bus = new EventBus(() => {});
    const g = gate();
    const slow: string[] = [], fast: string[] = [];
    bus.subscribe("slow", async (e) => {
      await g.p;
      slow.push(e.id);
    });
    bus.subscribe("fast", (e) => void fast.push(e.id));
    const es = [ev(), ev(), ev(), ev()];
    // Synchronous: all four publishes return, and the fast subscriber has them all, while the
    // slow one is still held at its first.
    es.forEach((e) => bus.publish(e));
    expect(fast).toEqual(es.map((e) => e.id));
    expect(slow).toEqual([]);
    expect(bus.health().find((s) => s.name === "slow")!.queued).toBe(3);
    g.open();
    await until(() => slow.length === 4, "the slow subscriber to catch up", 1000, 1);
    expect(slow).toEqual(es.map((e) => e.id));
    expect(bus.health().find((s) => s.name === "slow")).toMatchObject({ queued: 0, delivered: 4, dropped: 0 });
  });

  test("the queue of a busy subscriber is bounded: the oldest are dropped and counted", async () => {
    const bus = new EventBus(() => {});
    const g = gate();
    const seen: string[] = [];
    bus.subscribe("stuck", async (e) => {
      await g.p;
      seen.push(e.id);
    });
    const first = ev();
    bus.publish(first); // in flight
    const queued = Array.from({ length: 1005 }, () => ev());
    queued.forEach((e) => bus.publish(e));
    expect(bus.health()[0]).toMatchObject({ queued: 1000, dropped: 5 });
    g.open();
    await until(() => seen.length === 1001, "the queue to drain", 2000, 1);
    expect(seen[0]).toBe(first.id);
    expect(seen.slice(1)).toEqual(queued.slice(5).map((e) => e.id));
  });

  test("a rejecting async subscriber is counted and still gets the next events", async () => {
    const bus = new EventBus(() => {});
    const seen: string[] = [];
    bus.subscribe("flaky", async (e) => {
      seen.push(e.id);
      if (e.type === "death") throw new Error("no");
    });
    bus.publish(ev("death"));
    bus.publish(ev("kill"));
    bus.publish(ev("kill"));
    await until(() => seen.length === 3, "all three events", 1000, 1);
    expect(bus.health()[0]).toMatchObject({ errors: 1, lastError: "no", queued: 0 });
  });

  test("a subscriber that is only sometimes async gets its whole queue, in order", async () => {
    const bus = new EventBus(() => {});
    const g = gate();
    const seen: string[] = [];
    bus.subscribe("mixed", (e) => {
      seen.push(e.id);
      if (e.type === "kill") return g.p;
    });
    const es = [ev("kill"), ev("death"), ev("assist"), ev("respawn")];
    es.forEach((e) => bus.publish(e));
    g.open();
    await until(() => seen.length === 4, "every queued event", 1000, 1);
    expect(seen).toEqual(es.map((e) => e.id));
    // A later event comes after them, not before.
    const late = ev("assist");
    bus.publish(late);
    expect(seen.at(-1)).toBe(late.id);
  });

  test("unsubscribe stops delivery", () => {
    const bus = new EventBus(() => {});
    const seen: string[] = [];
    const off = bus.subscribe("x", (e) => void seen.push(e.id));
    bus.publish(ev());
    off();
    bus.publish(ev());
    expect(seen).toHaveLength(1);
    expect(bus.health()).toEqual([]);
  });
});
