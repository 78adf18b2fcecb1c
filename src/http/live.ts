// The live channel: binary preview frames at the rate each client asks for (at most the
// engine's), and JSON messages — events, stats, heartbeats — typed by LiveMessageSchema.
// Every client's share of memory is bounded: one that does not read gets nothing more (frames
// skipped, JSON kept as the newest state and its place in the event ring) and is closed when it
// stays so; the number of clients is capped by http.liveClients.
import { z } from "zod";
import { GameEventSchema } from "../events/schema.ts";
import type { EventRing } from "../events/ring.ts";
import type { Engine } from "../light/engine.ts";
import { parseUntrusted } from "../util/json.ts";

export const LiveMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), ledCount: z.number(), fps: z.number(), engineFps: z.number(), lastSeq: z.number() }),
  z.object({
    type: z.literal("events"),
    items: z.array(z.object({ seq: z.number(), event: GameEventSchema })),
    /** Events the client asked to resume from that the ring no longer holds. */
    missed: z.number().optional(),
  }),
  z.object({ type: z.literal("stats"), stats: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal("heartbeat"), t: z.number() }),
]);
export type LiveMessage = z.infer<typeof LiveMessageSchema>;

/** What a client may send: a new frame rate. */
export const LiveRequestSchema = z.strictObject({ type: z.literal("subscribe"), fps: z.number().min(1).max(240) });

export interface LiveSocket {
  send(data: string | Uint8Array): unknown;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): unknown;
  /** Closes at once, without the closing handshake (which a client that does not read never does). */
  terminate(): unknown;
}

/** The kinds of JSON message of which only the newest matters: a client behind gets that one. */
type Latest = "hello" | "stats" | "heartbeat";

interface Client {
  ws: LiveSocket;
  /** The rate the client asked for (undefined = the engine's). */
  asked: number | undefined;
  fps: number;
  intervalMs: number;
  nextDueMs: number;
  /** Highest event seq this client has been sent: a client behind catches up from the ring. */
  seenSeq: number;
  /** Not yet sent, newest of each kind only (serialized). */
  pending: Partial<Record<Latest, string>>;
  /** Frame time since which the client has been behind (its send buffer over MAX_BUFFERED), or null. */
  behindSince: number | null;
}

/**
 * What one client may have waiting in the server's own send buffer: past it the client gets
 * nothing more (frames are skipped, JSON kept as the newest state and its ring position) until
 * it reads. Small, as the kernel's socket buffer takes a reading client's bursts: Bun buffers
 * only once that is full, so a client this far behind is not keeping up.
 */
export const MAX_BUFFERED = 16 * 1024;
/** A client that stays behind this long has stopped reading: it is closed, freeing its buffer. */
export const STALL_CLOSE_MS = 10_000;
/** Bun's own per-socket settings: small client messages, and a hard stop far past MAX_BUFFERED. */
export const LIVE_SOCKET_OPTIONS = { maxPayloadLength: 4096, backpressureLimit: 1 << 20, closeOnBackpressureLimit: true };
const EVENTS_PER_MESSAGE = 200;
const HEARTBEAT_MS = 5000;
const STATS_MS = 1000;

export class LiveHub {
  private clients: Client[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];
  private unsubscribe: (() => void) | null = null;
  skippedFrames = 0;
  /** Clients closed for not reading, and clients turned away over http.liveClients. */
  closedStalled = 0;
  refused = 0;

  constructor(private readonly engine: Pick<Engine, "settings" | "stats" | "onFrame">, private readonly ring: EventRing) {}

  start(): void {
    this.unsubscribe = this.engine.onFrame(this.onFrame);
    this.timers.push(
      // Stats sort their sample rings: only worth it with someone to send them to.
      setInterval(() => this.clients.length && this.latest("stats", { type: "stats", stats: this.engine.stats() }), STATS_MS),
      setInterval(() => this.latest("heartbeat", { type: "heartbeat", t: Date.now() }), HEARTBEAT_MS),
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  get clientCount() {
    return this.clients.length;
  }

  /**
   * Registers a client, or closes it with the reason when http.liveClients are already
   * connected; `since` resumes events after that sequence number.
   */
  open(ws: LiveSocket, fps: number | undefined, since: number | undefined): void {
    const max = this.engine.settings.http.liveClients;
    if (this.clients.length >= max) {
      this.refused++;
      ws.close(1013, `too many live clients: ${max} are connected (settings http.liveClients)`);
      return;
    }
    const seenSeq = since !== undefined && since < this.ring.lastSeq ? since : this.ring.lastSeq;
    const client: Client = { ws, asked: fps, fps: 0, intervalMs: 0, nextDueMs: 0, seenSeq, pending: {}, behindSince: null };
    this.setRate(client, fps);
    this.clients = [...this.clients, client];
    this.hello(client);
    this.pump(client, null, performance.now(), new Map());
  }

  message(ws: LiveSocket, raw: unknown): void {
    const client = this.clients.find((c) => c.ws === ws);
    const parsed = LiveRequestSchema.safeParse(typeof raw === "string" ? safeJson(raw) : raw);
    if (client && parsed.success) {
      client.asked = parsed.data.fps;
      this.setRate(client, client.asked);
    }
  }

  /** After a settings change: rates follow the engine's new fps, and a new hello gives the LED count. */
  reconfigured(): void {
    for (const c of this.clients) {
      this.setRate(c, c.asked);
      this.hello(c);
    }
  }

  close(ws: LiveSocket): void {
    this.clients = this.clients.filter((c) => c.ws !== ws);
  }

  private hello(c: Client): void {
    const { render, strip } = this.engine.settings;
    // fps as given, not 1000 / intervalMs (which is 59.99999999999999 for 60).
    c.pending.hello = JSON.stringify({ type: "hello", ledCount: strip.ledCount, fps: c.fps, engineFps: render.fps, lastSeq: this.ring.lastSeq } satisfies LiveMessage);
  }

  /** Stats and heartbeats: each client gets the newest when it next can take one. */
  private latest(kind: Latest, m: LiveMessage): void {
    if (!this.clients.length) return;
    const text = JSON.stringify(m);
    for (const c of this.clients) c.pending[kind] = text;
  }

  private setRate(c: Client, fps: number | undefined): void {
    const engineFps = this.engine.settings.render.fps;
    c.fps = Math.min(engineFps, fps ?? engineFps);
    c.intervalMs = 1000 / c.fps;
  }

  private readonly onFrame = (engine: Engine): void => {
    const t = engine.lastFrameMs;
    const halfFrame = 500 / engine.settings.render.fps;
    // Clients at the same place in the ring share the serialized events.
    const shared = new Map<number, string[]>();
    for (const c of this.clients) {
      const due = t + halfFrame >= c.nextDueMs;
      if (due) c.nextDueMs = Math.max(c.nextDueMs + c.intervalMs, t);
      this.pump(c, due ? engine.pipeline.preview : null, t, shared);
    }
  };

  /**
   * Sends a client what it is owed — the newest hello/stats/heartbeat, the events after its
   * place in the ring, the frame if due — unless it is behind, when it gets nothing and, behind
   * for STALL_CLOSE_MS, is closed.
   */
  private pump(c: Client, frame: Uint8Array | null, t: number, shared: Map<number, string[]>): void {
    if (c.ws.getBufferedAmount() > MAX_BUFFERED) {
      if (frame) this.skippedFrames++;
      c.behindSince ??= t;
      if (t - c.behindSince >= STALL_CLOSE_MS) {
        this.closedStalled++;
        this.close(c.ws);
        c.ws.terminate();
      }
      return;
    }
    c.behindSince = null;
    for (const text of Object.values(c.pending)) c.ws.send(text);
    c.pending = {};
    if (this.ring.lastSeq > c.seenSeq) {
      let texts = shared.get(c.seenSeq);
      if (!texts) shared.set(c.seenSeq, (texts = this.chunks(c.seenSeq).map((m) => JSON.stringify(m))));
      for (const text of texts) c.ws.send(text);
      c.seenSeq = this.ring.lastSeq;
    }
    if (frame) c.ws.send(frame);
  }

  /** The events after `seq` the ring still holds, in messages; the first says how many it no longer has. */
  private chunks(seq: number): LiveMessage[] {
    const items = this.ring.since(seq);
    const missed = (items[0]?.seq ?? this.ring.lastSeq + 1) - seq - 1;
    const out: LiveMessage[] = [];
    for (let i = 0; i < items.length; i += EVENTS_PER_MESSAGE) {
      out.push({ type: "events", items: items.slice(i, i + EVENTS_PER_MESSAGE) as never, ...(i === 0 && missed > 0 ? { missed } : {}) });
    }
    return out;
  }
}

function safeJson(s: string): unknown {
  try {
    return parseUntrusted(s);
  } catch {
    return undefined;
  }
}
