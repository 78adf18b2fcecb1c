// ledbox as a Home Assistant MQTT device, against real brokers: every discovery JSON field by
// field and against HA's own schemas, the exact command payloads HA sends, and the state
// published after every change.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hostname } from "node:os";
import { PRESETS } from "../../src/director/presets.ts";
import { EVENT_TYPES, isValueType } from "../../src/events/schema.ts";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { connectPeer, forEachBroker, retained, type Broker, type Peer } from "../helpers/brokers.ts";
import { HA_DISCOVERY } from "./ha-schemas.ts";

const ID = "testdev01";
const BASE = `ledbox/${ID}`;
const NODE = `ledbox_${ID}`;
// Every preset is offered, in the order of the presets list.
const PRESET_NAMES = PRESETS.map((p) => p.name);
const EFFECTS = ["solid", "gradient", "rainbow", "breathing", ...PRESET_NAMES];
const TRIGGERS = EVENT_TYPES.filter((t) => !isValueType(t));

forEachBroker((kind) => {
  let broker: Broker;
  let tb: TestBox;
  let ha: Peer;

  beforeAll(async () => {
    broker = await kind.start();
    ha = await connectPeer(broker.url);
    tb = await startBox({ settings: { mqtt: { enabled: true, url: broker.url, deviceId: ID } } });
    await until(() => tb.box.mqtt.link.connected, "ledbox connected to the broker");
  });

  afterAll(async () => {
    await tb?.stop();
    await ha?.close();
    await broker?.stop();
  });

  const device = (name = hostname(), url = `${tb.url}/`) => ({
    identifiers: [NODE],
    name,
    model: "ledbox LED strip controller",
    manufacturer: "ledbox",
    sw_version: "0.1.0",
    configuration_url: url,
  });
  const origin = { name: "ledbox", sw_version: "0.1.0" };
  const common = (object: string) => ({ unique_id: `${NODE}_${object}`, availability_topic: `${BASE}/status`, device: device(), origin });
  /** A discovery config as published live and as retained, checked against HA's schema for its platform. */
  const config = async (component: keyof typeof HA_DISCOVERY, object: string, from = 0) => {
    const topic = `homeassistant/${component}/${NODE}/${object}/config`;
    const live = JSON.parse((await ha.waitFor(topic, () => true, { from })).text);
    expect(JSON.parse(await retained(broker.url, topic))).toEqual(live);
    const checked = HA_DISCOVERY[component].safeParse(live);
    expect(checked.error?.issues ?? []).toEqual([]);
    return live;
  };
  /** Sends a light command and returns the next state ledbox publishes. */
  const command = async (payload: string) => {
    const from = ha.mark();
    await ha.publish(`${BASE}/light/set`, payload);
    return JSON.parse((await ha.waitFor(`${BASE}/light/state`, () => true, { from })).text);
  };
  const errorAfter = async (from: number) => JSON.parse((await ha.waitFor(`${BASE}/error`, () => true, { from })).text);
  const base = () => tb.box.engine.scene.segments[0].base;
  const effects = () => tb.box.engine.scene.describe(tb.box.engine.now())[0].effects;

  test("availability is online (retained) and the light's discovery has every field HA needs, flash and transition declared", async () => {
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online");
    expect(await retained(broker.url, `${BASE}/status`)).toBe("online");
    expect(await config("light", "light")).toEqual({
      ...common("light"),
      name: null,
      schema: "json",
      command_topic: `${BASE}/light/set`,
      state_topic: `${BASE}/light/state`,
      brightness: true,
      brightness_scale: 255,
      supported_color_modes: ["rgb"],
      effect: true,
      effect_list: EFFECTS,
      flash: true,
      flash_time_short: 2,
      flash_time_long: 10,
      transition: true,
    });
  });

  test("sensor, event, button and select discovery, field by field; diagnostics are categorised as such", async () => {
    const sensor = (object: string, name: string, key: string) => ({
      ...common(object), name, state_topic: `${BASE}/sensors`, value_template: `{{ value_json.${key} }}`,
    });
    expect(await config("sensor", "fps")).toEqual({
      ...sensor("fps", "Frame rate", "fps"), unit_of_measurement: "fps", state_class: "measurement", entity_category: "diagnostic", icon: "mdi:speedometer",
    });
    expect(await config("sensor", "power_current")).toEqual({
      ...sensor("power_current", "Power estimate current", "power_ma"), unit_of_measurement: "mA", device_class: "current", state_class: "measurement", entity_category: "diagnostic",
    });
    expect(await config("sensor", "power")).toEqual({
      ...sensor("power", "Power estimate", "power_w"), unit_of_measurement: "W", device_class: "power", state_class: "measurement", entity_category: "diagnostic",
    });
    expect(await config("sensor", "last_event")).toEqual({ ...sensor("last_event", "Last event", "last_event"), icon: "mdi:gamepad-variant" });
    expect(await config("sensor", "integrations")).toEqual({
      ...sensor("integrations", "Connected integrations", "integrations"), state_class: "measurement", icon: "mdi:controller", entity_category: "diagnostic",
    });
    expect(await config("event", "game_event")).toEqual({
      ...common("game_event"), name: "Game event", state_topic: `${BASE}/game_event`, event_types: TRIGGERS, icon: "mdi:gamepad-variant",
    });
    expect(TRIGGERS).toContain("round_end");
    expect(TRIGGERS).not.toContain("health");
    expect(await config("button", "test_flash")).toEqual({
      ...common("test_flash"), name: "Test flash", command_topic: `${BASE}/test_flash/press`, payload_press: "PRESS", icon: "mdi:flash", entity_category: "diagnostic",
    });
    expect(await config("select", "preset")).toEqual({
      ...common("preset"), name: "Preset", command_topic: `${BASE}/preset/set`, state_topic: `${BASE}/preset/state`, options: PRESET_NAMES, icon: "mdi:palette",
    });
    // The sensors' document has every key the templates read.
    const sensors = JSON.parse((await ha.waitFor(`${BASE}/sensors`)).text);
    expect(Object.keys(sensors).sort()).toEqual(["fps", "integrations", "last_event", "power_ma", "power_w"]);
    expect(sensors.integrations).toBe(0);
  });

  test("HA's schemas catch what HA would silently drop: an unknown key, a sensor as a config entity, a unit its class does not take", () => {
    const light = { command_topic: "a/set", schema: "json" };
    expect(HA_DISCOVERY.light.safeParse(light).success).toBe(true);
    expect(HA_DISCOVERY.light.safeParse({ ...light, flash_time_shrt: 2 }).success).toBe(false);
    expect(HA_DISCOVERY.sensor.safeParse({ state_topic: "a", entity_category: "config" }).success).toBe(false);
    expect(HA_DISCOVERY.sensor.safeParse({ state_topic: "a", device_class: "current", unit_of_measurement: "W" }).success).toBe(false);
    expect(HA_DISCOVERY.event.safeParse({ state_topic: "a", event_types: [] }).success).toBe(false);
  });

  test("the frame rate is reported once measured over more than a second of frames", async () => {
    await until(() => tb.box.engine.stats().frames > tb.box.engine.stats().targetFps, "a second of frames", 5000);
    const from = ha.mark();
    // An event brings the sensors within a second.
    await ha.publish(`${BASE}/event`, JSON.stringify({ type: "assist" }));
    // The periodic document may go out between the mark and the event: wait for the one the event brings.
    const sensors = JSON.parse((await ha.waitFor(`${BASE}/sensors`, (m) => JSON.parse(m.text).last_event === "assist", { from })).text);
    expect(sensors.fps).toBeGreaterThan(0);
    expect(sensors.last_event).toBe("assist");
  });

  test("the initial state is the FPS Combat base, reported with the preset as its effect; the select shows the preset", async () => {
    const s = JSON.parse(await retained(broker.url, `${BASE}/light/state`));
    // #1a3a80 at level 0.4 (102 of 255).
    expect(s).toEqual({ state: "ON", brightness: 102, color_mode: "rgb", color: { r: 26, g: 58, b: 128 }, effect: "FPS Combat" });
    expect((await ha.waitFor(`${BASE}/preset/state`)).text).toBe("FPS Combat");
  });

  test("HA commands as HA sends them drive the base layer, each answered with the full state", async () => {
    expect(await command('{"state":"OFF"}')).toMatchObject({ state: "OFF" });
    expect(base().on).toBe(false);
    expect(await command('{"state":"ON"}')).toMatchObject({ state: "ON", brightness: 102 });
    expect(await command('{"state":"ON","brightness":255}')).toMatchObject({ state: "ON", brightness: 255 });
    expect(base().level).toBe(1);
    expect(await command('{"state":"ON","brightness":1}')).toMatchObject({ brightness: 1 });
    // A colour keeps the preset's effect.
    expect(await command('{"state":"ON","color":{"r":255,"g":0,"b":128}}')).toEqual({
      state: "ON", brightness: 1, color_mode: "rgb", color: { r: 255, g: 0, b: 128 }, effect: "FPS Combat",
    });
    expect(await command('{"state":"ON","effect":"rainbow"}')).toMatchObject({ effect: "rainbow" });
    expect(base().effect).toBe("rainbow");
    // Off with a transition: HA sends seconds as a float.
    expect(await command('{"state":"OFF","transition":2.5}')).toMatchObject({ state: "OFF" });
    // Combined, in HA's key order.
    expect(await command('{"state":"ON","color":{"r":0,"g":255,"b":0},"transition":0.5,"brightness":128,"effect":"breathing"}')).toEqual({
      state: "ON", brightness: 128, color_mode: "rgb", color: { r: 0, g: 255, b: 0 }, effect: "breathing",
    });
    expect(base()).toMatchObject({ on: true, effect: "breathing", level: 128 / 255, colors: [[0, 1, 0]] });
  });

  test("a transition fades the base: the strip is between the two colours half-way through", async () => {
    await command('{"state":"ON","color":{"r":255,"g":0,"b":0},"brightness":255,"effect":"solid","transition":0}');
    const t0 = tb.box.engine.now();
    await command('{"state":"ON","color":{"r":0,"g":0,"b":255},"transition":2}');
    const seg = tb.box.engine.scene.segments[0];
    const buf = new Float32Array(seg.seg.length * 3);
    seg.render(t0 + 1000, buf);
    expect(buf[0]).toBeGreaterThan(0.1);
    expect(buf[2]).toBeGreaterThan(0.1);
    seg.render(tb.box.engine.now() + 2500, buf);
    expect([buf[0], buf[2]]).toEqual([0, 1]);
  });

  test("a 120 s wake-up fade (HA allows up to 6553 s) is taken whole: half-way at 60 s, full at 120 s", async () => {
    await command('{"state":"ON","color":{"r":255,"g":255,"b":255},"brightness":1,"effect":"solid","transition":0}');
    const t0 = tb.box.engine.now();
    expect(await command('{"state":"ON","brightness":255,"transition":120}')).toMatchObject({ state: "ON", brightness: 255 });
    const seg = tb.box.engine.scene.segments[0];
    const buf = new Float32Array(seg.seg.length * 3);
    seg.render(t0 + 60_000, buf);
    expect(buf[0]).toBeGreaterThan(0.4);
    expect(buf[0]).toBeLessThan(0.6);
    seg.render(t0 + 121_000, buf);
    expect(buf[0]).toBe(1);
    // Beyond HA's range: refused by name, nothing changes.
    const from = ha.mark();
    await ha.publish(`${BASE}/light/set`, '{"state":"OFF","transition":7000}');
    expect((await errorAfter(from)).error).toContain("transition");
    expect(base().on).toBe(true);
  });

  test("an unknown effect is reported on <base>/error and the rest of the command is applied", async () => {
    await command('{"state":"OFF","transition":0}');
    const from = ha.mark();
    expect(await command('{"state":"ON","effect":"chase"}')).toMatchObject({ state: "ON", effect: "solid" });
    expect(base().on).toBe(true);
    const err = await errorAfter(from);
    expect(err).toEqual({ topic: `${BASE}/light/set`, error: expect.stringContaining('effect: unknown effect "chase"') });
    expect(err.error).toContain("the rest of the command was applied");
    expect(await command('{"state":"ON","brightness":77,"effect":"chase"}')).toMatchObject({ brightness: 77 });
  });

  test("a preset chosen as the effect is applied and reported as the effect while shown; the select follows", async () => {
    const from = ha.mark();
    expect(await command('{"state":"ON","effect":"Racing"}')).toMatchObject({ state: "ON", effect: "Racing" });
    expect(tb.box.scene.activePreset()?.id).toBe("racing");
    expect((await ha.waitFor(`${BASE}/preset/state`, (m) => m.text === "Racing", { from })).text).toBe("Racing");
    // Choosing an ambient effect, even the preset's own, reports that effect.
    expect(await command('{"state":"ON","effect":"solid"}')).toMatchObject({ effect: "solid" });
    expect(await command('{"state":"ON","effect":"Racing"}')).toMatchObject({ effect: "Racing" });
  });

  test("after a preset whose base is black, HA's turn-on shows light: full white", async () => {
    // Racing's base (applied by the previous test) is black at level 0.
    await until(() => base().level === 0, "Racing's dark base");
    const s = await command('{"state":"ON"}');
    expect(s).toMatchObject({ state: "ON", brightness: 255, color: { r: 255, g: 255, b: 255 } });
    const seg = tb.box.engine.scene.segments[0];
    const buf = new Float32Array(seg.seg.length * 3);
    seg.render(tb.box.engine.now() + 1000, buf);
    expect([buf[0], buf[1], buf[2]]).toEqual([1, 1, 1]);
  });

  test("the select applies a preset by name, and the light's state follows its base and names it", async () => {
    const from = ha.mark();
    await ha.publish(`${BASE}/preset/set`, "Generic Alert");
    expect((await ha.waitFor(`${BASE}/preset/state`, (m) => m.text === "Generic Alert", { from })).text).toBe("Generic Alert");
    const s = JSON.parse((await ha.waitFor(`${BASE}/light/state`, (m) => JSON.parse(m.text).effect === "Generic Alert", { from })).text);
    expect(s).toMatchObject({ state: "ON", brightness: 64, color: { r: 48, g: 32, b: 160 } });
    expect((await call(tb.url, "GET", "/api/v1/mappings")).body.every((m: { preset: string | null }) => m.preset === "generic-alert")).toBe(true);
  });

  test("changes from the API and the web page are published too", async () => {
    const cookie = await tb.admin();
    let from = ha.mark();
    expect((await call(tb.url, "PUT", "/api/v1/scene/base", { colors: ["#ff8000"], level: 0.5, effect: "solid" }, { cookie })).status).toBe(200);
    // Waiting for the expected content: a state from the previous test's change may still be in flight.
    const s = JSON.parse((await ha.waitFor(`${BASE}/light/state`, (m) => JSON.parse(m.text).color?.g === 128, { from })).text);
    expect(s).toMatchObject({ state: "ON", brightness: 128, color: { r: 255, g: 128, b: 0 }, effect: "solid" });
    from = ha.mark();
    expect((await call(tb.url, "POST", "/api/v1/presets/moba-health/apply", undefined, { cookie })).status).toBe(200);
    expect((await ha.waitFor(`${BASE}/preset/state`, (m) => m.text === "MOBA Health", { from })).text).toBe("MOBA Health");
    await ha.waitFor(`${BASE}/light/state`, (m) => JSON.parse(m.text).effect === "MOBA Health", { from });
  });

  test("the test-flash button plays a white flash", async () => {
    // Over a dark strip, so what shows is the flash's own colour.
    await command('{"state":"OFF","transition":0}');
    tb.box.engine.clear("*");
    await ha.publish(`${BASE}/test_flash/press`, "PRESS");
    const flash = await until(() => effects().find((e) => e.effect === "flash"), "a flash on the strip", 2000, 2);
    // The scene as rendered (before brightness and gamma) 1 ms after the flash began, at full
    // strength: every LED full white.
    const { engine } = tb.box;
    const now = engine.now();
    const startedAt = now + flash.remainingMs - 300; // the test flash lasts 300 ms
    const strip = new Float32Array(engine.settings.strip.ledCount * 3);
    engine.scene.render(startedAt + 1, strip);
    expect(new Set(strip)).toEqual(new Set([1]));
    // Later in its fade it is still white, only dimmer: R = G = B on every LED.
    engine.scene.render(now + flash.remainingMs - 20, strip);
    const dim = strip[0];
    expect(dim).toBeGreaterThan(0);
    expect(dim).toBeLessThan(1);
    expect(new Set(strip)).toEqual(new Set([dim]));
    tb.box.engine.clear("*");
  });

  test("flash as HA sends it (flash_time_short / _long seconds) blinks the light and leaves its state as it was", async () => {
    await command('{"state":"OFF","transition":0}');
    tb.box.engine.clear("*");
    expect(await command('{"state":"ON","flash":2}')).toMatchObject({ state: "OFF" });
    expect(base().on).toBe(false);
    const short = effects().find((e) => e.effect === "strobe");
    expect(short).toMatchObject({ priority: 90 });
    expect(short!.remainingMs).toBeLessThanOrEqual(2000);
    tb.box.engine.clear("*");
    // HA's turn_off carries a flash the same way.
    expect(await command('{"state":"OFF","flash":10}')).toMatchObject({ state: "OFF" });
    expect(effects().find((e) => e.effect === "strobe")!.remainingMs).toBeGreaterThan(2000);
    tb.box.engine.clear("*");
  });

  test("HA's birth message (homeassistant/status online) brings discovery and state again; offline changes nothing", async () => {
    const from = ha.mark();
    await ha.publish("homeassistant/status", "online");
    await ha.waitFor(`homeassistant/light/${NODE}/light/config`, () => true, { from });
    await ha.waitFor(`homeassistant/event/${NODE}/game_event/config`, () => true, { from });
    await ha.waitFor(`homeassistant/select/${NODE}/preset/config`, () => true, { from });
    await ha.waitFor(`${BASE}/light/state`, () => true, { from });
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online", { from });
    // "offline" (HA's will): ledbox handles messages in order, so once the reply to a later
    // command is in, anything "offline" caused would have been published before it.
    const n = ha.mark();
    await ha.publish("homeassistant/status", "offline");
    await command("{}");
    expect(ha.messages.slice(n).filter((m) => m.topic.endsWith("/config"))).toEqual([]);
  });

  test("the device's name and page are settable: two boxes need not both be named after their host", async () => {
    const cookie = await tb.admin();
    const refused = await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { configurationUrl: "ftp://den/" } }, { cookie });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("mqtt.configurationUrl");
    expect(tb.box.settings.get().mqtt.configurationUrl).toBe("");
    const from = ha.mark();
    const put = await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { deviceName: "Den strip", configurationUrl: "https://ha.example.net/ledbox/" } }, { cookie });
    expect(put.status).toBe(200);
    const light = JSON.parse((await ha.waitFor(`homeassistant/light/${NODE}/light/config`, (m) => m.text.includes("Den strip"), { from })).text);
    expect(light.device).toEqual(device("Den strip", "https://ha.example.net/ledbox/"));
    expect(HA_DISCOVERY.light.safeParse(light).success).toBe(true);
    // The sensors' configs go out after the light's: the broker's copy is only sure to be the new one once it has passed it on.
    await ha.waitFor(`homeassistant/sensor/${NODE}/fps/config`, (m) => m.text.includes("Den strip"), { from });
    const sensor = JSON.parse(await retained(broker.url, `homeassistant/sensor/${NODE}/fps/config`));
    expect(sensor.device.name).toBe("Den strip");
    await until(() => tb.box.mqtt.link.connected, "reconnected after the settings change");
  });

  test("the status API reports the connection; reads never show the password", async () => {
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st).toMatchObject({ enabled: true, state: "connected", deviceId: ID, baseTopic: BASE, discoveryPrefix: "homeassistant", lastError: null, passwordSet: false, gameEventsDropped: 0 });
    const cookie = await tb.admin();
    const put = await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { password: "hunter2secret" } }, { cookie });
    expect(put.status).toBe(200);
    expect(put.text).not.toContain("hunter2secret");
    const got = await call(tb.url, "GET", "/api/v1/settings");
    expect(got.text).not.toContain("hunter2secret");
    expect(got.body.mqtt).not.toHaveProperty("password");
    // Putting back what was read keeps the stored password.
    const { dataDir, ...doc } = got.body;
    expect((await call(tb.url, "PUT", "/api/v1/settings", doc, { cookie })).status).toBe(200);
    expect(tb.box.settings.get().mqtt.password).toBe("hunter2secret");
    expect((await call(tb.url, "GET", "/api/v1/mqtt/status")).body.passwordSet).toBe(true);
    await until(() => tb.box.mqtt.link.connected, "reconnected after the settings change");
  });
});
