// The MQTT unit: follows the mqtt settings (reconnecting when they change), turns inbound
// messages into events and base-layer commands, and keeps Home Assistant's view current.
import { hostname } from "node:os";
import type { Settings } from "../config/schema.ts";
import type { SettingsService } from "../config/service.ts";
import { VERSION } from "../config/version.ts";
import { PRESETS, presetById } from "../director/presets.ts";
import type { SceneControl } from "../director/scene-control.ts";
import type { EventBus } from "../events/bus.ts";
import { parseEvents, type Ingest } from "../events/ingest.ts";
import { EVENT_TYPES, isValueType, type GameEvent } from "../events/schema.ts";
import type { IntegrationsService } from "../games/integrations.ts";
import type { Engine } from "../light/engine.ts";
import { AMBIENT_KINDS, EffectSpecSchema } from "../light/specs.ts";
import { errorText } from "../util/errors.ts";
import { parseUntrusted } from "../util/json.ts";
import { TokenBucket } from "../util/token-bucket.ts";
import { describeIssues, refuseReservedKeys } from "../util/validation.ts";
import { discoveryConfigs, type DeviceInfo } from "./discovery.ts";
import { integrationDocs, type IntegrationView } from "./integrations.ts";
import { HaCommandSchema } from "./light.ts";
import { Lights, presetIdByName } from "./lights.ts";
import { MqttLink } from "./link.ts";
import { RetainedSet } from "./retained.ts";
import { sensorsDoc } from "./sensors.ts";
import { inboundTopics, MAX_PAYLOAD, topicsFor, type Topics } from "./topics.ts";

const SENSOR_PERIOD_MS = 10_000;
/** How often integrations' "connected" states (which lapse with time) are checked; saves and deletes publish at once. */
const INTEGRATION_PERIOD_MS = 2000;
/** After an event the last-event sensor updates within this time, never more often. */
const SENSOR_THROTTLE_MS = 1000;
/** Error reports published per second at most; the rest are only counted. */
const ERROR_RATE = 10;
/**
 * Game events published to HA's event entity per second, with bursts of twice that; beyond it they
 * are counted, not sent. Far above what a player's game makes (a few a second), far below what the
 * bus can carry (thousands), which would flood HA's recorder and automations.
 */
const GAME_EVENT_RATE = 10;
/** The trigger types: what HA's event entity can fire (values change too often to be events). */
const TRIGGER_TYPES = EVENT_TYPES.filter((t) => !isValueType(t));
const TEST_FLASH = EffectSpecSchema.parse({ effect: "flash", colors: ["#ffffff"], durationMs: 300, priority: 90 });

/** What the MQTT unit uses of the rest of the device. */
export interface MqttPorts {
  settings: Pick<SettingsService, "get" | "update" | "onChange">;
  scene: Pick<SceneControl, "bases" | "setBase" | "applyPreset" | "activePreset" | "presetOn" | "onChange">;
  ingest: Pick<Ingest, "accept">;
  bus: Pick<EventBus, "subscribe">;
  engine: Pick<Engine, "trigger" | "stats">;
  integrations: Pick<IntegrationsService, "list" | "health" | "payloads" | "onChange">;
  /** Where the page is reached (Home Assistant's configuration_url): the bind host and the port. */
  host: string;
  port(): number;
  log(msg: string): void;
}

export class MqttService {
  readonly link: MqttLink;
  private topics: Topics | null = null;
  private applied: string | null = null;
  /** Settings changes apply one after another: a reconnect never overlaps the previous one. */
  private chain: Promise<void> = Promise.resolve();
  private pendingState = false;
  private sensorTimer: ReturnType<typeof setTimeout> | null = null;
  private sensorInterval: ReturnType<typeof setInterval> | null = null;
  private integrationInterval: ReturnType<typeof setInterval> | null = null;
  /** The entities Home Assistant was told of: discovery topic → component and name (the page lists them). */
  private readonly discovered = new Map<string, { component: string; name: string }>();
  private readonly retain = (topic: string, payload: string) => {
    if (topic.endsWith("/config")) this.noteDiscovery(topic, payload);
    void this.link.publish(topic, payload, true);
  };
  private readonly integrations = new RetainedSet(this.retain);
  private readonly lights: Lights;
  private unsubscribe: (() => void) | null = null;
  private lastEvent: string | null = null;
  private readonly errorReports = new TokenBucket(ERROR_RATE, ERROR_RATE);
  private readonly gameEvents = new TokenBucket(GAME_EVENT_RATE, 2 * GAME_EVENT_RATE);
  received = 0;
  rejected = 0;
  /** Game events not sent to HA's event entity because of the rate limit. */
  gameEventsDropped = 0;
  lastRejection: { topic: string; error: string; at: string } | null = null;

  constructor(private readonly ports: MqttPorts) {
    this.link = new MqttLink({ onReady: () => this.publishAll(), onMessage: (t, p) => this.handle(t, p) }, ports.log);
    this.lights = new Lights(ports, this.retain);
  }

  async start(): Promise<void> {
    const { settings } = this.ports;
    if (!settings.get().mqtt.deviceId) {
      const r = await settings.update({ mqtt: { deviceId: crypto.randomUUID().replaceAll("-", "").slice(0, 12) } });
      if (!r.ok) throw new Error(`mqtt: could not store a device id: ${r.error}`);
    }
    settings.onChange((s) => this.apply(s));
    this.ports.scene.onChange(() => this.stateChanged());
    this.ports.integrations.onChange(() => this.syncIntegrations());
    this.unsubscribe = this.ports.bus.subscribe("mqtt", (e) => {
      this.lastEvent = e.type;
      this.sensorTimer ??= setTimeout(() => this.publishSensors(), SENSOR_THROTTLE_MS);
      if (!isValueType(e.type)) this.publishGameEvent(e);
    });
    this.sensorInterval = setInterval(() => this.publishSensors(), SENSOR_PERIOD_MS);
    this.integrationInterval = setInterval(() => this.syncIntegrations(), INTEGRATION_PERIOD_MS);
    this.apply(settings.get());
    await this.chain;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.sensorInterval) clearInterval(this.sensorInterval);
    if (this.integrationInterval) clearInterval(this.integrationInterval);
    if (this.sensorTimer) clearTimeout(this.sensorTimer);
    this.applied = "stopped";
    await (this.chain = this.chain.then(() => this.disconnect()));
  }

  status() {
    const m = this.ports.settings.get().mqtt;
    return {
      enabled: m.enabled,
      deviceId: m.deviceId ?? null,
      baseTopic: this.topics?.base ?? null,
      discoveryPrefix: m.discoveryPrefix,
      username: m.username || null,
      passwordSet: m.password !== "",
      ...this.link.health(),
      messages: { received: this.received, rejected: this.rejected, lastRejection: this.lastRejection },
      gameEventsDropped: this.gameEventsDropped,
      entities: [...this.discovered.values()],
    };
  }

  private noteDiscovery(topic: string, payload: string): void {
    if (!payload) return void this.discovered.delete(topic);
    const component = topic.split("/").at(-4) ?? "";
    const name = (JSON.parse(payload) as { name?: string | null }).name ?? "(the device's name)";
    this.discovered.set(topic, { component, name });
  }

  private apply(s: Settings): void {
    // Segments come and go with their lights (and the scene is rebuilt): publish what changed.
    this.stateChanged();
    // The strip type changes the light's colour mode, so it is part of what reconnects.
    const key = JSON.stringify([s.mqtt, s.strip.ledType]);
    if (key === this.applied || this.applied === "stopped") return;
    this.applied = key;
    const m = s.mqtt;
    this.chain = this.chain.then(async () => {
      await this.disconnect();
      if (!m.enabled || !m.deviceId) return;
      const t = (this.topics = topicsFor(m, m.deviceId));
      await this.link.start({
        url: m.url,
        clientId: m.clientId || `ledbox-${m.deviceId}`,
        username: m.username,
        password: m.password,
        ca: m.tls.ca,
        allowSelfSigned: m.tls.allowSelfSigned,
        will: { topic: t.status, payload: "offline" },
        subscriptions: inboundTopics(t),
      });
    });
  }

  /** A clean stop says "offline" itself: the broker only sends the will for a dropped connection. */
  private async disconnect(): Promise<void> {
    const t = this.topics;
    this.topics = null;
    this.discovered.clear();
    await this.link.stop(async (link) => {
      if (t) await link.publish(t.status, "offline", true);
    });
  }

  private handle(topic: string, payload: Buffer): void {
    const t = this.topics;
    if (!t) return;
    this.received++;
    if (payload.length > MAX_PAYLOAD) return this.reject(topic, `message of ${payload.length} bytes is over the limit of ${MAX_PAYLOAD}`);
    try {
      const text = payload.toString("utf8");
      switch (topic) {
        case t.haStatus:
          // HA came back: it forgets entities whose discovery was not retained and wants every state again.
          if (text === "online") this.publishAll();
          return;
        case t.event: {
          const r = parseEvents(fromMqtt(parseJson(text)));
          if (!r.ok) return this.reject(topic, r.error);
          this.ports.ingest.accept(r.events);
          return;
        }
        case t.testFlash: {
          const r = this.ports.engine.trigger(TEST_FLASH);
          if (!r.ok) this.reject(topic, r.reason);
          return;
        }
        case t.presetSet: {
          const preset = presetById.get(presetIdByName.get(text.trim()) ?? "");
          if (!preset) return this.reject(topic, `unknown preset "${text.slice(0, 64)}" (have: ${PRESETS.map((p) => p.name).join(", ")})`);
          this.ports.scene.applyPreset(preset);
          return;
        }
      }
      const light = t.lightOf(topic);
      if (light) return this.lightCommand(t, topic, light, text);
      const integration = t.integrationOf(topic);
      if (integration) this.integrationPayload(integration, text);
    } catch (err) {
      this.reject(topic, errorText(err));
    }
  }

  private lightCommand(t: Topics, topic: string, light: string, text: string): void {
    const parsed = HaCommandSchema.safeParse(parseJson(text));
    if (!parsed.success) return this.reject(topic, describeIssues(parsed.error));
    for (const problem of this.lights.command(t, light, parsed.data)) this.reject(topic, problem);
    // A command that changes nothing still gets a state back: HA waits for one.
    this.stateChanged();
  }

  /** A raw adapter payload: the same admission, token check, adapter and dedupe as HTTP. */
  private integrationPayload(id: string, text: string): void {
    const payloads = this.ports.integrations.payloads;
    const rt = payloads.admit(id);
    let body: unknown;
    try {
      body = parseUntrusted(text);
    } catch (err) {
      payloads.reject(rt, "invalid", `malformed payload: not valid JSON (${(err as Error).message})`);
    }
    if (rt.adapter.auth === "body") {
      payloads.receive(rt, body, undefined);
      return;
    }
    // MQTT has no headers: an adapter that takes its token from one gets it from an envelope.
    const { token, payload } = (body ?? {}) as { token?: unknown; payload?: unknown };
    if (typeof token !== "string") return payloads.reject(rt, "unauthorized", 'token missing: over MQTT send {"token": "<the integration\'s token>", "payload": <the payload>}');
    payloads.receive(rt, payload, token);
  }

  private reject(topic: string, error: string): void {
    this.rejected++;
    this.lastRejection = { topic, error, at: new Date().toISOString() };
    if (!this.topics || !this.errorReports.take()) return;
    this.ports.log(`[mqtt] rejected a message on ${topic}: ${error}`);
    void this.link.publish(this.topics.error, JSON.stringify({ topic, error }));
  }

  /** Several changes in one turn (a preset sets mappings and the base) publish one state. */
  private stateChanged(): void {
    if (this.pendingState) return;
    this.pendingState = true;
    queueMicrotask(() => {
      this.pendingState = false;
      this.publishState();
    });
  }

  private publishAll(): void {
    const t = this.topics;
    if (!t) return;
    void this.link.publish(t.status, "online", true);
    for (const c of discoveryConfigs(t, this.deviceInfo())) this.retain(c.topic, JSON.stringify(c.payload));
    this.integrations.reset();
    this.syncIntegrations();
    this.lights.reset();
    this.publishState();
    this.publishSensors();
  }

  private publishState(): void {
    const t = this.topics;
    if (!t) return;
    this.lights.sync(t, this.deviceInfo());
    const active = this.ports.scene.activePreset();
    if (active) this.retain(t.presetState, active.name);
  }

  /** Each trigger event fires HA's event entity (not retained: a replayed event would fire again), within the rate limit. */
  private publishGameEvent(e: GameEvent): void {
    const t = this.topics;
    if (!t || !this.link.connected) return;
    if (!this.gameEvents.take()) {
      this.gameEventsDropped++;
      return;
    }
    const { type, ...attributes } = e;
    void this.link.publish(t.gameEvent, JSON.stringify({ event_type: type, ...attributes }));
  }

  private publishSensors(): void {
    if (this.sensorTimer) clearTimeout(this.sensorTimer);
    this.sensorTimer = null;
    const t = this.topics;
    if (!t) return;
    const doc = sensorsDoc(this.ports.engine.stats(), this.lastEvent, this.integrationViews().filter((i) => i.connected).length);
    void this.link.publish(t.sensors, JSON.stringify(doc), true);
  }

  /** Publishes integration entities that changed; also called when integrations are saved or deleted. */
  private syncIntegrations(): void {
    const t = this.topics;
    if (!t || !this.link.connected) return;
    const changed = this.integrations.sync(integrationDocs(t, this.deviceInfo(), this.integrationViews()));
    // The sensors carry the count of connected integrations.
    if (changed) this.publishSensors();
  }

  private integrationViews(): IntegrationView[] {
    const svc = this.ports.integrations;
    return svc.list().map((r) => ({ id: r.id, name: r.name, connected: svc.health(r.id).connected }));
  }

  private deviceInfo(): DeviceInfo {
    const s = this.ports.settings.get();
    const host = ["0.0.0.0", "::"].includes(this.ports.host) ? `${hostname()}.local` : this.ports.host;
    return {
      deviceId: s.mqtt.deviceId!,
      name: s.mqtt.deviceName || hostname(),
      version: VERSION,
      configurationUrl: s.mqtt.configurationUrl || `http://${host}:${this.ports.port()}/`,
      rgbw: s.strip.ledType === "rgbw",
      effects: [...AMBIENT_KINDS, ...PRESETS.map((p) => p.name)],
      presetNames: PRESETS.map((p) => p.name),
      eventTypes: TRIGGER_TYPES,
    };
  }
}

function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = parseUntrusted(text);
  } catch (err) {
    throw new Error(`not JSON: ${JSON.stringify(text.slice(0, 40))}${text.length > 40 ? "…" : ""} (${(err as Error).message})`);
  }
  refuseReservedKeys(value, "message");
  return value;
}

/** Events without a source are marked as arriving over MQTT (HTTP's default is "api"). */
function fromMqtt(body: unknown): unknown {
  for (const e of Array.isArray(body) ? body : [body]) if (e && typeof e === "object" && !("source" in e)) (e as { source: string }).source = "mqtt";
  return body;
}
