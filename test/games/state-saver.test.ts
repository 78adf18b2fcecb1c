// The adapter-state saver against the real store (SQLite in memory) with an injected clock: what is
// written, when, and how often — the SD card's write budget.
import { describe, expect, test } from "bun:test";
import { LATER_MS, MAX_BYTES, SOON_MS, StateSaver, type StateSource, type Timers } from "../../src/games/state-saver.ts";
import { AdapterStateRepo } from "../../src/store/adapter-state.ts";
import { openDatabase } from "../../src/store/db.ts";
import { IntegrationsRepo } from "../../src/store/integrations.ts";

/** A clock the test moves; timers fire in order as it passes them. */
class Clock implements Timers {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.t;
  set = (fn: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clear = (h: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  advance(to: number): void {
    for (;;) {
      const next = this.timers.filter((x) => x.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = to;
  }
}

function setup() {
  const db = openDatabase(":memory:");
  const integrations = new IntegrationsRepo(db);
  const rec = integrations.create({ name: "desk", type: "cs2", enabled: true, config: {}, preset: null, record: false });
  const store = new AdapterStateRepo(db);
  const saves: string[] = [];
  const counted = { load: store.load.bind(store), delete: store.delete.bind(store), save: (id: string, type: string, json: string) => (saves.push(json), store.save(id, type, json)) };
  const logs: string[] = [];
  const clock = new Clock();
  const saver = new StateSaver(counted, (m) => logs.push(m), clock);
  const src: StateSource & { state: unknown; ids: string[] } = {
    rec, adapter: { type: "cs2" }, state: {}, ids: [],
    snapshot: () => ({ state: src.state, ids: src.ids }),
  };
  return { db, integrations, store, saves, logs, clock, saver, src, rec };
}

describe("adapter state saver", () => {
  test("64 payloads a second for ten minutes, each changing a value: one write a minute", () => {
    const { clock, saver, src, saves } = setup();
    for (let i = 0; i < 64 * 600; i++) {
      clock.advance(i * (1000 / 64));
      src.state = { health: i % 100 };
      saver.changed(src, false);
    }
    clock.advance(600_000);
    expect(saves.length).toBe(600_000 / LATER_MS);
  });

  test("a burst of triggers is one write, SOON_MS after the first; the state written is the latest", () => {
    const { clock, saver, src, saves } = setup();
    for (const [t, kills] of [[1000, 1], [1200, 2], [1500, 3]] as const) {
      clock.advance(t);
      src.state = { kills };
      src.ids = [...src.ids, `k${kills}`];
      saver.changed(src, true);
    }
    clock.advance(1000 + SOON_MS - 1);
    expect(saves).toEqual([]);
    clock.advance(1000 + SOON_MS);
    expect(saves).toEqual([JSON.stringify({ state: { kills: 3 }, ids: ["k1", "k2", "k3"] })]);
    // A value change afterwards waits for LATER_MS; a trigger in between brings it forward.
    clock.advance(5000);
    src.state = { kills: 3, hp: 50 };
    saver.changed(src, false);
    clock.advance(10_000);
    src.state = { kills: 4, hp: 50 };
    saver.changed(src, true);
    clock.advance(10_000 + SOON_MS);
    expect(saves.length).toBe(2);
    clock.advance(5000 + LATER_MS);
    expect(saves.length).toBe(2);
  });

  test("a state equal to the last one written (or read back) is not written again", () => {
    const { clock, saver, src, saves } = setup();
    src.state = { a: 1 };
    saver.changed(src, true);
    clock.advance(SOON_MS);
    saver.changed(src, true);
    clock.advance(2 * SOON_MS);
    expect(saves.length).toBe(1);
    const again = setup();
    again.store.save(again.rec.id, "cs2", JSON.stringify({ state: { a: 1 }, ids: [] }));
    expect(again.saver.restore(again.rec.id, "cs2")).toEqual({ state: { a: 1 }, ids: [] });
    again.src.state = { a: 1 };
    again.saver.changed(again.src, true);
    again.clock.advance(SOON_MS);
    expect(again.saves).toEqual([]);
  });

  test("flush writes what is due at once (stop); forget drops it (a deleted integration)", () => {
    const { saver, src, saves, store, rec } = setup();
    src.state = { x: 1 };
    saver.changed(src, false);
    saver.flush();
    expect(saves.length).toBe(1);
    expect(store.load(rec.id)).toEqual({ type: "cs2", json: JSON.stringify({ state: { x: 1 }, ids: [] }) });
    src.state = { x: 2 };
    saver.changed(src, false);
    saver.forget(rec.id);
    saver.flush();
    expect(saves.length).toBe(1);
  });

  test("restore: another adapter's state or unreadable JSON is no state; the row goes with its integration", () => {
    const { saver, store, integrations, rec, logs } = setup();
    store.save(rec.id, "dota2", JSON.stringify({ state: { a: 1 }, ids: [] }));
    expect(saver.restore(rec.id, "cs2")).toBeUndefined();
    store.save(rec.id, "cs2", "{not json");
    expect(saver.restore(rec.id, "cs2")).toBeUndefined();
    expect(logs).toEqual([`[games] integration ${rec.id}: its saved adapter state does not read back; starting from the next payload`]);
    store.save(rec.id, "cs2", JSON.stringify({ state: 1, ids: ["a", 2] }));
    expect(saver.restore(rec.id, "cs2")).toEqual({ state: 1, ids: ["a"] });
    integrations.delete(rec.id);
    expect(store.load(rec.id)).toBeNull();
  });

  test("a state over MAX_BYTES is not kept (nor an older one), and said once", () => {
    const { clock, saver, src, saves, store, rec, logs } = setup();
    src.state = { small: true };
    saver.changed(src, true);
    clock.advance(SOON_MS);
    expect(saves.length).toBe(1);
    for (let i = 0; i < 3; i++) {
      src.state = { big: "x".repeat(MAX_BYTES + i) };
      saver.changed(src, true);
      clock.advance(clock.t + SOON_MS);
    }
    expect(saves.length).toBe(1);
    expect(store.load(rec.id)).toBeNull();
    expect(logs).toEqual([`[games] integration "desk": adapter state over ${MAX_BYTES} bytes is not kept; a restart starts from the next payload`]);
  });

  test("a store that fails costs the saved state only, and says so", () => {
    const { clock, src, logs } = setup();
    const saver = new StateSaver({ load: () => null, delete: () => {}, save: () => { throw new Error("disk I/O error"); } }, (m) => logs.push(m), clock);
    src.state = { a: 1 };
    saver.changed(src, true);
    clock.advance(SOON_MS);
    expect(logs).toEqual(['[games] integration "desk": adapter state not saved: disk I/O error']);
    expect(saver.writes).toBe(0);
  });
});
