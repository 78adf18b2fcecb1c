// One light per segment beside the whole-strip light, on an RGBW strip, against real brokers:
// lights created, commanded, renamed and removed with the segments; RGBW colours reported as
// HA commanded them; HA's flash through the photosensitivity guard.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { EffectSpecSchema } from "../../src/light/specs.ts";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { connectPeer, forEachBroker, retained, type Broker, type Peer } from "../helpers/brokers.ts";
import { HA_DISCOVERY } from "./ha-schemas.ts";

const ID = "testdev05";
const BASE = `ledbox/${ID}`;
const NODE = `ledbox_${ID}`;
const STRIP = { ledCount: 150, ledType: "rgbw", colorOrder: "GRBW" };
const segment = (name: string, start: number) => ({ name, start, length: 75 });

forEachBroker((kind) => {
  let broker: Broker;
  let tb: TestBox;
  let ha: Peer;
  let admin: Record<string, string>;

  beforeAll(async () => {
    broker = await kind.start();
    ha = await connectPeer(broker.url);
    tb = await startBox({
      settings: { strip: STRIP, segments: [segment("desk", 0), segment("shelf", 75)], mqtt: { enabled: true, url: broker.url, deviceId: ID } },
    });
    admin = { cookie: await tb.admin() };
    await until(() => tb.box.mqtt.link.connected, "ledbox connected to the broker");
  });

  afterAll(async () => {
    await tb?.stop();
    await ha?.close();
    await broker?.stop();
  });

  const configTopic = (object: string) => `homeassistant/light/${NODE}/${object}/config`;
  /** Sends a command to a light's topic and returns the next state on that light's state topic. */
  const command = async (light: string, payload: string) => {
    const from = ha.mark();
    await ha.publish(`${BASE}/light/${light ? `${light}/` : ""}set`, payload);
    return JSON.parse((await ha.waitFor(`${BASE}/light/${light ? `${light}/` : ""}state`, () => true, { from })).text);
  };
  const bases = () => tb.box.scene.bases();
  const setSegments = async (segments: unknown[]) => expect((await call(tb.url, "PUT", "/api/v1/settings", { segments }, admin)).status).toBe(200);

  test("a flash HA asks for passes the photosensitivity guard like any effect: at the limit it is refused and said so", async () => {
    // A 3 Hz strobe books the guard's 3 flashes in every second for the next 10 s.
    expect(tb.box.engine.trigger(EffectSpecSchema.parse({ effect: "strobe", hz: 3, durationMs: 10_000 })).ok).toBe(true);
    const blocked = tb.box.engine.stats().guardBlockedFlashes;
    const from = ha.mark();
    expect(await command("desk", '{"state":"ON","flash":2}')).toMatchObject({ state: "ON" });
    const err = JSON.parse((await ha.waitFor(`${BASE}/error`, () => true, { from })).text);
    expect(err).toEqual({ topic: `${BASE}/light/desk/set`, error: "flash: photosensitivity guard: flash rate limit reached" });
    expect(tb.box.engine.stats().guardBlockedFlashes).toBe(blocked + 1);
    tb.box.engine.clear("*");
  });

  test("each segment is a light of its own beside the whole strip's, discovered field by field", async () => {
    const whole = JSON.parse((await ha.waitFor(configTopic("light"))).text);
    expect(whole).toMatchObject({ name: null, command_topic: `${BASE}/light/set`, supported_color_modes: ["rgbw"] });
    for (const name of ["desk", "shelf"]) {
      const live = JSON.parse((await ha.waitFor(configTopic(`light_${name}`))).text);
      expect(JSON.parse(await retained(broker.url, configTopic(`light_${name}`)))).toEqual(live);
      // The same light as the whole strip's, with its own name, id and topics.
      expect(live).toEqual({
        ...whole,
        unique_id: `${NODE}_light_${name}`,
        name,
        command_topic: `${BASE}/light/${name}/set`,
        state_topic: `${BASE}/light/${name}/state`,
      });
      expect(HA_DISCOVERY.light.safeParse(live).error?.issues ?? []).toEqual([]);
      expect(JSON.parse(await retained(broker.url, `${BASE}/light/${name}/state`))).toMatchObject({ state: "ON", color_mode: "rgbw" });
    }
  });

  test("a segment's light drives that segment alone; the whole strip's follows the first segment that is on", async () => {
    // The segments were made after the first start's preset: they have the default base. The select puts its base on both.
    expect(JSON.parse(await retained(broker.url, `${BASE}/light/desk/state`)).effect).toBe("solid");
    const from = ha.mark();
    await ha.publish(`${BASE}/preset/set`, "FPS Combat");
    await ha.waitFor(`${BASE}/light/shelf/state`, (m) => JSON.parse(m.text).effect === "FPS Combat", { from });
    const shelfBefore = bases().get("shelf");
    expect(await command("desk", '{"state":"OFF","transition":0}')).toMatchObject({ state: "OFF" });
    expect(bases().get("desk")!.on).toBe(false);
    expect(bases().get("shelf")).toEqual(shelfBefore!);
    // The desk is off, so the whole strip reports the shelf.
    const whole = JSON.parse(await retained(broker.url, `${BASE}/light/state`));
    expect(whole).toMatchObject({ state: "ON", color: { r: 26, g: 58, b: 128, w: 0 } });
    expect(await command("shelf", '{"state":"ON","effect":"rainbow"}')).toMatchObject({ effect: "rainbow" });
    expect(bases().get("desk")!.effect).toBe("solid");
    // The desk still shows the preset's ambient; the shelf does not.
    expect(JSON.parse(await retained(broker.url, `${BASE}/light/desk/state`)).effect).toBe("FPS Combat");
    // The whole strip's light addresses every segment.
    expect(await command("", '{"state":"ON","effect":"solid","transition":0}')).toMatchObject({ state: "ON", effect: "solid" });
    expect([...bases().values()].map((b) => [b.on, b.effect])).toEqual([[true, "solid"], [true, "solid"]]);
  });

  test("RGBW: the state reports the colour exactly as HA commanded it", async () => {
    let from = 0;
    for (const [light, color] of [
      ["desk", { r: 255, g: 128, b: 0, w: 60 }],
      ["shelf", { r: 200, g: 200, b: 200, w: 0 }],
      ["desk", { r: 0, g: 0, b: 0, w: 200 }],
      ["", { r: 10, g: 20, b: 30, w: 40 }],
    ] as const) {
      from = ha.mark();
      const s = await command(light, JSON.stringify({ state: "ON", color }));
      expect(s).toMatchObject({ color_mode: "rgbw", color });
    }
    // Both segments took the whole strip's colour, and each reports it as commanded. Their states
    // go out after the whole strip's (the reply waited for above): the broker holds them once it has passed them on.
    for (const name of ["desk", "shelf"]) {
      await ha.waitFor(`${BASE}/light/${name}/state`, () => true, { from });
      expect(JSON.parse(await retained(broker.url, `${BASE}/light/${name}/state`)).color).toEqual({ r: 10, g: 20, b: 30, w: 40 });
    }
    // The mix goes to the pipeline, which takes the white out for the LEDs.
    expect(bases().get("desk")!.colors[0]).toEqual([50 / 255, 60 / 255, 70 / 255]);
  });

  test("a command to a segment that does not exist is refused by name and changes nothing", async () => {
    const before = JSON.stringify([...bases()]);
    const from = ha.mark();
    await ha.publish(`${BASE}/light/attic/set`, '{"state":"OFF"}');
    const err = JSON.parse((await ha.waitFor(`${BASE}/error`, () => true, { from })).text);
    expect(err).toEqual({ topic: `${BASE}/light/attic/set`, error: 'no segment named "attic" (have: desk, shelf)' });
    expect(JSON.stringify([...bases()])).toBe(before);
  });

  test("lights follow the segments: a renamed segment's light is replaced, a deleted one's removed (empty retained config and state)", async () => {
    let from = ha.mark();
    await setSegments([segment("desk", 0), segment("bookcase", 75)]);
    const added = JSON.parse((await ha.waitFor(configTopic("light_bookcase"), () => true, { from })).text);
    expect(added).toMatchObject({ name: "bookcase", unique_id: `${NODE}_light_bookcase`, command_topic: `${BASE}/light/bookcase/set` });
    await ha.waitFor(configTopic("light_shelf"), (m) => m.text === "", { from });
    await ha.waitFor(`${BASE}/light/shelf/state`, (m) => m.text === "", { from });
    expect(await command("bookcase", '{"state":"OFF"}')).toMatchObject({ state: "OFF" });
    // The desk's light was not touched.
    expect(ha.messages.slice(from).filter((m) => m.topic === configTopic("light_desk"))).toEqual([]);

    // Down to one segment: its light is the whole strip's, so the segment lights go.
    from = ha.mark();
    await setSegments([segment("desk", 0)]);
    for (const name of ["desk", "bookcase"]) {
      await ha.waitFor(configTopic(`light_${name}`), (m) => m.text === "", { from });
      await ha.waitFor(`${BASE}/light/${name}/state`, (m) => m.text === "", { from });
    }
    expect(await command("", '{"state":"ON"}')).toMatchObject({ state: "ON" });
    // The broker no longer holds them: a newcomer (HA after a restart) is not told of these lights.
    const fresh = await connectPeer(broker.url, [`homeassistant/light/${NODE}/+/config`]);
    try {
      // Retained messages come on subscribing, before anything published after it: a marker ends them.
      await fresh.publish(configTopic("marker"), "end");
      await fresh.waitFor(configTopic("marker"));
      expect(fresh.messages.map((m) => m.topic)).toEqual([configTopic("light"), configTopic("marker")]);
    } finally {
      await fresh.close();
    }
  }, 15_000);
});
