// One MQTT connection with its own lifecycle: connect, subscribe, capped exponential backoff,
// and a health record. mqtt.js's own reconnect is off (fixed period, no cap, no jitter): each
// attempt is a fresh client, so nothing queued for a dead connection carries over.
import type { MqttClient } from "mqtt";
import { Backoff } from "../util/backoff.ts";

/** mqtt.js is loaded on first use: with MQTT off (the default) its ~18 MB stay out of memory. */
let mqttjs: typeof import("mqtt") | null = null;

export interface LinkConfig {
  url: string;
  clientId: string;
  username: string;
  password: string;
  ca: string;
  allowSelfSigned: boolean;
  /** Retained last will, published by the broker when the connection dies. */
  will: { topic: string; payload: string };
  subscriptions: string[];
}

export interface LinkHandlers {
  /** Connected and subscribed: time to publish availability, discovery and state. */
  onReady(): void;
  onMessage(topic: string, payload: Buffer): void;
}

export type LinkState = "disabled" | "connecting" | "connected" | "waiting";

/** How long a broker may take to answer CONNECT (mqtt.js then gives up with "connack timeout"). */
const CONNECT_TIMEOUT_MS = 5000;
/** Doubles from 250 ms to 4 s: a broker that comes back is reached within 5 s. */
const BACKOFF = { firstMs: 250, maxMs: 4000, jitter: 0.2 };
/**
 * How long inbound messages may run in one turn of the event loop. mqtt.js handles every message
 * of a socket read before it lets go, so a backlog or a flood from the broker (hundreds of
 * messages in one read) would hold the render loop's timer for many frames; past this budget the
 * next message waits for the next turn, and the broker, whose QoS 1 messages are acknowledged
 * only then, holds the rest.
 */
const TURN_BUDGET_MS = 4;
/** A slow broker may hold at most this much unsent data; beyond it publishes are dropped. */
const MAX_BUFFERED = 1024 * 1024;
// MQTT 3.1.1 CONNACK codes that retrying sooner cannot fix.
const REFUSED = new Set([2, 4, 5]);
// Certificate checks that fail because the broker's CA is not trusted.
const TLS_TRUST = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);

export class MqttLink {
  state: LinkState = "disabled";
  lastError: string | null = null;
  connectedSince: number | null = null;
  connects = 0;
  attempts = 0;
  dropped = 0;
  private retryAt: number | null = null;
  private client: MqttClient | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly backoff = new Backoff(BACKOFF);
  private config: LinkConfig | null = null;

  constructor(private readonly handlers: LinkHandlers, private readonly log: (msg: string) => void) {}

  get connected(): boolean {
    return this.state === "connected";
  }

  async start(config: LinkConfig): Promise<void> {
    mqttjs ??= await import("mqtt");
    this.config = config;
    this.backoff.reset();
    this.connect();
  }

  /** Runs `last` (e.g. a final "offline") while still connected, then closes. */
  async stop(last?: (link: MqttLink) => Promise<void>): Promise<void> {
    this.config = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.retryAt = null;
    const c = this.client;
    if (c && this.connected && last) await withTimeout(last(this), 1000);
    this.client = null;
    this.state = "disabled";
    this.connectedSince = null;
    if (c) await withTimeout(c.endAsync(true), 1000);
  }

  /** Publishes when connected; otherwise drops it (everything is republished on connect). */
  publish(topic: string, payload: string, retain = false): Promise<boolean> {
    const c = this.client;
    if (!c || !this.connected || (c.stream?.writableLength ?? 0) > MAX_BUFFERED) {
      this.dropped++;
      return Promise.resolve(false);
    }
    return c.publishAsync(topic, payload, { qos: 1, retain }).then(() => true, () => false);
  }

  health() {
    return {
      state: this.state,
      url: this.config?.url ?? null,
      lastError: this.lastError,
      connectedSince: this.connectedSince === null ? null : new Date(this.connectedSince).toISOString(),
      connects: this.connects,
      attempts: this.attempts,
      retryInMs: this.retryAt === null ? null : Math.max(0, Math.round(this.retryAt - performance.now())),
      droppedPublishes: this.dropped,
    };
  }

  private connect(): void {
    const cfg = this.config;
    if (!cfg) return;
    this.timer = null;
    this.retryAt = null;
    this.state = "connecting";
    this.attempts++;
    let refused = false;
    const c = mqttjs!.connect(cfg.url, {
      clientId: cfg.clientId,
      username: cfg.username || undefined,
      // MQTT 3.1.1 allows no password without a username: brokers refuse such a connect.
      password: (cfg.username && cfg.password) || undefined,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      keepalive: 30,
      queueQoSZero: false,
      will: { topic: cfg.will.topic, payload: Buffer.from(cfg.will.payload), qos: 1, retain: true },
      ca: cfg.ca || undefined,
      rejectUnauthorized: !cfg.allowSelfSigned,
    });
    this.client = c;
    c.on("connect", () => {
      if (this.client !== c) return;
      c.subscribe(cfg.subscriptions, { qos: 1 }, (err, granted) => {
        if (this.client !== c) return;
        const denied = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
        if (err || denied.length) {
          this.fail(err ? `subscribe failed: ${err.message}` : `broker refused subscriptions to ${denied.join(", ")}`);
          c.end(true);
          return;
        }
        this.state = "connected";
        this.connectedSince = Date.now();
        this.connects++;
        this.backoff.reset();
        this.lastError = null;
        this.log(`[mqtt] connected to ${cfg.url}`);
        this.handlers.onReady();
      });
    });
    let turnStart: number | null = null;
    c.on("message", (topic, payload) => {
      if (turnStart === null) {
        turnStart = performance.now();
        setImmediate(() => (turnStart = null));
      }
      if (this.client === c) this.handlers.onMessage(topic, payload);
    });
    // Called after each message's work; the next message (and the ack) waits for `done`.
    c.handleMessage = (_packet, done) => {
      if (turnStart === null || performance.now() - turnStart < TURN_BUDGET_MS) return done();
      turnStart = null;
      setTimeout(done, 0);
    };
    c.on("error", (err: Error & { code?: number | string }) => {
      if (this.client !== c) return;
      refused = typeof err.code === "number" && REFUSED.has(err.code);
      this.fail(describe(err, cfg.url));
    });
    c.on("close", () => {
      if (this.client !== c) return;
      // The status says so at once, not only when the next attempt fails.
      if (this.connected) this.fail(`the connection to ${cfg.url} was lost`);
      this.client = null;
      this.connectedSince = null;
      c.end(true);
      this.schedule(refused);
    });
  }

  private fail(message: string): void {
    if (message !== this.lastError) this.log(`[mqtt] ${message}`);
    this.lastError = message;
  }

  private schedule(refused: boolean): void {
    if (!this.config) return;
    // Refused credentials retry at the cap at once.
    const delay = refused ? this.backoff.exhaust() : this.backoff.next();
    this.state = "waiting";
    this.retryAt = performance.now() + delay;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

function describe(err: Error & { code?: number | string }, url: string): string {
  if (err.code === "ECONNREFUSED") return `connection refused at ${url} (is the broker running?)`;
  // mqtt.js passes these on as "getaddrinfo ENOTFOUND x" and "connack timeout": said in words here.
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN" || err.code === "EAI_NONAME") return `cannot resolve host "${hostOf(url)}" (check mqtt.url)`;
  if (err.message === "connack timeout") return `no answer from ${url} within ${CONNECT_TIMEOUT_MS / 1000} s of connecting (is an MQTT broker listening on that port?)`;
  if (err.code === 4 || err.code === 5) return `${err.message} (check mqtt.username and mqtt.password)`;
  if (typeof err.code === "string" && TLS_TRUST.has(err.code)) return `TLS: ${err.message} (set mqtt.tls.ca to the CA that signed the broker's certificate, or mqtt.tls.allowSelfSigned)`;
  return err.message || String(err.code);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p.then(() => {}, () => {}), new Promise<void>((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}
