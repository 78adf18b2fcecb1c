// HA JSON light commands ↔ base layer, without a broker: brightness scale, transitions, flash,
// RGBW as commanded, unknown effects, dark lights turned on.
import { expect, test } from "bun:test";
import { MqttSchema } from "../../src/config/schema.ts";
import { BaseSpecSchema } from "../../src/light/specs.ts";
import { discoveryConfigs } from "../../src/mqtt/discovery.ts";
import { baseToState, commandToChange, CommandedColors, flashEffect, HaCommandSchema } from "../../src/mqtt/light.ts";
import { topicsFor } from "../../src/mqtt/topics.ts";

const presets = new Map([["Racing", "racing"]]);
const current = BaseSpecSchema.parse({ colors: ["#102030", "#ffffff"], level: 0.5 });
const change = (json: string, base = current) => commandToChange(HaCommandSchema.parse(JSON.parse(json)), base, "*", presets);

test("brightness 1–255 is the base level; transition seconds become milliseconds; colour replaces the first stop", () => {
  expect(change('{"state":"ON","brightness":51,"transition":1.5,"color":{"r":255,"g":0,"b":0}}')).toEqual({
    base: { segment: "*", transitionMs: 1500, on: true, level: 0.2, colors: [[1, 0, 0], [1, 1, 1]] },
    preset: undefined,
    unknownEffect: undefined,
  });
  expect(change('{"state":"OFF"}')).toMatchObject({ base: { segment: "*", transitionMs: 500, on: false } });
  expect(change('{"effect":"Racing"}')).toEqual({ base: { segment: "*", transitionMs: 500 }, preset: "racing", unknownEffect: undefined });
  expect(change('{"effect":"gradient"}')).toMatchObject({ base: { effect: "gradient" } });
  expect(commandToChange({ state: "OFF" }, current, "desk", presets).base.segment).toBe("desk");
});

test("transitions up to HA's 6553 s are taken (a 120 s wake-up fade), beyond are refused by name", () => {
  expect(change('{"state":"ON","transition":120}').base.transitionMs).toBe(120_000);
  expect(change('{"state":"ON","transition":6553}').base.transitionMs).toBe(6_553_000);
  const r = HaCommandSchema.safeParse({ state: "ON", transition: 6554 });
  expect(r.success).toBe(false);
  expect(r.error?.issues[0].path).toEqual(["transition"]);
});

test("an unknown effect is handed back apart; the rest of the command stands", () => {
  expect(change('{"state":"ON","effect":"chase","brightness":255}')).toEqual({
    base: { segment: "*", transitionMs: 500, on: true, level: 1 },
    preset: undefined,
    unknownEffect: "chase",
  });
});

test("ON on a light at level 0 turns it up to full; with a brightness it takes that", () => {
  const dark = BaseSpecSchema.parse({ level: 0 });
  expect(commandToChange({ state: "ON" }, dark, "*", presets)).toMatchObject({ base: { on: true, level: 1 } });
  expect(commandToChange({ state: "ON", brightness: 10 }, dark, "*", presets)).toMatchObject({ base: { level: 10 / 255 } });
});

test("ON on a light that shows black (Racing's base) shows white at full; an explicit colour or a preset is kept", () => {
  const racing = BaseSpecSchema.parse({ effect: "solid", colors: ["#000000"], level: 0 });
  expect(commandToChange({ state: "ON" }, racing, "*", presets).base).toMatchObject({ on: true, level: 1, colors: [[1, 1, 1]] });
  expect(commandToChange({ state: "ON", brightness: 128 }, racing, "*", presets).base).toMatchObject({ level: 128 / 255, colors: [[1, 1, 1]] });
  expect(commandToChange({ state: "ON", color: { r: 0, g: 0, b: 0 } }, racing, "*", presets).base.colors).toEqual([[0, 0, 0]]);
  expect(commandToChange({ state: "ON", effect: "Racing" }, racing, "*", presets).base).not.toHaveProperty("colors");
  // A gradient is dark only when every stop is; a rainbow never is.
  const halfDark = BaseSpecSchema.parse({ effect: "gradient", colors: ["#000000", "#ff0000"], level: 1 });
  expect(commandToChange({ state: "ON" }, halfDark, "*", presets).base).not.toHaveProperty("colors");
  expect(commandToChange({ state: "ON" }, { ...racing, effect: "rainbow", level: 1 }, "*", presets).base).not.toHaveProperty("colors");
});

test("flash: HA's seconds (or short/long) become a strobe of that length in the light's colour; brightness is its intensity", () => {
  const flash = (json: string, base = current) => flashEffect(HaCommandSchema.parse(JSON.parse(json)) as never, base, "desk");
  expect(flash('{"state":"ON","flash":2}')).toMatchObject({ effect: "strobe", segment: "desk", durationMs: 2000, hz: 1, colors: [[0x10 / 255, 0x20 / 255, 0x30 / 255]], intensity: 1 });
  expect(flash('{"state":"ON","flash":10}').durationMs).toBe(10_000);
  expect(flash('{"flash":"long"}').durationMs).toBe(10_000);
  expect(flash('{"flash":"short"}').durationMs).toBe(2000);
  expect(flash('{"state":"ON","flash":2,"brightness":51,"color":{"r":255,"g":0,"b":0}}')).toMatchObject({ colors: [[1, 0, 0]], intensity: 0.2 });
  // A black light flashes white.
  expect(flash('{"flash":2}', BaseSpecSchema.parse({ colors: ["#000000"] })).colors).toEqual([[1, 1, 1]]);
  expect(HaCommandSchema.safeParse({ flash: "medium" }).success).toBe(false);
  expect(HaCommandSchema.safeParse({ flash: 0 }).success).toBe(false);
});

test("state: brightness left out at level 0 (HA ignores 0); the effect is what the caller says is shown", () => {
  expect(baseToState(BaseSpecSchema.parse({ on: false, level: 0, colors: ["#ff0000"] }), "solid")).toEqual({
    state: "OFF", color_mode: "rgb", color: { r: 255, g: 0, b: 0 }, effect: "solid",
  });
  expect(baseToState(BaseSpecSchema.parse({ level: 1, colors: ["#ff8040"] }), "FPS Combat")).toMatchObject({ brightness: 255, effect: "FPS Combat" });
});

test("RGBW: the state reports the colour as commanded, per segment; a colour set elsewhere is R, G, B with W 0", () => {
  const colors = new CommandedColors();
  const roundTrip = (segment: string, color: { r: number; g: number; b: number; w: number }) => {
    const cmd = commandToChange({ color }, current, segment, presets);
    colors.remember(segment, color);
    return baseToState({ ...current, colors: cmd.base.colors! }, "solid", { colors, segment }).color;
  };
  expect(roundTrip("desk", { r: 255, g: 128, b: 0, w: 60 })).toEqual({ r: 255, g: 128, b: 0, w: 60 });
  // Two commands that mix to the same RGB on two segments: each reports its own.
  expect(roundTrip("desk", { r: 200, g: 200, b: 200, w: 0 })).toEqual({ r: 200, g: 200, b: 200, w: 0 });
  expect(roundTrip("shelf", { r: 0, g: 0, b: 0, w: 200 })).toEqual({ r: 0, g: 0, b: 0, w: 200 });
  expect(colors.rgbwOf("desk", [200 / 255, 200 / 255, 200 / 255])).toEqual({ r: 200, g: 200, b: 200, w: 0 });
  expect(colors.rgbwOf("desk", [1, 188 / 255, 60 / 255])).toEqual({ r: 255, g: 128, b: 0, w: 60 });
  expect(baseToState(BaseSpecSchema.parse({ colors: ["#ff8040"] }), "solid", { colors, segment: "desk" })).toMatchObject({ color_mode: "rgbw", color: { r: 255, g: 128, b: 64, w: 0 } });
});

test("the remembered RGBW colours are bounded: the oldest go first", () => {
  const colors = new CommandedColors();
  for (let i = 0; i < 257; i++) colors.remember("main", { r: i % 200, g: Math.floor(i / 200), b: 0, w: 1 });
  // The first (mix 1,1,1) is gone; the second (mix 2,1,1) is kept.
  expect(colors.rgbwOf("main", [1 / 255, 1 / 255, 1 / 255])).toEqual({ r: 1, g: 1, b: 1, w: 0 });
  expect(colors.rgbwOf("main", [2 / 255, 1 / 255, 1 / 255])).toEqual({ r: 1, g: 0, b: 0, w: 1 });
});

test("an RGBW strip is discovered with the rgbw colour mode", () => {
  const t = topicsFor(MqttSchema.parse({}), "abcd");
  const d = { deviceId: "abcd", name: "den", version: "x", configurationUrl: "http://h/", rgbw: true, effects: [], presetNames: [], eventTypes: [] };
  const light = discoveryConfigs(t, d)[0];
  expect(light.topic).toBe("homeassistant/light/ledbox_abcd/light/config");
  expect(light.payload.supported_color_modes).toEqual(["rgbw"]);
});

test("light topics: the whole strip's and each segment's command topic map back to the light", () => {
  const t = topicsFor(MqttSchema.parse({}), "abcd");
  expect(t.light("*")).toEqual({ set: "ledbox/abcd/light/set", state: "ledbox/abcd/light/state" });
  expect(t.light("desk")).toEqual({ set: "ledbox/abcd/light/desk/set", state: "ledbox/abcd/light/desk/state" });
  expect(t.lightOf("ledbox/abcd/light/set")).toBe("*");
  expect(t.lightOf("ledbox/abcd/light/desk/set")).toBe("desk");
  for (const other of ["ledbox/abcd/light/state", "ledbox/abcd/light//set", "ledbox/abcd/light/a/b/set", "ledbox/abcd/light/desk/state"]) expect(t.lightOf(other)).toBeNull();
});

test("settings: URLs with credentials and wildcard topics are refused; the configuration URL is http(s)", () => {
  expect(MqttSchema.safeParse({ url: "mqtt://user:pw@host" }).success).toBe(false);
  expect(MqttSchema.safeParse({ url: "http://host" }).success).toBe(false);
  for (const url of ["mqtt://host", "mqtts://host:8883", "ws://10.0.0.2:9001/mqtt", "wss://broker.lan/mqtt"]) expect(MqttSchema.safeParse({ url }).success).toBe(true);
  for (const baseTopic of ["a/+/b", "a/#", "/a", "a/", "a//b"]) expect(MqttSchema.safeParse({ baseTopic }).success).toBe(false);
  expect(topicsFor(MqttSchema.parse({ baseTopic: "den/strip" }), "abcd").event).toBe("den/strip/event");
  expect(MqttSchema.parse({ configurationUrl: "https://ha.example.net/ledbox/" }).configurationUrl).toBe("https://ha.example.net/ledbox/");
  for (const configurationUrl of ["ftp://h/", "javascript:alert(1)", "den.local"]) expect(MqttSchema.safeParse({ configurationUrl }).success).toBe(false);
});
