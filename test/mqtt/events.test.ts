// Events over MQTT against real brokers: the HTTP ingest schema, dedupe of redelivered
// messages, and bad messages reported on <base>/error without stalling anything.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { connectPeer, forEachBroker, type Broker, type Peer } from "../helpers/brokers.ts";

const ID = "testdev02";
const BASE = `ledbox/${ID}`;

forEachBroker((kind) => {
  let broker: Broker;
  let tb: TestBox;
  let peer: Peer;

  beforeAll(async () => {
    broker = await kind.start();
    peer = await connectPeer(broker.url, [`${BASE}/#`]);
    tb = await startBox({ settings: { mqtt: { enabled: true, url: broker.url, deviceId: ID } } });
    await until(() => tb.box.mqtt.link.connected, "ledbox connected to the broker");
  });

  afterAll(async () => {
    await tb?.stop();
    await peer?.close();
    await broker?.stop();
  });

  const errorAfter = async (from: number) => JSON.parse((await peer.waitFor(`${BASE}/error`, () => true, { from })).text);
  const flashes = () => tb.box.engine.scene.describe(tb.box.engine.now())[0].effects.filter((e) => e.effect === "flash").length;

  test("one event or a batch, the same schema as HTTP ingest, reaches the director", async () => {
    const accepted = tb.box.ingest.accepted;
    await peer.publish(`${BASE}/event`, JSON.stringify({ type: "kill", game: "cs2" }));
    await until(() => flashes() > 0, "the kill flash", 2000, 2);
    await peer.publish(`${BASE}/event`, JSON.stringify([{ type: "health", value: 40 }, { type: "custom", name: "doorbell" }]));
    await until(() => tb.box.ingest.accepted === accepted + 3, "three events accepted");
    const recent = (await call(tb.url, "GET", "/api/v1/events/recent")).body;
    expect(recent.find((r: { event: { name?: string } }) => r.event.name === "doorbell")?.event).toMatchObject({ type: "custom", source: "mqtt" });
    expect(tb.box.engine.scene.describe(tb.box.engine.now())[0].meters.map((m) => m.name)).toContain("health");
  });

  test("a redelivered message (same event id) fires once", async () => {
    const { duplicates, accepted } = tb.box.ingest;
    const triggered = tb.box.director.triggered;
    const msg = JSON.stringify({ type: "damage_taken", amount: 10, id: "relay-42" });
    await peer.publish(`${BASE}/event`, msg);
    await peer.publish(`${BASE}/event`, msg);
    await peer.publish(`${BASE}/event`, JSON.stringify([{ type: "damage_taken", amount: 10, id: "relay-42" }]));
    await until(() => tb.box.ingest.duplicates === duplicates + 2, "two duplicates counted");
    expect(tb.box.ingest.accepted).toBe(accepted + 1);
    expect(tb.box.director.triggered).toBe(triggered + 1);
  });

  test("malformed, invalid and oversized messages are reported on <base>/error and in the status", async () => {
    const rejected = tb.box.mqtt.rejected;
    let from = peer.mark();
    await peer.publish(`${BASE}/event`, "{not json");
    expect(await errorAfter(from)).toEqual({ topic: `${BASE}/event`, error: 'not JSON: "{not json"' });

    from = peer.mark();
    await peer.publish(`${BASE}/event`, JSON.stringify({ type: "explosion" }));
    expect((await errorAfter(from)).error).toContain('unknown event type "explosion"');

    from = peer.mark();
    await peer.publish(`${BASE}/event`, JSON.stringify({ type: "health", value: "lots" }));
    expect((await errorAfter(from)).error).toContain("value");

    from = peer.mark();
    await peer.publish(`${BASE}/light/set`, JSON.stringify({ state: "DIM" }));
    expect((await errorAfter(from)).error).toContain("state");

    from = peer.mark();
    await peer.publish(`${BASE}/light/set`, JSON.stringify({ state: "ON", effect: "disco" }));
    expect((await errorAfter(from)).error).toBe('effect: unknown effect "disco"');

    from = peer.mark();
    await peer.publish(`${BASE}/preset/set`, "Nope");
    expect((await errorAfter(from)).error).toContain('unknown preset "Nope"');

    from = peer.mark();
    await peer.publish(`${BASE}/event`, Buffer.alloc(300 * 1024, 0x20));
    expect((await errorAfter(from)).error).toBe(`message of ${300 * 1024} bytes is over the limit of ${256 * 1024}`);

    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st.messages.rejected).toBe(rejected + 7);
    expect(st.messages.lastRejection).toMatchObject({ topic: `${BASE}/event`, error: expect.stringContaining("over the limit") });
    expect(st.state).toBe("connected");
  });

  test("a flood of bad messages is rate-limited on the error topic and stalls nothing", async () => {
    const from = peer.mark();
    const rejected = tb.box.mqtt.rejected;
    const frames = tb.box.engine.stats().frames;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 500 }, (_, i) => peer.publish(`${BASE}/event`, `garbage ${i}`)));
    await until(() => tb.box.mqtt.rejected === rejected + 500, "500 rejections counted", 5000);
    const seconds = (performance.now() - t0) / 1000;
    // A light command's state reply (told apart by its brightness) is published after every error
    // report above: once it has arrived, on the same connection and in order, so has every report.
    await peer.publish(`${BASE}/light/set`, JSON.stringify({ state: "ON", brightness: 77 }));
    const marker = await peer.waitFor(`${BASE}/light/state`, (m) => JSON.parse(m.text).brightness === 77, { from });
    const reported = peer.messages.slice(from, peer.messages.indexOf(marker)).filter((m) => m.topic === `${BASE}/error`).length;
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThanOrEqual(10 + Math.ceil(seconds * 10) + 1);
    // The loop kept running and a good event still works.
    expect(tb.box.engine.stats().frames).toBeGreaterThan(frames);
    const accepted = tb.box.ingest.accepted;
    await peer.publish(`${BASE}/event`, JSON.stringify({ type: "assist" }));
    await until(() => tb.box.ingest.accepted === accepted + 1, "the good event after the flood");
  });
});
