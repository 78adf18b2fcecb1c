// The live channel: binary preview frames at the rate each client asks for (at most the
// engine's), and JSON messages — events, stats, heartbeats — typed by LiveMessageSchema.
import { z } from "zod";
import { GameEventSchema } from "../events/schema.ts";
import type { EventRing, Numbered } from "../events/ring.ts";
import type { Engine } from "../light/engine.ts";

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
}

interface Client {
  ws: LiveSocket;
  /** The rate the client asked for (undefined = the engine's). */
  asked: number | undefined;
  fps: number;
  intervalMs: number;
  nextDueMs: number;
  /** Highest event seq this client has been sent (or told of in hello). */
  seenSeq: number;
}

const MAX_BUFFERED = 1 << 20; // a slow client skips frames instead of growing a queue
const EVENTS_PER_MESSAGE = 200;
const HEARTBEAT_MS = 5000;
const STATS_MS = 1000;

export class LiveHub {
  private clients: Client[] = [];
  private lastSentSeq: number;
  private timers: ReturnType<typeof setInterval>[] = [];
  private unsubscribe: (() => void) | null = null;
  skippedFrames = 0;

  constructor(private readonly engine: Pick<Engine, "settings" | "stats" | "onFrame">, private readonly ring: EventRing) {
    this.lastSentSeq = ring.lastSeq;
  }

  start(): void {
    this.unsubscribe = this.engine.onFrame(this.onFrame);
    this.timers.push(
      // Stats sort their sample rings: only worth it with someone to send them to.
      setInterval(() => this.clients.length && this.broadcast({ type: "stats", stats: this.engine.stats() }), STATS_MS),
      setInterval(() => this.broadcast({ type: "heartbeat", t: Date.now() }), HEARTBEAT_MS),
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

  /** Registers a client; `since` resumes events after that sequence number. */
  open(ws: LiveSocket, fps: number | undefined, since: number | undefined): void {
    const client: Client = { ws, asked: fps, fps: 0, intervalMs: 0, nextDueMs: 0, seenSeq: this.ring.lastSeq };
    this.setRate(client, fps);
    this.clients = [...this.clients, client];
    this.hello(client);
    if (since !== undefined && since < this.ring.lastSeq) {
      const items = this.ring.since(since);
      for (const m of this.chunks(items, this.ring.lastSeq - since - items.length)) this.sendTo(client, m);
    }
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

  private hello(c: Client): void {
    const { render, strip } = this.engine.settings;
    // fps as given, not 1000 / intervalMs (which is 59.99999999999999 for 60).
    this.sendTo(c, { type: "hello", ledCount: strip.ledCount, fps: c.fps, engineFps: render.fps, lastSeq: this.ring.lastSeq });
  }

  close(ws: LiveSocket): void {
    this.clients = this.clients.filter((c) => c.ws !== ws);
  }

  private setRate(c: Client, fps: number | undefined): void {
    const engineFps = this.engine.settings.render.fps;
    c.fps = Math.min(engineFps, fps ?? engineFps);
    c.intervalMs = 1000 / c.fps;
  }

  private readonly onFrame = (engine: Engine): void => {
    const t = engine.lastFrameMs;
    const halfFrame = 500 / engine.settings.render.fps;
    const frame = engine.pipeline.preview;
    for (const c of this.clients) {
      if (t + halfFrame < c.nextDueMs) continue;
      c.nextDueMs = Math.max(c.nextDueMs + c.intervalMs, t);
      if (c.ws.getBufferedAmount() > MAX_BUFFERED) {
        this.skippedFrames++;
        continue;
      }
      c.ws.send(frame);
    }
    if (this.ring.lastSeq > this.lastSentSeq) this.sendNewEvents();
  };

  /**
   * Events since the last frame, to every client, in chunks. Each client gets only what it has
   * not had: one that resumed with ?since= since the last frame already got these from open().
   * A burst over one chunk is sent whole, in several messages.
   */
  private sendNewEvents(): void {
    const from = this.lastSentSeq;
    const items = this.ring.since(from);
    this.lastSentSeq = this.ring.lastSeq;
    if (!this.clients.length || !items.length) return;
    const missed = items[0].seq - from - 1;
    let shared: string[] | null = null;
    for (const c of this.clients) {
      if (c.seenSeq <= from) {
        shared ??= this.chunks(items, missed).map((m) => JSON.stringify(m));
        for (const text of shared) c.ws.send(text);
      } else {
        for (const m of this.chunks(items.filter((i) => i.seq > c.seenSeq), 0)) this.sendTo(c, m);
      }
      c.seenSeq = this.lastSentSeq;
    }
  }

  private chunks(items: Numbered[], missed: number): LiveMessage[] {
    const out: LiveMessage[] = [];
    for (let i = 0; i < items.length; i += EVENTS_PER_MESSAGE) {
      out.push({ type: "events", items: items.slice(i, i + EVENTS_PER_MESSAGE) as never, ...(i === 0 && missed > 0 ? { missed } : {}) });
    }
    return out;
  }

  private broadcast(m: LiveMessage): void {
    if (!this.clients.length) return;
    const text = JSON.stringify(m);
    for (const c of this.clients) c.ws.send(text);
  }

  private sendTo(c: Client, m: LiveMessage): void {
    c.ws.send(JSON.stringify(m));
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
