// Game integrations in Home Assistant: one "connected" binary_sensor per integration, kept in
// step with the integrations list by diffing against what was last published (new and renamed
// ones get a config, deleted ones an empty retained config, which removes the entity).
import { integrationConfig, type DeviceInfo } from "./discovery.ts";
import type { Topics } from "./topics.ts";

export interface IntegrationView {
  id: string;
  name: string;
  connected: boolean;
}

type Publish = (topic: string, payload: string, retain: boolean) => void;

export class IntegrationEntities {
  /** id → the config JSON and the state last published. */
  private published = new Map<string, { topic: string; config: string; state: string }>();

  /** After a (re)connect everything is published again: the broker may have lost it. */
  reset(): void {
    this.published.clear();
  }

  /** Publishes what changed; true when an integration's connected state did (or one went away). */
  sync(t: Topics, d: DeviceInfo, list: IntegrationView[], publish: Publish): boolean {
    const seen = new Set<string>();
    let changed = false;
    for (const i of list) {
      seen.add(i.id);
      const c = integrationConfig(t, d, i);
      const config = JSON.stringify(c.payload);
      const state = i.connected ? "ON" : "OFF";
      const was = this.published.get(i.id);
      if (was?.config !== config) publish(c.topic, config, true);
      if (was?.state !== state) {
        publish(t.integrationConnected(i.id), state, true);
        changed = true;
      }
      this.published.set(i.id, { topic: c.topic, config, state });
    }
    for (const [id, was] of this.published) {
      if (seen.has(id)) continue;
      publish(was.topic, "", true);
      publish(t.integrationConnected(id), "", true);
      this.published.delete(id);
      changed = true;
    }
    return changed;
  }
}
