// Keeps each integration's adapter state (and the ids of the triggers it fired) in the store, so a
// restart diffs the next payload against what was seen instead of a fresh baseline, and a resend
// after a restart fires nothing.
//
// Write budget, for an SD card: games send far more payloads than anything worth writing — CS2 up
// to 10 a second (64 with throttle 0), Rocket League 30, LoL polling 4 — and nearly every one
// changes the state a little (a clock, the speed, a fading flash). So nothing is written per payload:
//  - a payload that fired a trigger (kill, round, objective…) makes its integration due within
//    SOON_MS, so what was fired is on disk before a restart could fire it again; every other trigger
//    in that second goes into the same write;
//  - any other change (values moving) is written at most LATER_MS after it happened;
//  - a state equal to the one last written is not written again;
//  - everything still due is written on stop.
// That is at most one write a second per integration (only while triggers fire every second), in
// play about one per burst of triggers plus one a minute, and none while a game idles or is closed.
// Each write replaces one row of at most MAX_BYTES (typically 1–15 KiB). A crash (not a stop) can
// lose the last SOON_MS of triggers and LATER_MS of values: the next payload then diffs against a
// slightly older state.
import { errorText } from "../util/errors.ts";
import { isObject } from "../util/json.ts";

export const SOON_MS = 1000;
export const LATER_MS = 60_000;
export const MAX_BYTES = 64 * 1024;

/** What a runtime keeps across restarts. */
export interface SavedState {
  state: unknown;
  /** Ids of the triggers fired lately, for the dedupe of the next run. */
  ids: string[];
}

/** Where states are kept: one row per integration, with the adapter type it belongs to. */
export interface StateStore {
  load(id: string): { type: string; json: string } | null;
  save(id: string, type: string, json: string): void;
  delete(id: string): void;
}

/** An integration whose state can be written: its id, adapter type and current state. */
export interface StateSource {
  readonly rec: { id: string; name: string };
  readonly adapter: { type: string };
  snapshot(): SavedState;
}

export interface Timers {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => performance.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class StateSaver {
  private due = new Map<string, { src: StateSource; at: number }>();
  /** The JSON last written (or read) per integration; "" when its state was too big to keep. */
  private written = new Map<string, string>();
  private timer: unknown = null;
  private timerAt = Infinity;
  writes = 0;

  constructor(private readonly store: StateStore, private readonly log: (msg: string) => void, private readonly timers: Timers = realTimers) {}

  /** The saved state of an integration, if there is one for this adapter type and it reads back. */
  restore(id: string, type: string): SavedState | undefined {
    const row = this.store.load(id);
    if (!row || row.type !== type) return undefined;
    try {
      const saved = JSON.parse(row.json);
      if (isObject(saved) && Array.isArray(saved.ids)) {
        this.written.set(id, row.json);
        return { state: saved.state, ids: saved.ids.filter((x): x is string => typeof x === "string") };
      }
    } catch {}
    this.log(`[games] integration ${id}: its saved adapter state does not read back; starting from the next payload`);
    return undefined;
  }

  /** The state of `src` changed; `fired` when that payload fired a trigger (it is written soon). */
  changed(src: StateSource, fired: boolean): void {
    const at = this.timers.now() + (fired ? SOON_MS : LATER_MS);
    const was = this.due.get(src.rec.id);
    // The newest runtime is the one to read (an integration that was changed has a new one).
    this.due.set(src.rec.id, { src, at: Math.min(was?.at ?? Infinity, at) });
    this.arm(Math.min(was?.at ?? Infinity, at));
  }

  /** Writes everything still due (on stop). */
  flush(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    for (const { src } of this.due.values()) this.write(src);
    this.due.clear();
  }

  /** A deleted integration: nothing more is written for it (its row goes with it). */
  forget(id: string): void {
    this.due.delete(id);
    this.written.delete(id);
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timerAt = at;
    this.timer = this.timers.set(() => this.run(), Math.max(0, at - this.timers.now()));
  }

  private run(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.timers.now();
    let next = Infinity;
    for (const [id, d] of this.due) {
      if (d.at <= now) {
        this.due.delete(id);
        this.write(d.src);
      } else next = Math.min(next, d.at);
    }
    if (next < Infinity) this.arm(next);
  }

  private write(src: StateSource): void {
    const { id, name } = src.rec;
    const json = JSON.stringify(src.snapshot());
    const last = this.written.get(id);
    if (json === last) return;
    try {
      if (Buffer.byteLength(json) > MAX_BYTES) {
        // Rather no saved state than an old one: a restart then starts from a fresh baseline.
        if (last !== "") this.log(`[games] integration "${name}": adapter state over ${MAX_BYTES} bytes is not kept; a restart starts from the next payload`);
        this.store.delete(id);
        this.written.set(id, "");
        return;
      }
      this.store.save(id, src.adapter.type, json);
      this.written.set(id, json);
      this.writes++;
    } catch (err) {
      // A full or damaged disk costs the saved state, never the payload path or the light.
      this.log(`[games] integration "${name}": adapter state not saved: ${errorText(err)}`);
    }
  }
}
