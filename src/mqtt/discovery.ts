// Home Assistant MQTT discovery: one retained config per entity, each with the device and
// origin blocks. Built as data (pure) so tests check every field and the service can republish.
import type { Topics } from "./topics.ts";

export interface DeviceInfo {
  deviceId: string;
  version: string;
  /** The device's own web page. */
  configurationUrl: string;
  rgbw: boolean;
  /** effect_list: the ambient effects, then the presets' names. */
  effects: string[];
  presetNames: string[];
}

export interface DiscoveryConfig {
  topic: string;
  payload: Record<string, unknown>;
}

/** Builds one entity's config: topic by component and object id, the shared blocks, its own fields. */
function entityBuilder(t: Topics, d: DeviceInfo) {
  const node = `ledbox_${d.deviceId}`;
  const common = (object: string) => ({
    unique_id: `${node}_${object}`,
    availability_topic: t.status,
    device: {
      identifiers: [node],
      name: "ledbox",
      model: "ledbox LED strip controller",
      manufacturer: "ledbox",
      sw_version: d.version,
      configuration_url: d.configurationUrl,
    },
    origin: { name: "ledbox", sw_version: d.version },
  });
  return (component: string, object: string, fields: Record<string, unknown>): DiscoveryConfig => ({
    topic: `${t.prefix}/${component}/${node}/${object}/config`,
    payload: { ...common(object), ...fields },
  });
}

export function discoveryConfigs(t: Topics, d: DeviceInfo): DiscoveryConfig[] {
  const entity = entityBuilder(t, d);
  const sensor = (object: string, name: string, key: string, extra: Record<string, unknown>) =>
    entity("sensor", object, { name, state_topic: t.sensors, value_template: `{{ value_json.${key} }}`, ...extra });
  return [
    entity("light", "light", {
      name: null,
      schema: "json",
      command_topic: t.lightSet,
      state_topic: t.lightState,
      // Without it HA folds brightness into the RGB values and never sends "brightness".
      brightness: true,
      brightness_scale: 255,
      supported_color_modes: [d.rgbw ? "rgbw" : "rgb"],
      effect: true,
      effect_list: d.effects,
    }),
    sensor("fps", "Frame rate", "fps", { unit_of_measurement: "fps", state_class: "measurement", entity_category: "diagnostic", icon: "mdi:speedometer" }),
    sensor("power_current", "Power estimate current", "power_ma", { unit_of_measurement: "mA", device_class: "current", state_class: "measurement" }),
    sensor("power", "Power estimate", "power_w", { unit_of_measurement: "W", device_class: "power", state_class: "measurement" }),
    sensor("last_event", "Last event", "last_event", { icon: "mdi:gamepad-variant" }),
    sensor("integrations", "Connected integrations", "integrations", { state_class: "measurement", icon: "mdi:controller" }),
    entity("button", "test_flash", { name: "Test flash", command_topic: t.testFlash, payload_press: "PRESS", icon: "mdi:flash" }),
    entity("select", "preset", { name: "Preset", command_topic: t.presetSet, state_topic: t.presetState, options: d.presetNames, icon: "mdi:palette" }),
  ];
}

/** Object ids allow letters, digits, _ and - only. */
export const objectId = (integrationId: string) => `integration_${integrationId.replace(/[^a-zA-Z0-9_-]/g, "_")}`;

/** A game integration's "connected" binary_sensor; its state topic is `<base>/integration/<id>/connected`. */
export function integrationConfig(t: Topics, d: DeviceInfo, integration: { id: string; name: string }): DiscoveryConfig {
  return entityBuilder(t, d)("binary_sensor", objectId(integration.id), {
    name: `${integration.name} connected`,
    state_topic: t.integrationConnected(integration.id),
    device_class: "connectivity",
  });
}
