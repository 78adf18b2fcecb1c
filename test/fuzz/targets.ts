// Every entry point ledbox takes input from, as fuzz targets on a real device: an in-process
// Ledbox (engine running, SQLite on disk, MQTT connected to an in-process broker), its real
// services, and the pure parsers of every poller's replies. Each target names what it may
// answer with (a domain error, a ProtocolError) and what it checks after each case.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SettingsSchema } from "../../src/config/schema.ts";
import { MAX_EVENTS_BODY } from "../../src/events/schema.ts";
import { parseEvents } from "../../src/events/ingest.ts";
import { PayloadError, type Adapter } from "../../src/games/adapter.ts";
import { BUILTIN_DIR, parseAdapterFile } from "../../src/games/declarative.ts";
import { JsonSplitter } from "../../src/games/rl-client.ts";
import { IntegrationRuntime } from "../../src/games/runtime.ts";
import { MAX_BODY } from "../../src/http/body.ts";
import { LIVE_SOCKET_OPTIONS, type LiveSocket } from "../../src/http/live.ts";
import { MAX_PAYLOAD } from "../../src/http/routes/integrations.ts";
import { MAX_PAYLOAD as MQTT_MAX_PAYLOAD, type Topics } from "../../src/mqtt/topics.ts";
import { MAX_DECOMPRESSED, parseInfo, parsePlayers } from "../../src/servers/a2s.ts";
import { bunzip2 } from "../../src/servers/bzip2.ts";
import { JsonRulesSchema, mapJson } from "../../src/servers/json.ts";
import { parseStatusFrame, readVarInt, writeVarInt } from "../../src/servers/minecraft.ts";
import { decodePackets, encodePacket } from "../../src/servers/rcon.ts";
import { ProtocolError, Reader } from "../../src/servers/reader.ts";
import { parseStatus } from "../../src/servers/status.ts";
import { SettingsRepo } from "../../src/store/settings.ts";
import type { IntegrationRecord } from "../../src/store/integrations.ts";
import { DomainError } from "../../src/util/errors.ts";
import { loadFixture } from "../games/fixture.ts";
import { BROKERS, type Broker } from "../helpers/brokers.ts";
import { startBox, until, type TestBox } from "../helpers/box.ts";
import { Bytes, infoPayload, playersPayload } from "../servers/fakes.ts";
import { CS2, L4D2, TF2 } from "../servers/status-fixtures.ts";
import { MAX_INPUT, mutateBytes, mutateJson, sizeOf, textMutation, type Rng, type Target } from "./lib.ts";

export interface Harness {
  t: TestBox;
  broker: Broker;
  /** Integration records by adapter type. */
  integrations: Map<string, IntegrationRecord>;
  stop(): Promise<void>;
}

/** A device with one integration per adapter, MQTT connected to an in-process broker. */
export async function harness(): Promise<Harness> {
  const broker = await BROKERS[0].start();
  const t = await startBox({ settings: { mqtt: { enabled: true, url: broker.url } } });
  await until(() => t.box.mqtt.status().state === "connected", "MQTT connected", 10_000);
  const integrations = new Map<string, IntegrationRecord>();
  for (const type of Object.keys(ADAPTER_SEEDS)) {
    integrations.set(type, t.box.integrations.create({ name: `fuzz ${type}`, type, config: ADAPTER_CONFIGS[type] ?? {} }));
  }
  return {
    t, broker, integrations,
    async stop() {
      await t.stop();
      await broker.stop();
    },
  };
}

export const WEBHOOK_RULES = [
  { event: "health", path: "player.hp", fields: { max: 20 } },
  { event: "kill", path: "player.kills", on: "increase", perUnit: true, idPath: "match.id" },
  { event: "death", path: "player.hp", on: "becomes", when: { op: "<=", value: 0 } },
  { event: "custom", path: "round.phase", on: "change", fields: { name: { path: "round.phase" }, value: "$delta" } },
  { event: "objective", path: "flag", on: "becomes", equals: true, fields: { kind: "flag", ally: { path: "flagAlly" } } },
];
export const WEBHOOK_SEEDS = [
  { player: { hp: 20, kills: 0, name: "alex" }, round: { phase: "warmup" }, match: { id: "m1" } },
  { player: { hp: 7, kills: 2, name: "alex" }, round: { phase: "live" }, match: { id: "m1" }, flag: true, flagAlly: true },
  { player: { hp: 0, kills: 5 }, round: { phase: "over" }, match: { id: "m2" }, flag: false },
];

export const EVENT_SEEDS: unknown[] = [
  { type: "kill", headshot: true, game: "cs2" },
  [{ type: "health", value: 35, max: 100 }, { type: "multikill", count: 3 }, { type: "round_end", result: "win" }],
  { type: "custom", name: "door", value: 1, id: "x-1", time: 1_700_000_000_000 },
  { type: "objective", kind: "roshan", ally: false, source: "api" },
  [{ type: "flashbang", intensity: 0.7 }, { type: "damage_taken", amount: 40 }, { type: "players", value: 3, max: 8 }],
];

export const SETTINGS_SEEDS: unknown[] = [
  { light: { brightness: 0.5, gamma: 2.4, power: { budgetMa: 2000, channelMa: { r: 15 } } } },
  { render: { fps: 30, maxEffectsPerSegment: 4 }, safety: { flashGuard: true, maxFlashesPerSecond: 2 } },
  { strip: { ledCount: 60, ledType: "rgbw", colorOrder: "GRBW", whiteExtraction: "add" } },
  { strip: { ledCount: 150 }, segments: [{ name: "left", start: 0, length: 75 }, { name: "right", start: 75, length: 75, reversed: true }] },
  { outputs: [{ driver: "virtual", length: 100 }, { driver: "ddp", start: 100, host: "127.0.0.1", port: 4048 }] },
  { http: { reads: "open", ingest: "open", allowedHosts: ["ledbox.lan"], liveClients: 8 } },
  { strip: { ledCount: 150, ledType: "rgb", colorOrder: "GRB" }, segments: [], outputs: [{ driver: "virtual" }], render: { fps: 60 } },
];

export const MAPPING_SEEDS: unknown[] = [
  { name: "Low health", event: "health", game: "cs2", condition: { op: "<", value: 0.25 }, cooldownMs: 2000, action: { kind: "effect", effect: "pulse", segment: "*", colors: ["#ff0000"], hz: 1, durationMs: 2000, priority: 20 } },
  { name: "hp bar", event: "health", action: { kind: "meter", segment: "*", direction: "center", gradient: ["#ff0000", "#00ff00"], from: 0.1, to: 0.9 } },
  { name: "win", event: "round_end", match: { result: "win" }, action: { kind: "effect", effect: "sweep", colors: ["#00ff00", "#0000ff"], blend: "add", reverse: true } },
  { name: "defused", event: "bomb_defused", action: { kind: "clear", segment: "*", effect: "breathing" } },
  { name: "flash", event: "flashbang", enabled: false, action: { kind: "effect", effect: "flash", scaleByValue: true, intensity: 0.8 } },
];

/** Payloads per adapter, from the games' fixtures (the webhook's match WEBHOOK_RULES). */
export const ADAPTER_SEEDS: Record<string, unknown[]> = {
  cs2: loadFixture("cs2-round.json").steps.map((s) => s.payload),
  dota2: loadFixture("dota2-match.json").steps.map((s) => s.payload),
  lol: loadFixture("lol-game.json").steps.map((s) => s.payload),
  rocketleague: loadFixture("rocketleague-stream.json").steps.map((s) => s.payload),
  webhook: WEBHOOK_SEEDS,
  minecraft: loadFixture("minecraft.json").steps.map((s) => s.payload),
  valorant: loadFixture("valorant.json").steps.map((s) => s.payload),
};

/** Integration configs by adapter: Rocket League as a relay (no connection to make). */
export const ADAPTER_CONFIGS: Record<string, unknown> = { rocketleague: { mode: "relay", playerName: "Octane" }, webhook: { game: "fz", rules: WEBHOOK_RULES } };

// ---- how answers and checks look --------------------------------------------------------------

const domain = (err: unknown) => err instanceof DomainError;
/** A refused payload is an answer; an adapter that made an invalid event of it has a bug (the payload is refused all the same). */
const adapterAnswer = (err: unknown) => domain(err) && !/made an invalid event/.test((err as Error).message);
const protocol = (err: unknown) => err instanceof ProtocolError;
/** Messages of errors that only a bug makes (the MQTT handler turns every error into a rejection). */
const ENGINE_ERROR = /made an invalid event|Cannot read|is not a function|is not an object|undefined is not|null is not|Maximum call stack|Invalid array length|out of memory|cannot be converted|is not iterable/i;

const protoKeys = Object.getOwnPropertyNames(Object.prototype).length;
/** Nothing reached Object.prototype. */
function prototypeIntact(): string | null {
  const now = Object.getOwnPropertyNames(Object.prototype);
  return now.length === protoKeys ? null : `Object.prototype polluted: ${now.join(", ")}`;
}

/** The bus's subscribers (director, live channel, MQTT) have not failed on what went through. */
function busChecker(h: Harness) {
  let errors = 0;
  return () => {
    const health = h.t.box.bus.health();
    const now = health.reduce((n, s) => n + s.errors, 0);
    if (now === errors) return null;
    errors = now;
    return `a bus subscriber failed: ${health.map((s) => s.lastError).filter(Boolean).join("; ")}`;
  };
}

const jsonTarget = <I>(t: Omit<Target<I>, "mutate">): Target<I> => ({ ...t, mutate: (rng, seed, seeds) => mutateJson(rng, seed, seeds) as I });

// ---- the device's own entry points ----------------------------------------------------------

export function deviceTargets(h: Harness): Target<any>[] {
  const box = h.t.box;
  const busOk = busChecker(h);
  const fixtures = ADAPTER_SEEDS;
  /** A fresh runtime for the integration, so every case starts from the adapter's empty state. */
  const runtime = (type: string) => {
    const rec = h.integrations.get(type)!;
    const adapter = box.integrations.registry.get(type)!;
    return new IntegrationRuntime(rec, adapter, adapter.configSchema.parse(rec.config), join(h.t.dataDir, "recordings"));
  };

  const events: Target = jsonTarget({
    name: "HTTP ingest (parseEvents → bus → director)",
    seeds: EVENT_SEEDS,
    run(input) {
      const r = parseEvents(input);
      if (!r.ok) throw new DomainError("invalid", r.error);
      box.ingest.accept(r.events);
    },
    expected: domain,
    check: () => busOk() ?? prototypeIntact(),
    limit: MAX_EVENTS_BODY,
  });

  const adapters: Target[] = [...h.integrations.keys()].map((type) => ({
    name: `integration ingest: ${type}`,
    seeds: fixtures[type].map((p, i, all) => [all[Math.max(0, i - 1)], p]),
    // A short sequence: adapters compare each payload with the state the last one left.
    mutate: (rng: Rng, seed: unknown[], seeds: unknown[][]) => seed.map((p) => (rng.chance(0.7) ? mutateJson(rng, p, seeds.flat()) : p)),
    run(payloads: unknown[]) {
      const rt = runtime(type);
      for (const p of payloads) box.integrations.payloads.feed(rt, p);
    },
    expected: adapterAnswer,
    check: () => busOk() ?? prototypeIntact(),
    limit: MAX_PAYLOAD,
    size: (payloads: unknown[]) => Math.max(...payloads.map(sizeOf)),
  }));

  // The Rocket League stream as it comes over TCP: concatenated JSON texts, cut anywhere.
  const rlStream: Target<string[]> = {
    name: "poller reply: Rocket League stream",
    seeds: [fixtures.rocketleague.map((m) => JSON.stringify(m))],
    mutate(rng, seed) {
      const text = textMutation(rng, seed.join(rng.pick(["", "\n", " "])));
      const cuts = Array.from({ length: rng.int(6) }, () => rng.int(text.length + 1)).sort((a, b) => a - b);
      return [0, ...cuts].map((c, i, all) => text.slice(c, all[i + 1]));
    },
    run(chunks) {
      const rt = runtime("rocketleague");
      const splitter = new JsonSplitter();
      for (const chunk of chunks) {
        for (const text of splitter.push(chunk)) {
          let msg: unknown;
          try {
            msg = JSON.parse(text);
          } catch {
            continue; // the client says "message skipped" and reads on
          }
          try {
            box.integrations.payloads.feed(rt, msg);
          } catch (err) {
            if (!adapterAnswer(err)) throw err;
          }
        }
      }
    },
    expected: (err) => err instanceof Error && /^a message over/.test(err.message),
    // What one read of the socket hands the client at once (Bun reads at most 64 KiB).
    limit: 64 * 1024,
    size: (chunks) => chunks.reduce((n, c) => n + c.length, 0),
  };

  // MQTT: every inbound topic, through the service's own message handler.
  const topics = (box.mqtt as unknown as { topics: Topics }).topics;
  const handle = (box.mqtt as unknown as { handle(topic: string, payload: Buffer): void }).handle.bind(box.mqtt);
  const cs2Token = box.integrations.token(h.integrations.get("cs2")!.id);
  const hookToken = box.integrations.token(h.integrations.get("webhook")!.id);
  const mqttSeeds: { topic: string; payload: unknown }[] = [
    { topic: topics.event, payload: { type: "kill", headshot: true } },
    { topic: topics.event, payload: [{ type: "health", value: 20 }, { type: "custom", name: "bell" }] },
    { topic: topics.light("*").set, payload: { state: "ON", brightness: 128, color: { r: 255, g: 0, b: 40 }, transition: 0.5 } },
    { topic: topics.light("*").set, payload: { state: "OFF" } },
    { topic: topics.light("*").set, payload: { effect: "Racing" } },
    { topic: topics.presetSet, payload: "Racing" },
    { topic: topics.testFlash, payload: "PRESS" },
    { topic: topics.haStatus, payload: "online" },
    { topic: `${topics.base}/integration/${h.integrations.get("cs2")!.id}/event`, payload: { ...(fixtures.cs2[1] as object), auth: { token: cs2Token } } },
    { topic: `${topics.base}/integration/${h.integrations.get("webhook")!.id}/event`, payload: { token: hookToken, payload: WEBHOOK_SEEDS[1] } },
    { topic: `${topics.base}/integration/gi_nosuchthing/event`, payload: { token: "x", payload: {} } },
  ];
  let lastRejection: unknown = null;
  const mqtt: Target<{ topic: string; payload: string }> = {
    name: "MQTT topics (the service's message handler)",
    seeds: mqttSeeds.map((s) => ({ topic: s.topic, payload: typeof s.payload === "string" ? s.payload : JSON.stringify(s.payload) })),
    mutate(rng, seed, seeds) {
      const topic = rng.chance(0.05) ? textMutation(rng, seed.topic) : seed.topic;
      if (rng.chance(0.3)) return { topic, payload: textMutation(rng, seed.payload) };
      let value: unknown;
      try {
        value = JSON.parse(seed.payload);
      } catch {
        value = seed.payload;
      }
      return { topic, payload: JSON.stringify(mutateJson(rng, value, seeds.map((s) => s.payload))) ?? "" };
    },
    run: (m) => handle(m.topic, Buffer.from(m.payload)),
    expected: () => false,
    limit: MQTT_MAX_PAYLOAD,
    size: (m) => Buffer.byteLength(m.payload),
    check() {
      const r = box.mqtt.lastRejection;
      if (r === lastRejection) return busOk() ?? prototypeIntact();
      lastRejection = r;
      return r && ENGINE_ERROR.test(r.error) ? `rejected with an engine error: ${r.error}` : busOk() ?? prototypeIntact();
    },
  };

  // The live channel: whatever a client sends, as text, parsed JSON (as Elysia hands it on) or bytes.
  const peer: LiveSocket = { send: () => 1, getBufferedAmount: () => 0, close: () => {}, terminate: () => {} };
  box.live.open(peer, undefined, undefined);
  const live: Target<unknown> = {
    name: "live channel: client messages",
    seeds: [{ type: "subscribe", fps: 30 }, { type: "subscribe", fps: 1 }, "{\"type\":\"subscribe\",\"fps\":240}"],
    mutate(rng, seed, seeds) {
      if (rng.chance(0.1)) return mutateBytes(rng, new TextEncoder().encode(JSON.stringify(seed)));
      const v = mutateJson(rng, typeof seed === "string" ? JSON.parse(seed) : seed, seeds);
      return rng.chance(0.4) ? JSON.stringify(v) ?? "" : v;
    },
    run: (m) => box.live.message(peer, m),
    expected: () => false,
    check: prototypeIntact,
    limit: LIVE_SOCKET_OPTIONS.maxPayloadLength,
  };

  // Settings: the real service, store and engine. Outputs keep to loopback and to no device (a
  // mutated host would be looked up and sent to; a mutated path opened), and MQTT is left as set.
  const repo = new SettingsRepo(box.db);
  let before = JSON.stringify(box.settings.get());
  const settings: Target<unknown> = {
    name: "settings (SettingsService.update)",
    seeds: SETTINGS_SEEDS,
    mutate: (rng, seed, seeds) => loopbackOnly(mutateJson(rng, seed, seeds)),
    async run(patch) {
      before = JSON.stringify(box.settings.get());
      const r = await box.settings.update(patch);
      if (!r.ok) throw new DomainError("invalid", r.error);
    },
    expected: domain,
    check() {
      const now = JSON.stringify(box.settings.get());
      if (JSON.stringify(box.engine.settings) !== now) return "the engine runs other settings than the service holds";
      if (JSON.stringify(repo.load()) !== now) return "the stored settings differ from the ones in force";
      if (now !== before && !SettingsSchema.safeParse(JSON.parse(now)).success) return "settings in force no longer validate";
      return prototypeIntact();
    },
    limit: MAX_BODY,
  };

  let createdBefore = 0;
  const mappings: Target<unknown> = jsonTarget({
    name: "mappings (MappingsService.create)",
    seeds: MAPPING_SEEDS,
    run(body) {
      createdBefore = h.t.logs.length;
      const rec = box.mappings.create(body);
      box.mappings.delete(rec.id);
    },
    expected: domain,
    check() {
      const leftOut = h.t.logs.slice(createdBefore).find((l) => l.includes("left out"));
      return leftOut ? `a mapping create accepted was left out when loaded: ${leftOut}` : prototypeIntact();
    },
    limit: MAX_BODY,
  });

  return [events, ...adapters, rlStream, mqtt, live, settings, mappings];
}

/** Output hosts to loopback and device paths to none: the fuzzer must not reach the LAN or a device. */
export function loopbackOnly(patch: unknown): unknown {
  const outputs = (patch as { outputs?: unknown } | null)?.outputs;
  if (Array.isArray(outputs)) {
    for (const o of outputs) {
      if (o === null || typeof o !== "object") continue;
      const out = o as Record<string, unknown>;
      if ("host" in out) out.host = "127.0.0.1";
      if ("device" in out) out.device = "/nonexistent/fuzz";
      if ("library" in out) out.library = "/nonexistent/fuzz.so";
    }
  }
  if (patch !== null && typeof patch === "object") delete (patch as Record<string, unknown>).mqtt;
  return patch;
}

// ---- pure parsers: declarative adapters and every poller's replies ---------------------------

export function parserTargets(): Target<any>[] {
  const yamlFiles = ["minecraft.yaml", "valorant.yaml"].map((f) => readFileSync(join(BUILTIN_DIR, f), "utf8"));
  const mcPayloads = loadFixture("minecraft.json").steps.map((s) => s.payload);
  const yaml: Target<string> = {
    name: "declarative adapter YAML (parseAdapterFile)",
    beforeLoop: true, // <data>/adapters is read when ledbox is built, before its engine starts
    seeds: [...yamlFiles, "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"],
    mutate: (rng, seed) => textMutation(rng, seed),
    run(text) {
      const r = parseAdapterFile(text, "fuzz.yaml");
      if (!r.ok) {
        if (!/^fuzz\.yaml:\d+: /.test(r.error)) throw new Error(`an error without file and line: ${r.error}`);
        return;
      }
      runAdapter(r.adapter, mcPayloads);
    },
    expected: () => false,
    check: prototypeIntact,
    limit: MAX_INPUT, // a file in <data>/adapters, read once at start
  };

  const info = [
    infoPayload({ name: "LAN", map: "c2m1_highway", folder: "left4dead2", game: "L4D2", appId: 550, players: 2, maxPlayers: 8, bots: 1, version: "2.2.2.6" }),
    infoPayload({ name: "TF", map: "ctf_2fort", folder: "tf", game: "TF2", appId: 440, players: 20, maxPlayers: 24, bots: 0, version: "1", edf: { port: 27015, steamId: 90000000000000000n, tv: [27020, "tv"], keywords: "a,b", gameId: 440n } }),
    infoPayload({ name: "Ship", map: "m", folder: "ship", game: "The Ship", appId: 2400, players: 1, maxPlayers: 2, bots: 0, version: "1" }),
    new Bytes().i32(-1).u8(0x6d).str("10.0.0.2:27015").str("GoldSrc").str("de_dust").str("cstrike").str("CS").u8(3, 16, 47, 0x64, 0x6c, 0, 1).str("http://x").str("http://y").raw(new Uint8Array(11)).u8(1, 0).build(),
  ];
  const players = [
    playersPayload([{ name: "Ellis", score: 3, duration: 120.5 }, { name: "Nick", score: -1, duration: 3 }]),
    playersPayload([]),
    playersPayload(Array.from({ length: 40 }, (_, i) => ({ name: `p${i}`, score: i, duration: i * 10 }))),
  ];
  const bz = ["multiblock.bz2", "players.bz2", "empty.bz2"].map((f) => new Uint8Array(readFileSync(join(import.meta.dir, "../servers/fixtures", f))));
  const rcon = [
    new Uint8Array([...encodePacket(1, 0, ""), ...encodePacket(1, 2, "")]),
    new Uint8Array([...encodePacket(7, 0, L4D2.slice(0, 300)), ...encodePacket(7, 0, L4D2.slice(300)), ...encodePacket(8, 0, "")]),
    encodePacket(-1, 2, ""),
  ];
  const mcStatus = [
    { version: { name: "1.21.4", protocol: 769 }, players: { max: 20, online: 2, sample: [{ name: "Steve", id: "069a79f4-44e9-4726-a5be-fca90e38aaf5" }, { name: "Alex", id: "853c80ef" }] }, description: { text: "§aLan ", extra: [{ text: "Survival", bold: true }] } },
    { version: { name: "Paper", protocol: 767 }, players: { max: 100, online: 0 }, description: "A plain MOTD" },
  ];
  const jsonRules = JsonRulesSchema.parse({ players: "players", maxPlayers: "server.max", map: "server.world", name: "server.title", playerList: "players", playerName: "nick", online: "server.up" });
  const jsonDocs = [
    { server: { title: "Valheim", world: "Midgard", max: 10, up: true }, players: [{ nick: "Odin" }, { nick: "Thor" }] },
    { server: { title: "x", max: 0, up: false }, players: [] },
  ];

  const bytesTarget = (name: string, seeds: Uint8Array[], limit: number, run: (b: Uint8Array) => unknown): Target<Uint8Array> => ({
    name, seeds, mutate: (rng, seed, all) => mutateBytes(rng, seed, all), run, expected: protocol, limit,
  });
  /** A whole A2S reply: split replies are reassembled from at most 32 datagrams of 1400 bytes. */
  const A2S_REPLY = 32 * 1400;
  return [
    yaml,
    bytesTarget("poller reply: A2S_INFO", info, MAX_DECOMPRESSED, (b) => parseInfo(new Reader(b, 5))),
    bytesTarget("poller reply: A2S_PLAYER", players, MAX_DECOMPRESSED, (b) => parsePlayers(new Reader(b, 5))),
    bytesTarget("poller reply: A2S bzip2 (split, compressed)", bz, A2S_REPLY, (b) => bunzip2(b, MAX_DECOMPRESSED)),
    bytesTarget("poller reply: RCON packets", rcon, MAX_INPUT, (b) => decodePackets(b)),
    {
      name: "poller reply: RCON status text", seeds: [L4D2, TF2, CS2],
      mutate: (rng, seed: string) => textMutation(rng, seed), run: (text: string) => parseStatus(text), expected: protocol,
      limit: MAX_INPUT,
    },
    {
      name: "poller reply: Minecraft status",
      seeds: mcStatus.map((s) => frame(JSON.stringify(s))),
      mutate(rng, seed: Uint8Array, all: Uint8Array[]) {
        if (rng.chance(0.5)) return mutateBytes(rng, seed, all);
        const json = JSON.parse(new TextDecoder().decode(seed.subarray(readVarInt(seed, 0)!.size)));
        return frame(JSON.stringify(mutateJson(rng, json, mcStatus)) ?? "");
      },
      run: (data: Uint8Array) => parseStatusFrame({ id: 0, data, at: 3 }),
      expected: protocol,
      limit: MAX_INPUT,
    },
    {
      name: "poller reply: JSON server",
      seeds: jsonDocs,
      mutate: (rng, seed, all) => mutateJson(rng, seed, all),
      run: (doc: unknown) => mapJson(doc, jsonRules),
      expected: protocol,
      limit: MAX_INPUT,
    },
  ];
}

/** A Minecraft status packet's data: the JSON string with its VarInt length. */
function frame(json: string): Uint8Array {
  const text = new TextEncoder().encode(json);
  return new Uint8Array([...writeVarInt(text.length), ...text]);
}

/** A loaded adapter on real payloads: its events must be valid ones. */
function runAdapter(adapter: Adapter, payloads: unknown[]): void {
  let state: unknown;
  for (const p of payloads) {
    try {
      const r = adapter.step(p, state, adapter.configSchema.parse({}), "gi_fuzz");
      state = r.next;
      if (r.events.length) {
        const v = parseEvents(r.events.map((e) => ({ ...e, source: "gi_fuzz", game: e.game ?? adapter.game })));
        if (!v.ok) throw new Error(`the adapter made an invalid event: ${v.error}`);
      }
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
    }
  }
}
