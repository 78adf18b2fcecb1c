// Events over MQTT against real brokers: the HTTP ingest schema, dedupe of redelivered
// messages, bad messages reported on <base>/error without stalling anything, and every trigger
// event firing Home Assistant's event entity, within a rate limit.
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
  /** ledbox answers a light command after what it published before it: once the answer is in, so is all that came before. */
  const drained = async () => {
    const mark = peer.mark();
    await peer.publish(`${BASE}/light/set`, "{}");
    await peer.waitFor(`${BASE}/light/state`, () => true, { from: mark });
  };
  const gameEvents = (from: number) => peer.messages.slice(from).filter((m) => m.topic === `${BASE}/game_event`).map((m) => ({ ...m, json: JSON.parse(m.text) }));
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
    expect(await errorAfter(from)).toEqual({ topic: `${BASE}/event`, error: `not JSON: "{not json" (JSON Parse error: Expected '}')` });

    // Nested past 64 levels: refused before parsing, saying where.
    from = peer.mark();
    await peer.publish(`${BASE}/event`, "[".repeat(50_000) + "]".repeat(50_000));
    expect(await errorAfter(from)).toEqual({ topic: `${BASE}/event`, error: `not JSON: "${"[".repeat(40)}"… (nested deeper than 64 levels at character 64)` });

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
    expect((await errorAfter(from)).error).toStartWith('effect: unknown effect "disco" (have: solid, gradient, rainbow, breathing, FPS Combat');

    from = peer.mark();
    await peer.publish(`${BASE}/preset/set`, "Nope");
    expect((await errorAfter(from)).error).toContain('unknown preset "Nope"');

    from = peer.mark();
    await peer.publish(`${BASE}/event`, Buffer.alloc(300 * 1024, 0x20));
    expect((await errorAfter(from)).error).toBe(`message of ${300 * 1024} bytes is over the limit of ${256 * 1024}`);

    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st.messages.rejected).toBe(rejected + 8);
    expect(st.messages.lastRejection).toMatchObject({ topic: `${BASE}/event`, error: expect.stringContaining("over the limit") });
    expect(st.state).toBe("connected");
  });

  test("every trigger event fires HA's event entity, the same one again too; values do not", async () => {
    await drained();
    const from = peer.mark();
    const kill = JSON.stringify({ type: "kill", game: "cs2", headshot: true });
    for (let i = 0; i < 3; i++) await peer.publish(`${BASE}/event`, kill);
    await peer.publish(`${BASE}/event`, JSON.stringify([{ type: "health", value: 40 }, { type: "round_end", game: "cs2", result: "win" }]));
    await until(() => gameEvents(from).length === 4, "four game events");
    // From HTTP too: every accepted event, whatever brought it.
    expect((await call(tb.url, "POST", "/api/v1/events", { type: "bomb_planted", game: "cs2" })).status).toBe(202);
    await until(() => gameEvents(from).length === 5, "five game events");
    const got = gameEvents(from);
    expect(got.map((m) => m.json.event_type)).toEqual(["kill", "kill", "kill", "round_end", "bomb_planted"]);
    // Not retained: a replayed event would fire HA's automations again.
    expect(got.every((m) => !m.retain)).toBe(true);
    expect(got[0].json).toEqual({ event_type: "kill", game: "cs2", source: "mqtt", headshot: true, id: expect.any(String), time: expect.any(Number) });
    expect(new Set(got.slice(0, 3).map((m) => m.json.id)).size).toBe(3);
    expect(got[3].json).toMatchObject({ event_type: "round_end", result: "win", game: "cs2" });
    expect(got[4].json).toMatchObject({ event_type: "bomb_planted", source: "api" });
  });

  test("a flood of bad messages is rate-limited on the error topic and stalls nothing", async () => {
    const from = peer.mark();
    const rejected = tb.box.mqtt.rejected;
    const frames = tb.box.engine.stats().frames;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 500 }, (_, i) => peer.publish(`${BASE}/event`, `garbage ${i}`)));
    await until(() => tb.box.mqtt.rejected === rejected + 500, "500 rejections counted", 5000);
    const seconds = (performance.now() - t0) / 1000;
    await drained();
    const reported = peer.messages.slice(from).filter((m) => m.topic === `${BASE}/error`).length;
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThanOrEqual(10 + Math.ceil(seconds * 10) + 1);
    // The loop kept running and a good event still works.
    expect(tb.box.engine.stats().frames).toBeGreaterThan(frames);
    const accepted = tb.box.ingest.accepted;
    await peer.publish(`${BASE}/event`, JSON.stringify({ type: "assist" }));
    await until(() => tb.box.ingest.accepted === accepted + 1, "the good event after the flood");
  });

  test("a flood of game events is bounded on the event entity (10/s, bursts of 20); the rest are counted", async () => {
    // The previous test's last event may still be on its way.
    await drained();
    const from = peer.mark();
    const dropped = tb.box.mqtt.gameEventsDropped;
    const t0 = performance.now();
    await peer.publish(`${BASE}/event`, JSON.stringify(Array.from({ length: 500 }, () => ({ type: "assist" }))));
    await until(() => gameEvents(from).length + tb.box.mqtt.gameEventsDropped - dropped === 500, "500 events published or counted");
    const seconds = (performance.now() - t0) / 1000;
    await drained();
    const sent = gameEvents(from).length;
    expect(sent).toBe(500 - (tb.box.mqtt.gameEventsDropped - dropped));
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(20 + Math.ceil(seconds * 10));
    expect((await call(tb.url, "GET", "/api/v1/mqtt/status")).body.gameEventsDropped).toBe(tb.box.mqtt.gameEventsDropped);
  });
});
