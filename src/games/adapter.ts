// The adapter contract: a game's payload and the adapter's own saved state in, standard events
// and the next state out. Pure, so every adapter is tested with recorded-style fixtures.
import type { z } from "zod";
import type { EventType, GameEventInput } from "../events/schema.ts";

/** An event as an adapter makes it; the service adds `game` and `source` (the integration id). */
export type AdapterEvent = GameEventInput & { type: EventType };

export interface StepResult<S> {
  events: AdapterEvent[];
  next: S;
  /** Something the owner should know about a payload that was accepted (e.g. spectating). */
  note?: string;
}

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
