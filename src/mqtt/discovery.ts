// Home Assistant MQTT discovery: one retained config per entity, each with the device and
// origin blocks. Built as data (pure) so tests check every field and the service can republish.
import { FLASH_TIMES } from "./light.ts";
import type { Topics } from "./topics.ts";

export interface DeviceInfo {
  deviceId: string;
  /** The name HA shows (mqtt.deviceName, else the host name): ids come from deviceId, but entity ids from this name, so boxes that share a host name are told apart in HA by a suffix (light.ledbox_2) until one is renamed. */
  name: string;
  version: string;
  /** The device's own web page (or mqtt.configurationUrl). */
  configurationUrl: string;
  rgbw: boolean;
  /** effect_list: the ambient effects, then the presets' names. */
  effects: string[];
  presetNames: string[];
  /** event_types of the game-event entity: the trigger event types. */
  eventTypes: string[];
}

export interface DiscoveryConfig {
  topic: string;
  payload: Record<string, unknown>;
}

/** HA groups these under "Diagnostic" on the device page, as it does for other devices. */
const DIAGNOSTIC = { entity_category: "diagnostic" } as const;

/** Builds one entity's config: topic by component and object id, the shared blocks, its own fields. */
function entityBuilder(t: Topics, d: DeviceInfo) {
  const node = `ledbox_${d.deviceId}`;
  const common = (object: string) => ({
    unique_id: `${node}_${object}`,
    availability_topic: t.status,
    device: {
      identifiers: [node],
      name: d.name,
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

/** A light: the whole strip ("*", named after the device) or one segment (named after it). */
export function lightConfig(t: Topics, d: DeviceInfo, light: string): DiscoveryConfig {
  const { set, state } = t.light(light);
  return entityBuilder(t, d)("light", light === "*" ? "light" : `light_${light}`, {
    name: light === "*" ? null : light,
    schema: "json",
    command_topic: set,
    state_topic: state,
    // Without it HA folds brightness into the RGB values and never sends "brightness".
    brightness: true,
    brightness_scale: 255,
    supported_color_modes: [d.rgbw ? "rgbw" : "rgb"],
    effect: true,
    effect_list: d.effects,
    flash: true,
    flash_time_short: FLASH_TIMES.short,
    flash_time_long: FLASH_TIMES.long,
    transition: true,
  });
}

/** Every entity but the segments' lights and the integrations' sensors, which come and go with settings. */
export function discoveryConfigs(t: Topics, d: DeviceInfo): DiscoveryConfig[] {
  const entity = entityBuilder(t, d);
  const sensor = (object: string, name: string, key: string, extra: Record<string, unknown>) =>
    entity("sensor", object, { name, state_topic: t.sensors, value_template: `{{ value_json.${key} }}`, ...extra });
  return [
    lightConfig(t, d, "*"),
    sensor("fps", "Frame rate", "fps", { unit_of_measurement: "fps", state_class: "measurement", icon: "mdi:speedometer", ...DIAGNOSTIC }),
    sensor("power_current", "Power estimate current", "power_ma", { unit_of_measurement: "mA", device_class: "current", state_class: "measurement", ...DIAGNOSTIC }),
    sensor("power", "Power estimate", "power_w", { unit_of_measurement: "W", device_class: "power", state_class: "measurement", ...DIAGNOSTIC }),
    sensor("last_event", "Last event", "last_event", { icon: "mdi:gamepad-variant" }),
    sensor("integrations", "Connected integrations", "integrations", { state_class: "measurement", icon: "mdi:controller", ...DIAGNOSTIC }),
    entity("event", "game_event", { name: "Game event", state_topic: t.gameEvent, event_types: d.eventTypes, icon: "mdi:gamepad-variant" }),
    entity("button", "test_flash", { name: "Test flash", command_topic: t.testFlash, payload_press: "PRESS", icon: "mdi:flash", ...DIAGNOSTIC }),
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
    ...DIAGNOSTIC,
  });
}
