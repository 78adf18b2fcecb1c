// Fuzzing through the real edges, fewer cases than in-process but the whole way: HTTP requests
// to a ledbox process (events, every adapter's ingest, settings, mappings, scene, the live
// channel's messages) and MQTT messages through a real broker. Every answer must be a 2xx or a
// 4xx with the one error shape, and the device must still serve and render afterwards.
import mqtt from "mqtt";
import { call } from "../helpers/box.ts";
import { ADAPTER_SEEDS, EVENT_SEEDS, loopbackOnly, MAPPING_SEEDS, SETTINGS_SEEDS } from "./targets.ts";
import { hash32, mutateJson, preview, Rng, textMutation } from "./lib.ts";

export interface Integration {
  id: string;
  type: string;
  token: string;
}

export interface ThroughResult {
  cases: number;
  ms: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
  findings: string[];
  /** Frames the device rendered while the cases ran. */
  frames: number;
  /** Frames the device skipped (clock overruns) while the cases ran. */
  overruns: number;
  /** With `attribute`: the frames skipped during each kind of case, and the first few such cases. */
  skippedBy?: { kind: Record<string, number>; cases: string[] };
}

const stats = async (url: string, auth: Record<string, string>) => (await call(url, "GET", "/api/v1/state", undefined, auth)).body.stats as { frames: number; overruns: number };

/** A JSON text, or now and then a damaged one. */
const body = (rng: Rng, v: unknown) => {
  const text = JSON.stringify(v) ?? "null";
  return rng.chance(0.1) ? textMutation(rng, text) : text;
};

const KINDS = ["event", "integration", "integration", "settings", "mapping", "scene", "live"];

/**
 * `cases` mutated requests against a running ledbox; `authorization` is an admin API token.
 * `attribute`: read the device's skipped frames after every case, to tell which cases cost frames.
 */
export async function fuzzHttp(url: string, authorization: string, integrations: Integration[], cases: number, seed: number, attribute = false): Promise<ThroughResult> {
  const auth = { authorization };
  const statuses: Record<number, number> = {};
  const findings: string[] = [];
  const before = await stats(url, auth);
  const start = performance.now();
  let ws: WebSocket | null = null;
  const skippedBy = { kind: {} as Record<string, number>, cases: [] as string[] };
  let overruns = before.overruns;
  for (let i = 0; i < cases; i++) {
    const rng = new Rng(hash32(`http:${seed}:${i}`));
    const kind = rng.int(7);
    const attributeSkipped = async (what: string) => {
      if (!attribute) return;
      const now = (await stats(url, auth)).overruns;
      if (now > overruns) {
        skippedBy.kind[KINDS[kind]] = (skippedBy.kind[KINDS[kind]] ?? 0) + now - overruns;
        if (skippedBy.cases.length < 5) skippedBy.cases.push(`case ${i}, ${now - overruns} skipped: ${what}`);
      }
      overruns = now;
    };
    let method = "POST", path = "/api/v1/events", text: string, headers: Record<string, string> = auth;
    if (kind === 0) text = body(rng, mutateJson(rng, rng.pick(EVENT_SEEDS), EVENT_SEEDS));
    else if (kind <= 2) {
      const it = rng.pick(integrations);
      const seeds = ADAPTER_SEEDS[it.type];
      let payload = mutateJson(rng, rng.pick(seeds), seeds);
      // Valve GSI carries its token inside; the others send it as a bearer token.
      if (it.type === "cs2" || it.type === "dota2") payload = payload !== null && typeof payload === "object" ? { ...payload, auth: { token: it.token } } : payload;
      else headers = { authorization: `Bearer ${it.token}` };
      path = `/api/v1/integrations/${it.id}/event`;
      text = body(rng, payload);
    } else if (kind === 3) {
      method = "PUT", path = "/api/v1/settings";
      text = body(rng, loopbackOnly(mutateJson(rng, rng.pick(SETTINGS_SEEDS), SETTINGS_SEEDS)));
    } else if (kind === 4) {
      path = "/api/v1/mappings";
      text = body(rng, mutateJson(rng, rng.pick(MAPPING_SEEDS), MAPPING_SEEDS));
    } else if (kind === 5) {
      const base = rng.chance(0.5);
      method = base ? "PUT" : "POST", path = base ? "/api/v1/scene/base" : "/api/v1/scene/effects";
      const seed = base ? { segment: "*", colors: ["#00ff88"], level: 0.4, effect: "breathing", hz: 0.5, transitionMs: 200 } : { effect: "sweep", colors: ["#ff0000"], durationMs: 300, priority: 60 };
      text = body(rng, mutateJson(rng, seed));
    } else {
      // The live channel: a message from a connected client.
      if (!ws || ws.readyState !== WebSocket.OPEN) ws = await openWs(url, authorization);
      const m = mutateJson(rng, { type: "subscribe", fps: 30 });
      const message = rng.chance(0.5) ? JSON.stringify(m) ?? "" : textMutation(rng, JSON.stringify(m) ?? "");
      ws?.send(message);
      statuses[101] = (statuses[101] ?? 0) + 1;
      await attributeSkipped(`live message ${preview(message)}`);
      continue;
    }
    const r = await call(url, method, path, text, headers);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status >= 500 || (r.status >= 400 && typeof r.body?.error !== "string")) findings.push(`${method} ${path} → ${r.status} ${r.text.slice(0, 200)} for ${preview(text)}`);
    if (r.status === 201 && path === "/api/v1/mappings") await call(url, "DELETE", `/api/v1/mappings/${r.body.id}`, undefined, auth);
    await attributeSkipped(`${method} ${path} → ${r.status} ${preview(text)}`);
  }
  ws?.close();
  const ms = performance.now() - start;
  const health = await call(url, "GET", "/api/v1/health", undefined, auth);
  if (health.status !== 200) findings.push(`health answers ${health.status} after the run`);
  const after = await stats(url, auth);
  if (after.frames <= before.frames) findings.push("the device stopped rendering");
  return { cases, ms, statuses, findings, frames: after.frames - before.frames, overruns: after.overruns - before.overruns, ...(attribute ? { skippedBy } : {}) };
}

function openWs(url: string, authorization: string): Promise<WebSocket | null> {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "/api/v1/live", { headers: { authorization } } as never);
  return new Promise((resolve) => {
    ws.addEventListener("open", () => resolve(ws));
    ws.addEventListener("error", () => resolve(null));
  });
}

/**
 * `cases` mutated messages published to a device's inbound topics through a real broker. The
 * device must stay connected and take (or refuse, on its error topic) every one.
 */
export async function fuzzMqtt(url: string, authorization: string, brokerUrl: string, integrations: Integration[], cases: number, seed: number): Promise<ThroughResult> {
  const auth = { authorization };
  const status = async () => (await call(url, "GET", "/api/v1/mqtt/status", undefined, auth)).body;
  const s0 = await status();
  const base = s0.baseTopic as string;
  const before = await stats(url, auth);
  const client = await mqtt.connectAsync(brokerUrl, { connectTimeout: 5000 });
  const topics: [string, unknown[]][] = [
    [`${base}/event`, EVENT_SEEDS],
    [`${base}/light/set`, [{ state: "ON", brightness: 128, color: { r: 255, g: 0, b: 40 }, transition: 0.5 }, { state: "OFF" }, { effect: "Racing" }]],
    [`${base}/preset/set`, ["Racing", "FPS Combat"]],
    [`${base}/test_flash/press`, ["PRESS"]],
    ["homeassistant/status", ["online"]],
    ...integrations.map((it): [string, unknown[]] => [
      `${base}/integration/${it.id}/event`,
      ADAPTER_SEEDS[it.type].map((p) => (it.type === "cs2" || it.type === "dota2" ? { ...(p as object), auth: { token: it.token } } : { token: it.token, payload: p })),
    ]),
  ];
  const start = performance.now();
  for (let i = 0; i < cases; i++) {
    const rng = new Rng(hash32(`mqtt:${seed}:${i}`));
    const [topic, seeds] = rng.pick(topics);
    const seedValue = rng.pick(seeds);
    const payload = typeof seedValue === "string" && rng.chance(0.5) ? textMutation(rng, seedValue) : body(rng, mutateJson(rng, seedValue, seeds));
    await client.publishAsync(topic, payload, { qos: 1 });
  }
  const ms = performance.now() - start;
  await client.endAsync();
  const findings: string[] = [];
  const received = async () => (await status()).messages.received - s0.messages.received;
  // QoS 1 to the broker; the device takes them from there in order.
  const deadline = performance.now() + 30_000;
  while ((await received()) < cases && performance.now() < deadline) await Bun.sleep(100);
  const s1 = await status();
  if ((await received()) < cases) findings.push(`the device took ${await received()} of ${cases} messages`);
  if (s1.state !== "connected") findings.push(`MQTT is ${s1.state} after the run: ${s1.lastError}`);
  const after = await stats(url, auth);
  if (after.frames <= before.frames) findings.push("the device stopped rendering");
  return { cases, ms, statuses: { 200: cases - s1.messages.rejected + s0.messages.rejected, 400: s1.messages.rejected - s0.messages.rejected }, findings, frames: after.frames - before.frames, overruns: after.overruns - before.overruns };
}
