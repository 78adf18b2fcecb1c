// HA JSON light commands ↔ base layer, without a broker: brightness scale, RGBW, presets.
import { expect, test } from "bun:test";
import { BaseSpecSchema } from "../../src/light/specs.ts";
import { baseToState, commandToChange, HaCommandSchema } from "../../src/mqtt/light.ts";
import { discoveryConfigs } from "../../src/mqtt/discovery.ts";
import { topicsFor } from "../../src/mqtt/topics.ts";
import { MqttSchema } from "../../src/config/schema.ts";

const presets = new Map([["Racing", "racing"]]);
const current = BaseSpecSchema.parse({ colors: ["#102030", "#ffffff"], level: 0.5 });
const change = (json: string) => commandToChange(HaCommandSchema.parse(JSON.parse(json)), current, presets);

test("brightness 1–255 is the base level; transition seconds become milliseconds; colour replaces the first stop", () => {
  expect(change('{"state":"ON","brightness":51,"transition":1.5,"color":{"r":255,"g":0,"b":0}}')).toEqual({
    base: { segment: "*", transitionMs: 1500, on: true, level: 0.2, colors: [[1, 0, 0], [1, 1, 1]] },
    preset: undefined,
  });
  expect(change('{"state":"OFF"}')).toEqual({ base: { segment: "*", transitionMs: 500, on: false }, preset: undefined });
  expect(change('{"effect":"Racing"}')).toEqual({ base: { segment: "*", transitionMs: 500 }, preset: "racing" });
  expect(change('{"effect":"gradient"}')).toMatchObject({ base: { effect: "gradient" } });
  expect(change('{"effect":"strobe"}')).toEqual({ error: 'effect: unknown effect "strobe"' });
});

test("ON on a light at level 0 turns it up to full; with a brightness it takes that", () => {
  const dark = BaseSpecSchema.parse({ level: 0 });
  expect(commandToChange({ state: "ON" }, dark, presets)).toMatchObject({ base: { on: true, level: 1 } });
  expect(commandToChange({ state: "ON", brightness: 10 }, dark, presets)).toMatchObject({ base: { level: 10 / 255 } });
});

test("state: brightness left out at level 0 (HA ignores 0), RGBW splits white out of the colour", () => {
  expect(baseToState(BaseSpecSchema.parse({ on: false, level: 0, colors: ["#ff0000"] }), false)).toEqual({
    state: "OFF", color_mode: "rgb", color: { r: 255, g: 0, b: 0 }, effect: "solid",
  });
  expect(baseToState(BaseSpecSchema.parse({ level: 1, colors: ["#ff8040"], effect: "rainbow" }), true)).toEqual({
    state: "ON", brightness: 255, color_mode: "rgbw", color: { r: 191, g: 64, b: 0, w: 64 }, effect: "rainbow",
  });
  // An RGBW command puts white back into R, G and B.
  expect(commandToChange({ color: { r: 191, g: 64, b: 0, w: 64 } }, current, presets)).toMatchObject({ base: { colors: [[1, 128 / 255, 64 / 255], [1, 1, 1]] } });
});

test("an RGBW strip is discovered with the rgbw colour mode", () => {
  const t = topicsFor(MqttSchema.parse({}), "abcd");
  const light = discoveryConfigs(t, { deviceId: "abcd", version: "x", configurationUrl: "http://h/", rgbw: true, effects: [], presetNames: [] })[0];
  expect(light.topic).toBe("homeassistant/light/ledbox_abcd/light/config");
  expect(light.payload.supported_color_modes).toEqual(["rgbw"]);
});

test("settings: URLs with credentials and wildcard topics are refused", () => {
  expect(MqttSchema.safeParse({ url: "mqtt://user:pw@host" }).success).toBe(false);
  expect(MqttSchema.safeParse({ url: "http://host" }).success).toBe(false);
  for (const url of ["mqtt://host", "mqtts://host:8883", "ws://10.0.0.2:9001/mqtt", "wss://broker.lan/mqtt"]) expect(MqttSchema.safeParse({ url }).success).toBe(true);
  for (const baseTopic of ["a/+/b", "a/#", "/a", "a/", "a//b"]) expect(MqttSchema.safeParse({ baseTopic }).success).toBe(false);
  expect(topicsFor(MqttSchema.parse({ baseTopic: "den/strip" }), "abcd").event).toBe("den/strip/event");
});
