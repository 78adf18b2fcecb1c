// Real MQTT brokers on loopback for tests: an in-process aedes, and Debian's mosquitto when
// installed (skipped with a reason otherwise; a failure under LEDBOX_REQUIRE_ALL=1).
// Both can be killed abruptly (connections dropped, retained messages lost) and restarted on
// the same port, and both can require a username and password.
import { describe } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { createWebSocketStream, WebSocketServer } from "ws";
import { until } from "./box.ts";
import { requires } from "./requires.ts";

export const MOSQUITTO = "/usr/sbin/mosquitto";
/** A self-signed certificate for 127.0.0.1 (valid until 2126), for TLS tests. */
export const TLS_CERT = join(import.meta.dir, "../mqtt/fixtures/broker-cert.pem");
const TLS_KEY = join(import.meta.dir, "../mqtt/fixtures/broker-key.pem");
const INSTALL = "apt-get install -y mosquitto";
let mosquittoNeeds: ReturnType<typeof requires> | null = null;
/** Checked once, on first use, so the skip reason prints once. */
const needMosquitto = () => (mosquittoNeeds ??= requires("mosquitto tests", [MOSQUITTO, "mosquitto_passwd"], INSTALL));

export interface BrokerOptions {
  /** When given, only this user may connect. */
  user?: { username: string; password: string };
  port?: number;
  /** Serve mqtts:// with TLS_CERT. */
  tls?: boolean;
  /** Serve MQTT over WebSocket (ws://) instead of TCP. */
  ws?: boolean;
}

export interface Broker {
  url: string;
  port: number;
  /** Drops every connection at once, as a crash would (no clean disconnects). */
  kill(): Promise<void>;
  /** Starts again on the same port, with nothing retained. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface BrokerKind {
  name: "aedes" | "mosquitto";
  start(opts?: BrokerOptions): Promise<Broker>;
}

/** A free loopback port (for a broker that must start later on a known port). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const aedes: BrokerKind = {
  name: "aedes",
  async start(opts = {}) {
    const port = opts.port ?? (await freePort());
    let close: () => Promise<void> = async () => {};
    const up = async () => {
      const { Aedes } = await import("aedes");
      const broker = await Aedes.createBroker();
      if (opts.user) {
        const { username, password } = opts.user;
        broker.authenticate = (_client, u, p, done) => {
          if (u === username && p?.toString() === password) return done(null, true);
          done(Object.assign(new Error("bad username or password"), { returnCode: 4 }) as never, false);
        };
      }
      if (opts.ws) {
        const wss = new WebSocketServer({ port, host: "127.0.0.1" });
        await new Promise<void>((r, j) => wss.once("error", j).once("listening", () => r()));
        wss.on("connection", (ws) => broker.handle(createWebSocketStream(ws) as never));
        close = async () => {
          for (const c of wss.clients) c.terminate();
          await new Promise((r) => wss.close(r));
          await new Promise<void>((r) => broker.close(() => r()));
        };
        return;
      }
      const sockets = new Set<net.Socket>();
      const server = opts.tls
        ? tls.createServer({ cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) }, broker.handle as never)
        : net.createServer(broker.handle as never);
      server.on(opts.tls ? "secureConnection" : "connection", (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
      });
      await new Promise<void>((r, j) => server.once("error", j).listen(port, "127.0.0.1", () => r()));
      close = async () => {
        server.close();
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => broker.close(() => r()));
      };
    };
    await up();
    return { url: `${scheme(opts)}://127.0.0.1:${port}`, port, kill: () => close(), restart: up, stop: () => close() };
  },
};

const mosquitto: BrokerKind = {
  name: "mosquitto",
  async start(opts = {}) {
    needMosquitto().assert();
    const port = opts.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), "ledbox-mosq-"));
    const conf = join(dir, "mosquitto.conf");
    const lines = [`listener ${port} 127.0.0.1`, "persistence false", "set_tcp_nodelay true", "log_dest none", "user root"];
    if (opts.tls) lines.push(`certfile ${TLS_CERT}`, `keyfile ${TLS_KEY}`);
    // Debian 12's mosquitto 2.0.11 cannot open a websockets listener here ("Unable to start any listening sockets").
    if (opts.ws) throw new Error("WebSocket tests run against aedes only");
    if (opts.user) {
      const pw = join(dir, "passwd");
      writeFileSync(pw, "");
      const r = Bun.spawnSync(["mosquitto_passwd", "-b", pw, opts.user.username, opts.user.password]);
      if (r.exitCode !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      lines.push("allow_anonymous false", `password_file ${pw}`);
    } else lines.push("allow_anonymous true");
    writeFileSync(conf, lines.join("\n") + "\n");
    let proc: ReturnType<typeof Bun.spawn> | null = null;
    const up = async () => {
      proc = Bun.spawn([MOSQUITTO, "-c", conf], { stdout: "ignore", stderr: "pipe" });
      const p = proc;
      await until(async () => {
        if (p.exitCode !== null) throw new Error(`mosquitto exited ${p.exitCode}: ${await new Response(p.stderr as ReadableStream).text()}`);
        return canConnect(port);
      }, `mosquitto listening on ${port}`, 5000, 20);
    };
    const down = async (signal: NodeJS.Signals) => {
      const p = proc;
      proc = null;
      if (!p) return;
      p.kill(signal);
      await p.exited;
    };
    await up();
    return {
      url: `${scheme(opts)}://127.0.0.1:${port}`,
      port,
      kill: () => down("SIGKILL"),
      restart: up,
      stop: async () => {
        await down("SIGTERM");
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const scheme = (o: BrokerOptions) => (o.ws ? (o.tls ? "wss" : "ws") : o.tls ? "mqtts" : "mqtt");

function canConnect(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), r(true)));
    s.once("error", () => r(false));
  });
}

export const BROKERS: BrokerKind[] = [aedes, mosquitto];

/** Runs the same suite against every broker; mosquitto's is skipped (with the reason) when it is missing. */
export function forEachBroker(suite: (kind: BrokerKind) => void): void {
  describe("aedes", () => suite(aedes));
  describe.skipIf(needMosquitto().skip)("mosquitto", () => suite(mosquitto));
}

/** What a subscriber arriving now gets as retained on `topic` (brokers clear the flag for live subscribers). */
export async function retained(url: string, topic: string): Promise<string> {
  const peer = await connectPeer(url, [topic]);
  try {
    return (await peer.waitFor(topic, (m) => m.retain)).text;
  } finally {
    await peer.close();
  }
}

export interface Message {
  topic: string;
  text: string;
  retain: boolean;
}

/** A plain MQTT client that records what it receives, to play Home Assistant or a game relay. */
export interface Peer {
  client: MqttClient;
  messages: Message[];
  publish(topic: string, payload: string | Buffer, opts?: { retain?: boolean; qos?: 0 | 1 }): Promise<void>;
  /** The first message (from index `from`) on topic that satisfies pred. */
  waitFor(topic: string, pred?: (m: Message) => boolean, opts?: { from?: number; timeoutMs?: number }): Promise<Message>;
  /** The newest message on a topic. */
  last(topic: string): Message | undefined;
  mark(): number;
  close(): Promise<void>;
}

export async function connectPeer(url: string, subscribe: string[] = ["#"], opts: { username?: string; password?: string } = {}): Promise<Peer> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, connectTimeout: 3000, ...opts });
  const messages: Message[] = [];
  client.on("message", (topic, payload, packet) => messages.push({ topic, text: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(subscribe, { qos: 1 });
  return {
    client,
    messages,
    publish: async (topic, payload, o = {}) => {
      await client.publishAsync(topic, payload, { qos: o.qos ?? 1, retain: o.retain ?? false });
    },
    waitFor: (topic, pred = () => true, o = {}) =>
      until(() => messages.slice(o.from ?? 0).find((m) => m.topic === topic && pred(m)), `a message on ${topic}`, o.timeoutMs ?? 3000),
    last: (topic) => messages.findLast((m) => m.topic === topic),
    mark: () => messages.length,
    close: () => client.endAsync(true),
  };
}
