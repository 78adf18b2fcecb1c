// Home Assistant's MQTT discovery schemas for the platforms ledbox announces, as strict zod
// objects. HA's own (voluptuous) discovery schemas drop keys they do not know without a word
// (extra=REMOVE_EXTRA), so a misspelt key would silently do nothing there; here it fails.
// Transcribed from home-assistant/core, homeassistant/components/mqtt/: schemas.py (entity
// common options, device, origin), config.py (MQTT_BASE/RO/RW_SCHEMA), light/schema_json.py,
// light/schema.py, sensor.py, binary_sensor.py, button.py, select.py, event.py; and
// helpers/config_validation.py (configuration_url takes http, https and homeassistant URLs).
import { z } from "zod";

/** A topic HA publishes to: no wildcards. */
const publishTopic = z.string().min(1).regex(/^[^#+]+$/, "a publish topic has no wildcards");
const subscribeTopic = z.string().min(1);
const template = z.string().min(1);

const device = z.strictObject({
  identifiers: z.array(z.string()).min(1),
  connections: z.array(z.tuple([z.string(), z.string()])).optional(),
  manufacturer: z.string().optional(),
  model: z.string().optional(),
  model_id: z.string().optional(),
  name: z.string().min(1).optional(),
  hw_version: z.string().optional(),
  serial_number: z.string().optional(),
  sw_version: z.string().optional(),
  via_device: z.string().optional(),
  suggested_area: z.string().optional(),
  configuration_url: z.url({ protocol: /^(https?|homeassistant)$/ }).optional(),
});

/** MQTT_ENTITY_COMMON_SCHEMA with MQTT_AVAILABILITY_SCHEMA, and MQTT_BASE_SCHEMA's qos and encoding. */
const common = {
  availability_topic: subscribeTopic.optional(),
  availability_template: template.optional(),
  availability_mode: z.enum(["all", "any", "latest"]).optional(),
  availability: z.array(z.strictObject({ topic: subscribeTopic, payload_available: z.string().optional(), payload_not_available: z.string().optional(), value_template: template.optional() })).optional(),
  payload_available: z.string().optional(),
  payload_not_available: z.string().optional(),
  device: device.optional(),
  origin: z.strictObject({ name: z.string().min(1), sw_version: z.string().optional(), support_url: z.url().optional() }).optional(),
  enabled_by_default: z.boolean().optional(),
  entity_category: z.enum(["config", "diagnostic"]).optional(),
  icon: z.string().regex(/^[a-z0-9-]+:[a-z0-9-]+$/, "an icon is prefix:name").optional(),
  json_attributes_topic: subscribeTopic.optional(),
  json_attributes_template: template.optional(),
  object_id: z.string().optional(),
  unique_id: z.string().min(1).optional(),
  qos: z.literal([0, 1, 2]).optional(),
  encoding: z.string().optional(),
};
const readOnly = { ...common, state_topic: subscribeTopic, value_template: template.optional() };
const readWrite = { ...common, command_topic: publishTopic, optimistic: z.boolean().optional(), retain: z.boolean().optional(), state_topic: subscribeTopic.optional() };
const name = z.string().min(1).nullable().optional();
const positiveInt = z.int().min(1);

const COLOR_MODES = ["onoff", "brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww", "white"] as const;

export const HA_DISCOVERY = {
  light: z.strictObject({
    ...readWrite,
    schema: z.literal("json"),
    name,
    brightness: z.boolean().optional(),
    brightness_scale: positiveInt.optional(),
    color_temp_kelvin: z.boolean().optional(),
    effect: z.boolean().optional(),
    effect_list: z.array(z.string()).optional(),
    flash: z.boolean().optional(),
    flash_time_long: positiveInt.optional(),
    flash_time_short: positiveInt.optional(),
    max_mireds: positiveInt.optional(),
    min_mireds: positiveInt.optional(),
    max_kelvin: positiveInt.optional(),
    min_kelvin: positiveInt.optional(),
    supported_color_modes: z.array(z.enum(COLOR_MODES)).min(1).optional(),
    transition: z.boolean().optional(),
    white_scale: positiveInt.optional(),
  }),
  sensor: z.strictObject({
    ...readOnly,
    name,
    device_class: z.string().nullable().optional(),
    expire_after: positiveInt.optional(),
    force_update: z.boolean().optional(),
    last_reset_value_template: template.optional(),
    options: z.array(z.string()).optional(),
    suggested_display_precision: positiveInt.optional(),
    state_class: z.enum(["measurement", "measurement_angle", "total", "total_increasing"]).nullable().optional(),
    unit_of_measurement: z.string().nullable().optional(),
    // A sensor cannot be a config entity (HA refuses it when adding the entity).
    entity_category: z.literal("diagnostic").optional(),
  }).refine((s) => !s.device_class || (DEVICE_CLASS_UNITS[s.device_class] ?? []).includes(s.unit_of_measurement ?? ""), "a unit this device class takes"),
  binary_sensor: z.strictObject({
    ...readOnly,
    name,
    device_class: z.string().nullable().optional(),
    expire_after: positiveInt.optional(),
    force_update: z.boolean().optional(),
    off_delay: positiveInt.optional(),
    payload_off: z.string().optional(),
    payload_on: z.string().optional(),
  }),
  button: z.strictObject({
    ...common,
    command_topic: publishTopic,
    command_template: template.optional(),
    device_class: z.enum(["identify", "restart", "update"]).nullable().optional(),
    name,
    payload_press: z.string().optional(),
    retain: z.boolean().optional(),
  }),
  select: z.strictObject({
    ...readWrite,
    command_template: template.optional(),
    name,
    options: z.array(z.string()).min(1),
    value_template: template.optional(),
  }),
  event: z.strictObject({
    ...readOnly,
    device_class: z.enum(["button", "doorbell", "motion"]).optional(),
    name,
    event_types: z.array(z.string()).min(1),
  }),
};

/** The units HA's sensor takes for the device classes ledbox uses (sensor/const.py, DEVICE_CLASS_UNITS). */
const DEVICE_CLASS_UNITS: Record<string, string[]> = {
  current: ["A", "mA"],
  power: ["mW", "W", "kW", "MW", "GW", "TW", "BTU/h"],
};
