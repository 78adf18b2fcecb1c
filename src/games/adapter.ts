// The adapter contract: a game's payload and the adapter's own saved state in, standard events
// and the next state out. Pure, so every adapter is tested with recorded-style fixtures.
import type { z } from "zod";
import type { EventType, GameEventInput } from "../events/schema.ts";
import { sha256 } from "../util/secrets.ts";

/** An event as an adapter makes it; the service adds `game` and `source` (the integration id). */
export type AdapterEvent = GameEventInput & { type: EventType };

export interface StepResult<S> {
  events: AdapterEvent[];
  next: S;
  /** Something the owner should know about a payload that was accepted (e.g. spectating). */
  note?: string;
}

/**
 * A counter (kills, goals) rises by a few between payloads; an event per unit, but at most this
 * many per payload: a counter that jumps from 1 to 2^32 is not four billion kills.
 */
export const MAX_PER_UNIT = 64;

/**
 * The units a counter rose by from `before` to `cur` (3 → 5: 4, 5), the newest MAX_PER_UNIT at
 * most. A list, not a loop bound: counting up to 1e211 one by one never ends (there, +1 is lost).
 */
export function newUnits(before: number, cur: number): number[] {
  const n = Math.min(MAX_PER_UNIT, Math.floor(cur - before));
  return n > 0 ? Array.from({ length: n }, (_, i) => cur - n + 1 + i) : [];
}

/** An event id as the event schema takes it (≤ 128 characters): a longer one, built from a payload's long strings, by its digest. */
export const eventId = (id: string): string => (id.length <= 128 ? id : `${id.slice(0, 60)}~${sha256(id).slice(0, 40)}`);

/** A payload that cannot be used at all: the service answers 4xx and keeps the old state. */
export class PayloadError extends Error {}

/** How an integration proves a payload is its own. */
export type AuthMode =
  | "body" // Valve GSI: `auth.token` inside the payload
  | "header"; // Authorization: Bearer, X-Ledbox-Token, or ?token= for clients that cannot set headers

/** What a connector (poller, TCP client) gets from the service. */
export interface ConnectorContext<C> {
  config: C;
  /** Feeds one payload through the same path as an HTTP POST (minus auth); one the adapter refuses is counted and explained in the status. */
  feed(payload: unknown): void;
  /** Reports a connection problem (or null once healthy) for the status endpoint. */
  problem(text: string | null): void;
  log(msg: string): void;
}

export interface Connector {
  start(): void;
  stop(): Promise<void> | void;
}

export interface Adapter<C = any, S = any> {
  type: string;
  name: string;
  game: string;
  configSchema: z.ZodType<C>;
  emits: readonly EventType[];
  /** Markdown shown by GET /adapters. */
  setup: string;
  auth: AuthMode;
  /** Longest expected gap between payloads while the game runs; "connected" allows a margin. */
  heartbeatMs: number;
  step(payload: unknown, prev: S | undefined, config: C, source: string): StepResult<S>;
  /** A ready config file for the game (Valve GSI), given this device's URL and the token. */
  setupFile?(info: { url: string; token: string; name: string }): { path: string; filename: string; content: string };
  /** For adapters that fetch their data themselves when the config asks for it. */
  connector?(ctx: ConnectorContext<C>): Connector | null;
}
