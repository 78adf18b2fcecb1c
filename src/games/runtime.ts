// The runtime of one integration: its adapter's state, counters, recent events and payloads,
// rate limit and optional recording. The adapter state and the ids of recent triggers are kept in
// the store (state-saver.ts), so a restart goes on from where it was; the counters start again.
import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { GameEvent } from "../events/schema.ts";
import type { IntegrationRecord } from "../store/integrations.ts";
import { TokenBucket } from "../util/token-bucket.ts";
import type { Adapter, Connector } from "./adapter.ts";
import type { SavedState } from "./state-saver.ts";

/** Payloads per second an integration may send (GSI at 64 Hz fits), with a burst allowance. */
export const RATE_PER_S = 120;
export const RATE_BURST = 240;
export const RECORDING_LIMIT = 8 * 1024 * 1024;
const RECENT_EVENTS = 50;
const RECENT_PAYLOADS = 5;
/** Trigger ids kept with the state: more than a burst of resent payloads can repeat. */
const RECENT_TRIGGER_IDS = 100;
/** Slack on top of a game's heartbeat before it counts as disconnected. */
const CONNECTED_MARGIN_MS = 5000;

export class IntegrationRuntime {
  state: unknown;
  /** The state was carried over (a restart, a change of the integration) and no payload has come since: the next one sends its values again. */
  resumed: boolean;
  /** Ids of the triggers (events an adapter identified) fired lately, oldest first. */
  triggerIds: string[];
  connector: Connector | null = null;
  payloads = 0;
  rejected = 0;
  rateLimited = 0;
  lastPayloadAt: number | null = null;
  lastEventAt: number | null = null;
  /** The last problem in words; `fromAdapter` when it describes the payloads (a loading screen, spectating). */
  problem: { text: string; at: number; fromAdapter: boolean } | null = null;
  counts: Record<string, number> = {};
  recentEvents: GameEvent[] = [];
  recentPayloads: { at: number; body: unknown }[] = [];
  private readonly rate = new TokenBucket(RATE_PER_S, RATE_BURST);
  private recording: { file: string; startedAt: number; bytes: number } | null = null;

  constructor(readonly rec: IntegrationRecord, readonly adapter: Adapter, readonly config: unknown, private readonly recordDir: string, saved?: SavedState) {
    this.state = saved?.state;
    this.triggerIds = saved?.ids ?? [];
    this.resumed = saved !== undefined;
  }

  /** What is kept across restarts. */
  snapshot(): SavedState {
    return { state: this.state, ids: this.triggerIds };
  }

  /** Token bucket: false when this payload is over the rate. */
  admit(): boolean {
    if (this.rate.take()) return true;
    this.rateLimited++;
    this.setProblem(`rate limited: over ${RATE_PER_S} payloads/s (${this.rateLimited} dropped so far)`);
    return false;
  }

  setProblem(text: string | null, fromAdapter = false): void {
    this.problem = text === null ? null : { text, at: Date.now(), fromAdapter };
  }

  /** The adapter's verdict on a payload: its next state, and a note that lasts while payloads say so. */
  advance(next: unknown, note: string | undefined): void {
    this.state = next;
    this.resumed = false;
    if (note) this.setProblem(note, true);
    else if (this.problem?.fromAdapter) this.problem = null;
  }

  payload(body: unknown): void {
    this.payloads++;
    this.lastPayloadAt = Date.now();
    this.recentPayloads.push({ at: this.lastPayloadAt, body: redact(body) });
    if (this.recentPayloads.length > RECENT_PAYLOADS) this.recentPayloads.shift();
  }

  /** Events published for this integration; `triggerIds` are the ids its adapter gave them. */
  fired(events: GameEvent[], triggerIds: string[]): void {
    if (!events.length) return;
    this.lastEventAt = Date.now();
    for (const e of events) {
      this.counts[e.type] = (this.counts[e.type] ?? 0) + 1;
      this.recentEvents.push(e);
    }
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.splice(0, this.recentEvents.length - RECENT_EVENTS);
    if (triggerIds.length) this.triggerIds = [...this.triggerIds, ...triggerIds].slice(-RECENT_TRIGGER_IDS);
  }

  /** Appends one request to this session's JSONL recording (the replay tool's format). */
  record(body: unknown): void {
    if (!this.rec.record) return;
    if (!this.recording) {
      mkdirSync(this.recordDir, { recursive: true });
      const file = join(this.recordDir, `${this.rec.id}-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
      this.recording = { file, startedAt: Date.now(), bytes: 0 };
    }
    const r = this.recording;
    if (r.bytes >= RECORDING_LIMIT) return;
    const line = JSON.stringify({ at: Date.now() - r.startedAt, path: `/api/v1/integrations/${this.rec.id}/event`, body }) + "\n";
    if (r.bytes + line.length > RECORDING_LIMIT) {
      r.bytes = RECORDING_LIMIT;
      this.setProblem(`recording stopped: ${r.file} reached ${RECORDING_LIMIT} bytes`);
      return;
    }
    appendFileSync(r.file, line);
    r.bytes += line.length;
  }

  status() {
    const now = Date.now();
    return {
      id: this.rec.id,
      type: this.rec.type,
      enabled: this.rec.enabled,
      connected: this.lastPayloadAt !== null && now - this.lastPayloadAt <= this.adapter.heartbeatMs + CONNECTED_MARGIN_MS,
      heartbeatMs: this.adapter.heartbeatMs,
      lastPayloadAt: iso(this.lastPayloadAt),
      lastEventAt: iso(this.lastEventAt),
      payloads: this.payloads,
      rejected: this.rejected,
      rateLimited: this.rateLimited,
      counts: this.counts,
      problem: this.problem && { text: this.problem.text, at: iso(this.problem.at) },
      recording: this.recording ? { file: this.recording.file, bytes: size(this.recording.file) } : null,
    };
  }
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};

/** A field whose name says it holds a secret (GSI's auth.token, a webhook's apiKey, a password). */
const SECRET_FIELD = /token|auth|passw|secret|key/i;
/** Deeper than any game's payload: below this the debug view shows no more. */
const REDACT_DEPTH = 32;

/** Debug views (readable without login) never echo a secret a payload carries, at any depth. */
export function redact(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== "object") return v;
  if (depth >= REDACT_DEPTH) return "(too deep)";
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_FIELD.test(k) ? "(redacted)" : redact(x, depth + 1)]));
}
