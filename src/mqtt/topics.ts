// Every topic ledbox uses, in one place: what it carries, who publishes it, and its retain flag.
import type { MqttSettings } from "../config/schema.ts";
import { MAX_EVENTS_BODY } from "../events/schema.ts";

export interface Topics {
  base: string;
  prefix: string;
  /** Availability: "online" on connect, "offline" as the retained last will. */
  status: string;
  /** In: one GameEvent or a batch (the HTTP ingest schema). */
  event: string;
  /** Out, not retained: {topic, error} for each rejected message. */
  error: string;
  /** In: Home Assistant JSON light commands. Out (retained): the light's state. */
  lightSet: string;
  lightState: string;
  /** Out (retained): {fps, power_ma, power_w, last_event, integrations}. */
  sensors: string;
  /** In: any payload presses the test-flash button. */
  testFlash: string;
  /** In: a preset's name or id. Out (retained): the active preset's name. */
  presetSet: string;
  presetState: string;
  /** In: Home Assistant's birth ("online") and will ("offline"). */
  haStatus: string;
  /** In: raw adapter payloads for game integrations, `<base>/integration/<id>/event`. */
  integrationEvents: string;
  /** Out (retained): "ON"/"OFF", whether the integration's game is sending. */
  integrationConnected(id: string): string;
  /** The integration a topic addresses, if it is an integration event topic. */
  integrationOf(topic: string): string | null;
}

export function topicsFor(s: MqttSettings, deviceId: string): Topics {
  const base = s.baseTopic || `ledbox/${deviceId}`;
  return {
    base,
    prefix: s.discoveryPrefix,
    status: `${base}/status`,
    event: `${base}/event`,
    error: `${base}/error`,
    lightSet: `${base}/light/set`,
    lightState: `${base}/light/state`,
    sensors: `${base}/sensors`,
    testFlash: `${base}/test_flash/press`,
    presetSet: `${base}/preset/set`,
    presetState: `${base}/preset/state`,
    haStatus: `${s.discoveryPrefix}/status`,
    integrationEvents: `${base}/integration/+/event`,
    integrationConnected: (id) => `${base}/integration/${id}/connected`,
    integrationOf: (topic) => {
      const head = `${base}/integration/`;
      if (!topic.startsWith(head) || !topic.endsWith("/event")) return null;
      const id = topic.slice(head.length, -"/event".length);
      return id && !id.includes("/") ? id : null;
    },
  };
}

/** The topics ledbox subscribes to (QoS 1). */
export const inboundTopics = (t: Topics) => [t.event, t.lightSet, t.testFlash, t.presetSet, t.haStatus, t.integrationEvents];

/** Largest inbound payload handled; larger ones are reported on the error topic. Same as HTTP ingest. */
export const MAX_PAYLOAD = MAX_EVENTS_BODY;
