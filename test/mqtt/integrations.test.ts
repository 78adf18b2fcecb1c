// Game integrations over MQTT, against real brokers: raw CS2 GSI payloads on
// <base>/integration/<id>/event go through the same token check, adapter and dedupe as HTTP;
// each integration is a "connected" binary_sensor that follows renames and deletion.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hostname } from "node:os";
import { loadFixture } from "../games/fixture.ts";
import { call, integrationStatus, startBox, until, type TestBox } from "../helpers/box.ts";
import { connectPeer, forEachBroker, retained, type Broker, type Peer } from "../helpers/brokers.ts";
import { HA_DISCOVERY } from "./ha-schemas.ts";

const ID = "testdev04";
const BASE = `ledbox/${ID}`;
const NODE = `ledbox_${ID}`;
const cs2 = loadFixture("cs2-round.json").steps;
const step = (what: string) => cs2.find((s) => s.what === what)!.payload as Record<string, unknown>;
const withToken = (p: Record<string, unknown>, token: string) => ({ ...p, auth: { token } });

forEachBroker((kind) => {
  let broker: Broker;
  let tb: TestBox;
  let ha: Peer;
  let admin: Record<string, string>;

  beforeAll(async () => {
    broker = await kind.start();
    ha = await connectPeer(broker.url);
    tb = await startBox({ settings: { mqtt: { enabled: true, url: broker.url, deviceId: ID } } });
    admin = { cookie: await tb.admin() };
    await until(() => tb.box.mqtt.link.connected, "ledbox connected to the broker");
  });

  afterAll(async () => {
    await tb?.stop();
    await ha?.close();
    await broker?.stop();
  });

  const create = async (body: Record<string, unknown>) => {
    const r = await call(tb.url, "POST", "/api/v1/integrations", body, admin);
    expect(r.status).toBe(201);
    const s = await call(tb.url, "GET", `/api/v1/integrations/${r.body.id}/setup`, undefined, admin);
    return { id: r.body.id as string, token: s.body.token as string };
  };
  const errorAfter = async (from: number) => JSON.parse((await ha.waitFor(`${BASE}/error`, () => true, { from })).text);
  const recent = async (id: string) => (await call(tb.url, "GET", `/api/v1/integrations/${id}/events`)).body.events.map((e: { type: string }) => e.type);

  test("CS2 GSI payloads over MQTT: token checked, adapter run, redelivery deduplicated, status counted", async () => {
    const { id, token } = await create({ name: "Desk CS2", type: "cs2" });
    const topic = `${BASE}/integration/${id}/event`;
    for (const what of ["warmup: first payload is a baseline (values only)", "warmup ends: match starts in freeze time", "round goes live"]) {
      await ha.publish(topic, JSON.stringify(withToken(step(what), token)));
    }
    const kill = JSON.stringify(withToken(step("headshot kill"), token));
    await ha.publish(topic, kill);
    await until(async () => (await recent(id)).includes("kill"), "the kill from the GSI payload");
    const kills = () => tb.box.ring.since(0, 512).filter((r) => r.event.type === "kill").length;
    expect(kills()).toBe(1);
    // The same payload again (a redelivery): the adapter sees no change, the core's dedupe holds.
    await ha.publish(topic, kill);
    await until(async () => (await integrationStatus(tb, id)).payloads === 5, "the fifth payload counted");
    expect(kills()).toBe(1);

    let from = ha.mark();
    await ha.publish(topic, JSON.stringify(withToken(step("dies"), "wrong-token")));
    expect((await errorAfter(from)).error).toContain("token mismatch");
    from = ha.mark();
    await ha.publish(topic, "{not json");
    expect((await errorAfter(from)).error).toContain("malformed payload");
    from = ha.mark();
    await ha.publish(`${BASE}/integration/gi_nonexistent/event`, "{}");
    expect((await errorAfter(from)).error).toContain("gi_nonexistent");
    const st = await integrationStatus(tb, id);
    expect(st.rejected).toBe(2);
    expect(st.connected).toBe(true);
  });

  test("a header-token adapter (webhook) takes {token, payload} over MQTT", async () => {
    const { id, token } = await create({ name: "Doorbell", type: "webhook", config: { game: "home" } });
    const topic = `${BASE}/integration/${id}/event`;
    let from = ha.mark();
    await ha.publish(topic, JSON.stringify({ type: "custom", name: "ring" }));
    expect((await errorAfter(from)).error).toContain('token missing: over MQTT send {"token"');
    await ha.publish(topic, JSON.stringify({ token, payload: { type: "custom", name: "ring" } }));
    await until(async () => (await recent(id)).includes("custom"), "the webhook event");
    from = ha.mark();
    await ha.publish(topic, JSON.stringify({ token: "nope", payload: { type: "custom", name: "ring" } }));
    expect((await errorAfter(from)).error).toContain("token mismatch");
  });

  test("each integration is a connectivity binary_sensor; the sensor counts connected ones; renames update, deletion removes", async () => {
    const { id } = await create({ name: "Living room Dota", type: "dota2" });
    const configTopic = `homeassistant/binary_sensor/${NODE}/integration_${id}/config`;
    const config = JSON.parse((await ha.waitFor(configTopic, () => true, { timeoutMs: 5000 })).text);
    expect(config).toEqual({
      unique_id: `${NODE}_integration_${id}`,
      availability_topic: `${BASE}/status`,
      device: expect.objectContaining({ identifiers: [NODE], name: hostname() }),
      origin: { name: "ledbox", sw_version: "0.1.0" },
      name: "Living room Dota connected",
      state_topic: `${BASE}/integration/${id}/connected`,
      device_class: "connectivity",
      entity_category: "diagnostic",
    });
    expect(HA_DISCOVERY.binary_sensor.safeParse(config).error?.issues ?? []).toEqual([]);
    expect(await retained(broker.url, `${BASE}/integration/${id}/connected`)).toBe("OFF");
    // The CS2 integration of the first test sent payloads: it is connected, and counted.
    const cs2Id = (await call(tb.url, "GET", "/api/v1/integrations", undefined, admin)).body.find((i: { name: string }) => i.name === "Desk CS2").id;
    expect(await retained(broker.url, `${BASE}/integration/${cs2Id}/connected`)).toBe("ON");
    expect(JSON.parse(await retained(broker.url, `${BASE}/sensors`)).integrations).toBeGreaterThanOrEqual(1);

    let from = ha.mark();
    expect((await call(tb.url, "PUT", `/api/v1/integrations/${id}`, { name: "Den Dota" }, admin)).status).toBe(200);
    const renamed = JSON.parse((await ha.waitFor(configTopic, () => true, { from, timeoutMs: 5000 })).text);
    expect(renamed.name).toBe("Den Dota connected");

    from = ha.mark();
    expect((await call(tb.url, "DELETE", `/api/v1/integrations/${id}`, undefined, admin)).status).toBe(200);
    await ha.waitFor(configTopic, (m) => m.text === "", { from, timeoutMs: 5000 });
    await ha.waitFor(`${BASE}/integration/${id}/connected`, (m) => m.text === "", { from });
  }, 20_000);
});
