// The path every game payload takes, whether it came over HTTP, MQTT or a connector:
// admission (exists, enabled, under the rate) → the integration's token → the adapter's step →
// standard events. A payload that fails is counted and explained in the integration's status.
import { isValueType, type GameEvent } from "../events/schema.ts";
import { DomainError, type ErrorKind } from "../util/errors.ts";
import { at, reservedKeyPath } from "../util/json.ts";
import { sameSecret } from "../util/secrets.ts";
import { eventId, PayloadError, type AdapterEvent } from "./adapter.ts";
import type { IntegrationRuntime } from "./runtime.ts";

export interface Accepted {
  accepted: number;
  ids: string[];
}

export interface PayloadPorts {
  /** The running integration, or a domain error saying why there is none. */
  runtime(id: string): IntegrationRuntime;
  token(id: string): string | null;
  /** Validates events an adapter made and publishes them; returns the ids not seen before. */
  submit(events: unknown[]): { ok: true; events: GameEvent[]; ids: string[] } | { ok: false; error: string };
  /** The runtime's state moved on; `fired` when the payload fired a trigger (so it is kept soon). */
  changed(rt: IntegrationRuntime, fired: boolean): void;
}

export class PayloadReceiver {
  constructor(private readonly ports: PayloadPorts) {}

  /** The first checks, before the body is read: exists, enabled, under the rate. */
  admit(id: string): IntegrationRuntime {
    const rt = this.ports.runtime(id);
    if (!rt.rec.enabled) throw new DomainError("conflict", `integration "${rt.rec.name}" is disabled`);
    if (!rt.admit()) throw new DomainError("rate-limited", rt.problem!.text);
    return rt;
  }

  /** A payload that never reached the adapter (unreadable, too big, wrong token): counted and explained. */
  reject(rt: IntegrationRuntime, kind: ErrorKind, text: string): never {
    rt.rejected++;
    rt.setProblem(text);
    throw new DomainError(kind, text);
  }

  /** A payload from outside: the integration's token first (constant time), then the adapter. */
  receive(rt: IntegrationRuntime, body: unknown, presented: string | undefined): Accepted {
    const given = rt.adapter.auth === "body" ? at(body, "auth.token") : presented;
    if (typeof given !== "string" || !sameSecret(given, this.ports.token(rt.rec.id) ?? "")) {
      this.reject(rt, "unauthorized", given === undefined ? `token missing: ${rt.adapter.auth === "body" ? "the payload has no auth.token" : "send Authorization: Bearer <token>"}` : "token mismatch: the payload's token is not this integration's");
    }
    return this.feed(rt, body);
  }

  /** Records one payload (if asked), runs the adapter on it and publishes what it found. */
  feed(rt: IntegrationRuntime, body: unknown): Accepted {
    const reserved = reservedKeyPath(body);
    if (reserved !== null) this.reject(rt, "invalid", `payload: ${reserved}: this key is not allowed`);
    rt.record(body);
    let step;
    try {
      step = rt.adapter.step(body, rt.state, rt.config, rt.rec.id);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      this.reject(rt, "invalid", err.message);
    }
    const events = rt.resumed ? [...step.events, ...resentValues(rt, body, step.events)] : step.events;
    rt.payload(body);
    rt.advance(step.next, step.note);
    if (!events.length) {
      this.ports.changed(rt, false);
      return { accepted: 0, ids: [] };
    }
    for (const e of events) {
      e.source = rt.rec.id;
      e.game ??= rt.adapter.game;
      if (typeof e.id === "string") e.id = eventId(e.id);
    }
    const given = new Set(events.flatMap((e) => e.id ?? []));
    const r = this.ports.submit(events);
    // The adapter's fault, but this payload's doing: refused and explained, never a 500.
    if (!r.ok) this.reject(rt, "invalid", `adapter "${rt.adapter.type}" made an invalid event from this payload: ${r.error}`);
    const triggers = r.ids.filter((id) => given.has(id));
    rt.fired(r.events.filter((e) => r.ids.includes(e.id)), triggers);
    this.ports.changed(rt, triggers.length > 0);
    return { accepted: r.ids.length, ids: r.ids };
  }
}

/**
 * The first payload after a restart: the restored state remembers the values, but the meters went
 * with the restart, so the values a fresh baseline would show are sent once more (triggers never).
 */
function resentValues(rt: IntegrationRuntime, body: unknown, events: AdapterEvent[]): AdapterEvent[] {
  const key = (e: AdapterEvent) => `${e.type}/${"name" in e ? e.name : ""}`;
  const isValue = (e: AdapterEvent) => isValueType(e.type) || (e.type === "custom" && e.value !== undefined && e.id === undefined);
  const have = new Set(events.filter(isValue).map(key));
  return rt.adapter.step(body, undefined, rt.config, rt.rec.id).events.filter((e) => isValue(e) && !have.has(key(e)));
}
