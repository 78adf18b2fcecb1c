// Game integrations in Home Assistant: one "connected" binary_sensor per integration, as retained
// documents (its discovery config and its ON/OFF state); a RetainedSet publishes new and renamed
// ones and removes deleted ones.
import { integrationConfig, type DeviceInfo } from "./discovery.ts";
import type { Topics } from "./topics.ts";

export interface IntegrationView {
  id: string;
  name: string;
  connected: boolean;
}

/** Every integration's config and connected state, by topic. */
export function integrationDocs(t: Topics, d: DeviceInfo, list: IntegrationView[]): Map<string, string> {
  const docs = new Map<string, string>();
  for (const i of list) {
    const c = integrationConfig(t, d, i);
    docs.set(c.topic, JSON.stringify(c.payload));
    docs.set(t.integrationConnected(i.id), i.connected ? "ON" : "OFF");
  }
  return docs;
}
