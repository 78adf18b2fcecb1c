// Ingest: validate one event or a batch, stamp id and time, drop redeliveries, publish.
import { reservedKeyPath } from "../util/json.ts";
import { describeIssues } from "../util/validation.ts";
import type { EventBus } from "./bus.ts";
import type { EventRing } from "./ring.ts";
import { EVENT_TYPES, GameEventSchema, MAX_BATCH, type GameEvent } from "./schema.ts";

const DEDUPE_WINDOW = 4096;

export type ParseResult = { ok: true; events: GameEvent[] } | { ok: false; error: string };

export function parseEvents(body: unknown): ParseResult {
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0) return { ok: false, error: "empty batch: send one event or a non-empty array" };
  if (list.length > MAX_BATCH) return { ok: false, error: `batch of ${list.length} events is over the limit of ${MAX_BATCH}` };
  const events: GameEvent[] = [];
  for (let i = 0; i < list.length; i++) {
    const where = Array.isArray(body) ? `[${i}]` : "";
    const type = (list[i] as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !(EVENT_TYPES as readonly string[]).includes(type)) {
      return { ok: false, error: `${where ? where + "." : ""}type: ${type === undefined ? "missing" : `unknown event type ${JSON.stringify(type)}`} (the types are listed in the README)` };
    }
    // Events come from every edge and every adapter's rules: none may carry a reserved key (zod
    // itself throws on some, see util/json.ts).
    const reserved = reservedKeyPath(list[i]);
    if (reserved !== null) return { ok: false, error: `${where ? where + "." : ""}${reserved}: this key is not allowed` };
    const r = GameEventSchema.safeParse(list[i]);
    if (!r.success) return { ok: false, error: describeIssues(r.error, where) };
    events.push(r.data as GameEvent);
  }
  return { ok: true, events };
}

export class Ingest {
  private seenIds = new Set<string>();
  private counter = 0;
  accepted = 0;
  duplicates = 0;
  readonly bootId = Math.random().toString(36).slice(2, 8);

  constructor(private readonly bus: EventBus, private readonly ring: EventRing, private readonly wallNow = Date.now) {}

  /** Publishes already-validated events; returns the ids of those not seen before. */
  accept(events: GameEvent[]): string[] {
    const ids: string[] = [];
    for (const e of events) {
      if (e.id !== undefined) {
        if (this.seenIds.has(e.id)) {
          this.duplicates++;
          continue;
        }
        this.remember(e.id);
      } else e.id = `${this.bootId}-${++this.counter}`;
      e.time ??= this.wallNow();
      this.accepted++;
      this.ring.push(e);
      this.bus.publish(e);
      ids.push(e.id);
    }
    return ids;
  }

  /** Validates events made inside ledbox (adapters, pollers) and publishes them; an invalid batch publishes nothing. */
  submit(list: unknown[]): { ok: true; events: GameEvent[]; ids: string[] } | { ok: false; error: string } {
    const r = parseEvents(list);
    return r.ok ? { ok: true, events: r.events, ids: this.accept(r.events) } : r;
  }

  /** Ids an earlier run already published (integrations keep them), so resends after a restart are dropped too. */
  known(ids: readonly string[]): void {
    for (const id of ids) if (!this.seenIds.has(id)) this.remember(id);
  }

  private remember(id: string): void {
    // A Set keeps insertion order: the oldest id is the first one.
    if (this.seenIds.size >= DEDUPE_WINDOW) this.seenIds.delete(this.seenIds.values().next().value!);
    this.seenIds.add(id);
  }
}
