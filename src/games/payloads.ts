// The path every game payload takes, whether it came over HTTP, MQTT or a connector:
// admission (exists, enabled, under the rate) → the integration's token → the adapter's step →
// standard events. A payload that fails is counted and explained in the integration's status.
import type { GameEvent } from "../events/schema.ts";
import { DomainError, type ErrorKind } from "../util/errors.ts";
import { at } from "../util/json.ts";
import { sameSecret } from "../util/secrets.ts";
import { eventId, PayloadError } from "./adapter.ts";
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
    rt.record(body);
    let step;
    try {
      step = rt.adapter.step(body, rt.state, rt.config, rt.rec.id);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      this.reject(rt, "invalid", err.message);
    }
    rt.payload(body);
    rt.state = step.next;
    if (step.note) rt.setProblem(step.note);
    if (!step.events.length) return { accepted: 0, ids: [] };
    for (const e of step.events) {
      e.source = rt.rec.id;
      e.game ??= rt.adapter.game;
      if (typeof e.id === "string") e.id = eventId(e.id);
    }
    const r = this.ports.submit(step.events);
    // The adapter's fault, but this payload's doing: refused and explained, never a 500.
    if (!r.ok) this.reject(rt, "invalid", `adapter "${rt.adapter.type}" made an invalid event from this payload: ${r.error}`);
    rt.fired(r.events.filter((e) => r.ids.includes(e.id)));
    return { accepted: r.ids.length, ids: r.ids };
  }
}
