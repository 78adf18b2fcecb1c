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
  /** In: Home Assistant JSON light commands. Out (retained): the light's state. "*" is the whole strip. */
  light(id: string): { set: string; state: string };
  /** The light a topic commands ("*" or a segment's name), if it is a light's command topic. */
  lightOf(topic: string): string | null;
  /** Out, not retained: {event_type, …the event's fields} for each game event (HA's event entity). */
  gameEvent: string;
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
    light: (id) => {
      const head = id === "*" ? `${base}/light` : `${base}/light/${id}`;
      return { set: `${head}/set`, state: `${head}/state` };
    },
    lightOf: (topic) => {
      if (topic === `${base}/light/set`) return "*";
      const id = between(topic, `${base}/light/`, "/set");
      return id && !id.includes("/") ? id : null;
    },
    gameEvent: `${base}/game_event`,
    sensors: `${base}/sensors`,
    testFlash: `${base}/test_flash/press`,
    presetSet: `${base}/preset/set`,
    presetState: `${base}/preset/state`,
    haStatus: `${s.discoveryPrefix}/status`,
    integrationEvents: `${base}/integration/+/event`,
    integrationConnected: (id) => `${base}/integration/${id}/connected`,
    integrationOf: (topic) => {
      const id = between(topic, `${base}/integration/`, "/event");
      return id && !id.includes("/") ? id : null;
    },
  };
}

/** What lies between head and tail in a topic that has both; null otherwise. */
function between(topic: string, head: string, tail: string): string | null {
  return topic.startsWith(head) && topic.endsWith(tail) && topic.length > head.length + tail.length ? topic.slice(head.length, -tail.length) : null;
}

/** The topics ledbox subscribes to (QoS 1); segments' lights are <base>/light/<segment>/set. */
export const inboundTopics = (t: Topics) => [
  t.event, t.light("*").set, t.light("+").set, t.testFlash, t.presetSet, t.haStatus, t.integrationEvents,
];

/** Largest inbound payload handled; larger ones are reported on the error topic. Same as HTTP ingest. */
export const MAX_PAYLOAD = MAX_EVENTS_BODY;
