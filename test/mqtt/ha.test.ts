// ledbox as a Home Assistant MQTT device, against real brokers: every discovery JSON field by
// field, the exact command payloads HA sends, and the state published after every change.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { PRESETS } from "../../src/director/presets.ts";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { connectPeer, forEachBroker, retained, type Broker, type Peer } from "../helpers/brokers.ts";

const ID = "testdev01";
const BASE = `ledbox/${ID}`;
const NODE = `ledbox_${ID}`;
// Every preset is offered, in the order of the presets list.
const PRESET_NAMES = PRESETS.map((p) => p.name);
const EFFECTS = ["solid", "gradient", "rainbow", "breathing", ...PRESET_NAMES];

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

  const device = () => ({
    identifiers: [NODE],
    name: "ledbox",
    model: "ledbox LED strip controller",
    manufacturer: "ledbox",
    sw_version: "0.1.0",
    configuration_url: `${tb.url}/`,
  });
  const origin = { name: "ledbox", sw_version: "0.1.0" };
  const config = async (component: string, object: string) => {
    const topic = `homeassistant/${component}/${NODE}/${object}/config`;
    const live = JSON.parse((await ha.waitFor(topic)).text);
    expect(JSON.parse(await retained(broker.url, topic))).toEqual(live);
    return live;
  };
  /** Sends a light command and returns the next state ledbox publishes. */
  const command = async (payload: string) => {
    const from = ha.mark();
    await ha.publish(`${BASE}/light/set`, payload);
    return JSON.parse((await ha.waitFor(`${BASE}/light/state`, () => true, { from })).text);
  };
  const base = () => tb.box.engine.scene.segments[0].base;

  test("availability is online (retained) and the light's discovery has every field HA needs", async () => {
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online");
    expect(await retained(broker.url, `${BASE}/status`)).toBe("online");
    expect(await config("light", "light")).toEqual({
      unique_id: `${NODE}_light`,
      availability_topic: `${BASE}/status`,
      device: device(),
      origin,
      name: null,
      schema: "json",
      command_topic: `${BASE}/light/set`,
      state_topic: `${BASE}/light/state`,
      brightness: true,
      brightness_scale: 255,
      supported_color_modes: ["rgb"],
      effect: true,
      effect_list: EFFECTS,
    });
  });

  test("sensor, button and select discovery, field by field", async () => {
    const common = (object: string) => ({ unique_id: `${NODE}_${object}`, availability_topic: `${BASE}/status`, device: device(), origin });
    const sensor = (object: string, name: string, key: string) => ({
      ...common(object), name, state_topic: `${BASE}/sensors`, value_template: `{{ value_json.${key} }}`,
    });
    expect(await config("sensor", "fps")).toEqual({
      ...sensor("fps", "Frame rate", "fps"), unit_of_measurement: "fps", state_class: "measurement", entity_category: "diagnostic", icon: "mdi:speedometer",
    });
    expect(await config("sensor", "power_current")).toEqual({
      ...sensor("power_current", "Power estimate current", "power_ma"), unit_of_measurement: "mA", device_class: "current", state_class: "measurement",
    });
    expect(await config("sensor", "power")).toEqual({
      ...sensor("power", "Power estimate", "power_w"), unit_of_measurement: "W", device_class: "power", state_class: "measurement",
    });
    expect(await config("sensor", "last_event")).toEqual({ ...sensor("last_event", "Last event", "last_event"), icon: "mdi:gamepad-variant" });
    expect(await config("sensor", "integrations")).toEqual({
      ...sensor("integrations", "Connected integrations", "integrations"), state_class: "measurement", icon: "mdi:controller",
    });
    expect(await config("button", "test_flash")).toEqual({
      ...common("test_flash"), name: "Test flash", command_topic: `${BASE}/test_flash/press`, payload_press: "PRESS", icon: "mdi:flash",
    });
    expect(await config("select", "preset")).toEqual({
      ...common("preset"), name: "Preset", command_topic: `${BASE}/preset/set`, state_topic: `${BASE}/preset/state`, options: PRESET_NAMES, icon: "mdi:palette",
    });
    // The sensors' document has every key the templates read.
    const sensors = JSON.parse((await ha.waitFor(`${BASE}/sensors`)).text);
    expect(Object.keys(sensors).sort()).toEqual(["fps", "integrations", "last_event", "power_ma", "power_w"]);
    expect(sensors.integrations).toBe(0);
    expect(typeof sensors.fps).toBe("number");
  });

  test("the initial state is the FPS Combat base and the select shows the preset", async () => {
    const s = JSON.parse(await retained(broker.url, `${BASE}/light/state`));
    // #1a3a80 at level 0.4 (102 of 255).
    expect(s).toEqual({ state: "ON", brightness: 102, color_mode: "rgb", color: { r: 26, g: 58, b: 128 }, effect: "solid" });
    expect((await ha.waitFor(`${BASE}/preset/state`)).text).toBe("FPS Combat");
  });

  test("HA commands as HA sends them drive the base layer, each answered with the full state", async () => {
    expect(await command('{"state":"OFF"}')).toMatchObject({ state: "OFF" });
    expect(base().on).toBe(false);
    expect(await command('{"state":"ON"}')).toMatchObject({ state: "ON", brightness: 102 });
    expect(await command('{"state":"ON","brightness":255}')).toMatchObject({ state: "ON", brightness: 255 });
    expect(base().level).toBe(1);
    expect(await command('{"state":"ON","brightness":1}')).toMatchObject({ brightness: 1 });
    expect(await command('{"state":"ON","color":{"r":255,"g":0,"b":128}}')).toEqual({
      state: "ON", brightness: 1, color_mode: "rgb", color: { r: 255, g: 0, b: 128 }, effect: "solid",
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

  test("an effect that names a preset applies it; the select follows", async () => {
    const from = ha.mark();
    const s = await command('{"state":"ON","effect":"Racing"}');
    expect(s).toMatchObject({ state: "ON", effect: "solid" });
    expect(tb.box.scene.activePreset()?.id).toBe("racing");
    expect((await ha.waitFor(`${BASE}/preset/state`, (m) => m.text === "Racing", { from })).text).toBe("Racing");
  });

  test("the select applies a preset by name, and the light's state follows its base", async () => {
    const from = ha.mark();
    await ha.publish(`${BASE}/preset/set`, "Generic Alert");
    expect((await ha.waitFor(`${BASE}/preset/state`, (m) => m.text === "Generic Alert", { from })).text).toBe("Generic Alert");
    const s = JSON.parse((await ha.waitFor(`${BASE}/light/state`, (m) => JSON.parse(m.text).effect === "breathing", { from })).text);
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
  });

  test("the test-flash button plays a white flash", async () => {
    await ha.publish(`${BASE}/test_flash/press`, "PRESS");
    await until(() => tb.box.engine.scene.describe(tb.box.engine.now())[0].effects.some((e) => e.effect === "flash"), "a flash on the strip", 2000, 2);
  });

  test("HA's birth message (homeassistant/status online) brings discovery and state again", async () => {
    const from = ha.mark();
    await ha.publish("homeassistant/status", "online");
    await ha.waitFor(`homeassistant/light/${NODE}/light/config`, () => true, { from });
    await ha.waitFor(`homeassistant/select/${NODE}/preset/config`, () => true, { from });
    await ha.waitFor(`${BASE}/light/state`, () => true, { from });
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online", { from });
    // "offline" (HA's will) changes nothing: a light command sent after it is answered with a
    // state (told apart by its brightness), and nothing of a republish came before that answer.
    const n = ha.mark();
    await ha.publish("homeassistant/status", "offline");
    await ha.publish(`${BASE}/light/set`, JSON.stringify({ state: "ON", brightness: 78 }));
    const answer = ha.messages.indexOf(await ha.waitFor(`${BASE}/light/state`, (m) => JSON.parse(m.text).brightness === 78, { from: n }));
    expect(ha.messages.slice(n, answer).filter((m) => m.topic.endsWith("/config") || m.topic === `${BASE}/status`)).toEqual([]);
  });

  test("the status API reports the connection; reads never show the password", async () => {
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st).toMatchObject({ enabled: true, state: "connected", deviceId: ID, baseTopic: BASE, discoveryPrefix: "homeassistant", lastError: null, passwordSet: false });
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
