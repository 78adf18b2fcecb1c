// Broker faults against real brokers: killed and restarted mid-stream, late at start, wrong
// credentials, and the last will when ledbox's connection dies; and brokers that are not there:
// a name that does not resolve, a port that accepts and never answers. The light loop never notices.
import { afterEach, describe, expect, test } from "bun:test";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { readFileSync } from "node:fs";
import { connectPeer, forEachBroker, freePort, retained, TLS_CERT, type Broker, type Peer } from "../helpers/brokers.ts";

const ID = "testdev03";
const BASE = `ledbox/${ID}`;

forEachBroker((kind) => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const broker = async (opts?: Parameters<typeof kind.start>[0]) => {
    const b = await kind.start(opts);
    cleanup.push(() => b.stop());
    return b;
  };
  const box = async (url: string, mqtt: Record<string, unknown> = {}) => {
    const tb = await startBox({ settings: { mqtt: { enabled: true, url, deviceId: ID, ...mqtt } } });
    cleanup.push(() => tb.stop());
    return tb;
  };
  const peer = async (b: Broker, opts?: { username?: string; password?: string }) => {
    const p = await connectPeer(b.url, ["#"], opts);
    cleanup.push(() => p.close());
    return p;
  };
  const framesAdvance = async (tb: TestBox) => {
    const f = tb.box.engine.stats().frames;
    await until(() => tb.box.engine.stats().frames > f + 5, "frames still being rendered");
  };
  /** Once the broker is back, the link's next attempt is at most the backoff's 4 s cap away (or already made). */
  const retrySoon = (tb: TestBox) => {
    const h = tb.box.mqtt.link.health();
    expect({ state: h.state, soon: h.state !== "waiting" || h.retryInMs! <= 4000 }).toEqual({ state: h.state, soon: true });
  };

  test("broker killed and restarted mid-stream: reconnect at the next retry, resubscribe, republish", async () => {
    const b = await broker();
    const tb = await box(b.url);
    await until(() => tb.box.mqtt.link.connected, "connected");
    let relay: Peer = await peer(b);
    let sent = 0;
    let stop = false;
    // A relay publishing an event every 10 ms throughout, reconnecting by itself.
    const stream = (async () => {
      while (!stop) {
        if (relay.client.connected) await relay.publish(`${BASE}/event`, JSON.stringify({ type: "custom", name: "tick", id: `t${++sent}` })).catch(() => {});
        await Bun.sleep(10);
      }
    })();
    await until(() => tb.box.ingest.accepted > 20, "events flowing");

    await b.kill();
    await until(() => !tb.box.mqtt.link.connected, "ledbox noticed the broker is gone");
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(["waiting", "connecting"]).toContain(st.state);
    // In words from the moment it is gone (the loss itself, or the next attempt's refusal).
    expect(st.lastError).toMatch(/was lost|refused|ECONNREFUSED/);
    await framesAdvance(tb);
    // Three failed attempts: the backoff has grown past its first steps.
    const attempts = tb.box.mqtt.link.attempts;
    await until(() => tb.box.mqtt.link.attempts >= attempts + 3, "three reconnect attempts", 10_000);

    await b.restart();
    retrySoon(tb);
    await until(() => tb.box.mqtt.link.connected, "ledbox reconnected", 10_000);
    // The restarted broker kept nothing: availability, discovery and state are published again.
    expect(await retained(b.url, `${BASE}/status`)).toBe("online");
    expect(JSON.parse(await retained(b.url, `homeassistant/light/ledbox_${ID}/light/config`)).unique_id).toBe(`ledbox_${ID}_light`);
    expect(JSON.parse(await retained(b.url, `${BASE}/light/state`)).state).toBe("ON");
    // Resubscribed: events flow again.
    const accepted = tb.box.ingest.accepted;
    await until(() => tb.box.ingest.accepted > accepted + 10, "events flowing after the restart", 5000);
    stop = true;
    await stream;
    expect(tb.box.ingest.duplicates).toBe(0);
    expect(tb.box.mqtt.link.connects).toBe(2);
  }, 20_000);

  test("broker late at start: ledbox runs, says why, and connects when the broker comes", async () => {
    const port = await freePort();
    const started = performance.now();
    const tb = await box(`mqtt://127.0.0.1:${port}`);
    await until(() => tb.box.mqtt.link.lastError, "a connection error");
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st.state).not.toBe("connected");
    expect(st.lastError).toContain(`connection refused at mqtt://127.0.0.1:${port}`);
    await framesAdvance(tb);
    expect((await call(tb.url, "POST", "/api/v1/events", { type: "kill" })).status).toBe(202);
    // Backoff, not a busy loop: the fourth attempt comes after three waits of at least
    // 250, 500 and 1000 ms less the 20% jitter.
    await until(() => tb.box.mqtt.link.attempts >= 4, "four connection attempts", 10_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(0.8 * (250 + 500 + 1000));
    const b = await broker({ port });
    const ha = await peer(b);
    retrySoon(tb);
    await until(() => tb.box.mqtt.link.connected, "connected once the broker is up", 10_000);
    await ha.waitFor(`homeassistant/light/ledbox_${ID}/light/config`);
    expect((await call(tb.url, "GET", "/api/v1/mqtt/status")).body).toMatchObject({ state: "connected", lastError: null });
  }, 15_000);

  test("wrong credentials: a clear status, retries at the capped rate, nothing else affected; fixing them connects", async () => {
    const user = { username: "ledbox", password: "right-password" };
    const b = await broker({ user });
    const started = performance.now();
    const tb = await box(b.url, { username: "ledbox", password: "wrong-password" });
    await until(() => tb.box.mqtt.link.lastError, "a refusal");
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st.state).not.toBe("connected");
    expect(st.lastError).toMatch(/Connection refused: (Bad username or password|Not authorized) \(check mqtt.username and mqtt.password\)/i);
    expect(st.passwordSet).toBe(true);
    expect(JSON.stringify(st)).not.toContain("wrong-password");
    expect(tb.logs.some((l) => l.includes("check mqtt.username"))).toBe(true);
    // A refusal retries at the cap (4 s less at most 20% jitter) at once, not after a short first wait.
    await until(() => tb.box.mqtt.link.attempts >= 2, "the retry after the refusal", 10_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(0.8 * 4000);
    await framesAdvance(tb);

    const ha = await peer(b, user);
    const cookie = await tb.admin();
    expect((await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { password: "right-password" } }, { cookie })).status).toBe(200);
    await until(() => tb.box.mqtt.link.connected, "connected with the right password", 5000);
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online");
  }, 15_000);

  test("TLS: an untrusted certificate is a clear error; trusting its CA, or allowing self-signed, connects", async () => {
    const b = await broker({ tls: true });
    const tb = await box(b.url);
    await until(() => tb.box.mqtt.link.lastError, "a TLS error");
    expect(tb.box.mqtt.link.lastError).toMatch(/^TLS: self[- ]signed certificate.* \(set mqtt.tls.ca to the CA that signed the broker's certificate, or mqtt.tls.allowSelfSigned\)$/i);
    expect(tb.box.mqtt.link.connected).toBe(false);
    const cookie = await tb.admin();
    const ca = readFileSync(TLS_CERT, "utf8");
    expect((await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { tls: { ca } } }, { cookie })).status).toBe(200);
    await until(() => tb.box.mqtt.link.connected, "connected trusting the CA", 5000);
    expect((await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { tls: { ca: "", allowSelfSigned: true } } }, { cookie })).status).toBe(200);
    const connects = tb.box.mqtt.link.connects;
    await until(() => tb.box.mqtt.link.connected && tb.box.mqtt.link.connects > connects, "connected allowing self-signed", 5000);
  }, 15_000);

  // aedes only: Debian 12's mosquitto 2.0.11 fails to open a websockets listener in this environment.
  if (kind.name === "aedes") test("MQTT over WebSocket (ws://): connects, discovery and events flow", async () => {
    const b = await broker({ ws: true });
    expect(b.url).toStartWith("ws://");
    const tb = await box(b.url);
    const ha = await peer(b);
    await until(() => tb.box.mqtt.link.connected, "connected over WebSocket", 5000);
    await ha.waitFor(`homeassistant/light/ledbox_${ID}/light/config`);
    const accepted = tb.box.ingest.accepted;
    await ha.publish(`${BASE}/event`, JSON.stringify({ type: "assist" }));
    await until(() => tb.box.ingest.accepted === accepted + 1, "the event over WebSocket");
  }, 15_000);

  test("last will: a dropped connection shows offline at once; ledbox comes back online; a clean stop says offline", async () => {
    const b = await broker();
    const tb = await box(b.url);
    const ha = await peer(b);
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online");
    const from = ha.mark();
    // Cut ledbox's socket without a DISCONNECT, as a crash or a pulled cable would.
    (tb.box.mqtt.link as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "offline", { from });
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online", { from, timeoutMs: 5000 });

    await tb.box.mqtt.stop();
    expect(await retained(b.url, `${BASE}/status`)).toBe("offline");
  }, 15_000);

  test("settings changes reconnect without a restart: a new base topic, then disabled", async () => {
    const b = await broker();
    const tb = await box(b.url);
    const ha = await peer(b);
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "online");
    const cookie = await tb.admin();
    expect((await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { baseTopic: "den/strip" } }, { cookie })).status).toBe(200);
    await ha.waitFor(`${BASE}/status`, (m) => m.text === "offline");
    await ha.waitFor("den/strip/status", (m) => m.text === "online");
    const light = JSON.parse((await ha.waitFor(`homeassistant/light/ledbox_${ID}/light/config`, (m) => m.text.includes("den/strip"))).text);
    expect(light.command_topic).toBe("den/strip/light/set");
    const accepted = tb.box.ingest.accepted;
    await ha.publish("den/strip/event", JSON.stringify({ type: "assist" }));
    await until(() => tb.box.ingest.accepted === accepted + 1, "an event on the new topic");

    expect((await call(tb.url, "PUT", "/api/v1/settings", { mqtt: { enabled: false } }, { cookie })).status).toBe(200);
    await ha.waitFor("den/strip/status", (m) => m.text === "offline");
    expect((await call(tb.url, "GET", "/api/v1/mqtt/status")).body).toMatchObject({ enabled: false, state: "disabled" });
  }, 15_000);
});

describe("no broker to talk to", () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const box = async (url: string) => {
    const tb = await startBox({ settings: { mqtt: { enabled: true, url, deviceId: ID } } });
    cleanup.push(() => tb.stop());
    return tb;
  };
  /** Still rendering, and still taking events over HTTP. */
  const unaffected = async (tb: TestBox) => {
    const f = tb.box.engine.stats().frames;
    await until(() => tb.box.engine.stats().frames > f + 5, "frames still being rendered");
    expect((await call(tb.url, "POST", "/api/v1/events", { type: "kill" })).status).toBe(202);
  };
  /** Each wait longer than the one before: a backoff, neither a fixed period nor a busy loop. */
  const growing = (gaps: number[]) => expect(gaps.map((g, i) => i === 0 || g > gaps[i - 1])).toEqual(gaps.map(() => true));

  test("a broker name that does not resolve: the status says so in words, retries back off, the box runs on", async () => {
    // RFC 6761: no resolver answers a name under .invalid.
    const tb = await box("mqtt://no-such-broker.invalid:1883");
    const link = tb.box.mqtt.link;
    // When each attempt starts, as the link counts them.
    const first = link.attempts + 1;
    const starts: number[] = [];
    while (starts.length < 4) {
      const n = first + starts.length;
      await until(() => link.attempts >= n, `attempt ${n}`, 10_000, 2);
      starts.push(performance.now());
    }
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    growing(gaps);
    // The wait after attempt k is at least the backoff's 250 ms × 2^(k-1), less its 20% jitter
    // (and 20 ms for this loop seeing the attempt before late, on a busy machine).
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(0.8 * 250 * 2 ** (first + i - 1) - 20));
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st).toMatchObject({ enabled: true, connects: 0, lastError: 'cannot resolve host "no-such-broker.invalid" (check mqtt.url)' });
    expect(["waiting", "connecting"]).toContain(st.state);
    expect(tb.logs.filter((l) => l.includes("cannot resolve host")).length).toBe(1);
    await unaffected(tb);
  }, 20_000);

  test("a broker port that accepts and never answers: each attempt gives up after 5 s, says so, and retries with backoff", async () => {
    // Accepts, reads the CONNECT and never sends a CONNACK; records when each connection came
    // and whether ledbox closed the ones it gave up on.
    const accepts: number[] = [];
    let open = 0;
    const mute = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open() { accepts.push(performance.now()); open++; }, close() { open--; }, data() {} } });
    cleanup.push(() => mute.stop(true));
    const url = `mqtt://127.0.0.1:${mute.port}`;
    const tb = await box(url);
    const message = `no answer from ${url} within 5 s of connecting (is an MQTT broker listening on that port?)`;
    await until(() => tb.box.mqtt.link.lastError, "the connect timeout", 10_000);
    const st = (await call(tb.url, "GET", "/api/v1/mqtt/status")).body;
    expect(st).toMatchObject({ connects: 0, lastError: message });
    expect(st.state).not.toBe("connected");
    await unaffected(tb);
    await until(() => accepts.length >= 4, "four connection attempts", 25_000);
    // Each attempt waits out the 5 s connect timeout, then the backoff: 250, 500, 1000 ms less
    // 20% jitter, so the connections come further and further apart.
    const gaps = accepts.slice(1, 4).map((t, i) => t - accepts[i]);
    growing(gaps);
    gaps.forEach((g) => expect(g).toBeGreaterThanOrEqual(5000));
    // A given-up connection is closed, not left open next to the new one.
    await until(() => open <= 1, "the abandoned connections closed");
    expect(tb.box.mqtt.link.lastError).toBe(message);
    await unaffected(tb);
  }, 40_000);
});
