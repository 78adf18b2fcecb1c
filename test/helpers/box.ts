// Starts a real ledbox on an ephemeral loopback port with its own temporary data folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledbox } from "../../src/ledbox.ts";
import { SESSION_COOKIE } from "../../src/http/session.ts";
import { LiveMessageSchema, type LiveMessage } from "../../src/http/live.ts";

export interface TestBox {
  box: Ledbox;
  url: string;
  dataDir: string;
  logs: string[];
  /** Claims the device with the setup code and returns a Cookie header value for admin requests. */
  admin(): Promise<string>;
  stop(): Promise<void>;
}

export const ADMIN_PASSWORD = "correct horse battery";

export async function startBox(opts: { dataDir?: string; settings?: unknown } = {}): Promise<TestBox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "ledbox-test-"));
  const logs: string[] = [];
  const box = new Ledbox({ dataDir, port: 0, host: "127.0.0.1" }, (m) => logs.push(m));
  if (opts.settings) {
    const r = await box.settings.update(opts.settings);
    if (!r.ok) throw new Error(r.error);
  }
  await box.start();
  const url = box.url.replace("localhost", "127.0.0.1");
  let cookie: string | null = null;
  return {
    box, url, dataDir, logs,
    async admin() {
      if (cookie) return cookie;
      const code = box.auth.setupCode;
      const res = code
        ? await fetch(`${url}/api/v1/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, password: ADMIN_PASSWORD }) })
        : await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: ADMIN_PASSWORD }) });
      if (!res.ok) throw new Error(`admin login failed: ${res.status} ${await res.text()}`);
      const set = res.headers.get("set-cookie") ?? "";
      const m = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(set);
      if (!m) throw new Error(`no session cookie in ${set}`);
      cookie = `${SESSION_COOKIE}=${m[1]}`;
      return cookie;
    },
    async stop() {
      await box.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON request helper: returns status and parsed body. */
export async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json, text, headers: res.headers };
}

/** A fresh temporary folder (for tests that restart a ledbox on the same data). */
export function tempDir(prefix = "ledbox-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Polls fn until it returns something truthy; fails with `what` after the deadline. */
export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 3000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

/** Creates a bearer API token with the admin session and returns an Authorization header. */
export async function apiToken(t: TestBox, name = "test"): Promise<{ authorization: string; id: string }> {
  const r = await call(t.url, "POST", "/api/v1/auth/tokens", { name }, { cookie: await t.admin() });
  if (r.status !== 201) throw new Error(`token creation failed: ${r.status} ${r.text}`);
  return { authorization: `Bearer ${r.body.token}`, id: r.body.id };
}

export interface LiveFrame {
  /** performance.now() when it arrived. */
  at: number;
  /** RGB preview bytes, 3 per LED. */
  data: Uint8Array;
}

export interface LiveClient {
  ws: WebSocket;
  hello: Extract<LiveMessage, { type: "hello" }>;
  frames: LiveFrame[];
  messages: LiveMessage[];
  /** JSON messages that did not parse with LiveMessageSchema (should stay empty). */
  invalid: string[];
  /** Every event item received so far, in arrival order. */
  events(): { seq: number; event: Record<string, unknown> }[];
  /** Index to pass as `from`, so only frames arriving after this point are considered. */
  mark(): number;
  waitFrame(pred: (f: Uint8Array) => boolean, what: string, opts?: { from?: number; timeoutMs?: number }): Promise<Uint8Array>;
  waitMessage<T extends LiveMessage["type"]>(type: T, pred?: (m: Extract<LiveMessage, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<LiveMessage, { type: T }>>;
  send(msg: unknown): void;
  close(): Promise<void>;
}

/** Opens the live channel and resolves once the server's hello has arrived. */
export function openLive(url: string, opts: { query?: string; headers?: Record<string, string> } = {}): Promise<LiveClient> {
  const wsUrl = url.replace(/^http/, "ws") + "/api/v1/live" + (opts.query ? `?${opts.query}` : "");
  const ws = new WebSocket(wsUrl, { headers: opts.headers } as never);
  ws.binaryType = "arraybuffer";
  const frames: LiveFrame[] = [];
  const messages: LiveMessage[] = [];
  const invalid: string[] = [];
  const closed = new Promise<void>((res) => ws.addEventListener("close", () => res()));
  return new Promise((resolve, reject) => {
    let client: LiveClient | null = null;
    ws.addEventListener("close", (e) => client || reject(new Error(`live channel closed before hello (code ${e.code})`)));
    ws.addEventListener("error", () => client || reject(new Error("live channel failed to open")));
    ws.addEventListener("message", (m) => {
      if (typeof m.data !== "string") {
        frames.push({ at: performance.now(), data: new Uint8Array(m.data as ArrayBuffer) });
        return;
      }
      const parsed = LiveMessageSchema.safeParse(JSON.parse(m.data));
      if (!parsed.success) {
        invalid.push(m.data);
        return;
      }
      messages.push(parsed.data);
      if (parsed.data.type === "hello" && !client) {
        const hello = parsed.data;
        client = {
          ws, hello, frames, messages, invalid,
          events: () => messages.flatMap((x) => (x.type === "events" ? x.items : [])) as never,
          mark: () => frames.length,
          waitFrame: (pred, what, o = {}) =>
            until(() => {
              for (let i = o.from ?? 0; i < frames.length; i++) if (pred(frames[i].data)) return frames[i].data;
              return null;
            }, what, o.timeoutMs ?? 2000),
          waitMessage: (type, pred = () => true, timeoutMs = 2000) =>
            until(() => messages.find((x) => x.type === type && pred(x as never)) as never, `a "${type}" message`, timeoutMs),
          send: (msg) => ws.send(JSON.stringify(msg)),
          close: async () => {
            ws.close();
            await closed;
          },
        };
        resolve(client);
      }
    });
  });
}

/** The RGB preview bytes of LED i. */
export const led = (f: Uint8Array, i: number): [number, number, number] => [f[i * 3], f[i * 3 + 1], f[i * 3 + 2]];

/** Creates an integration as the admin; returns its id and its setup (token, config file, …). */
export async function createIntegration(t: TestBox, body: Record<string, unknown>) {
  const headers = { cookie: await t.admin() };
  const r = await call(t.url, "POST", "/api/v1/integrations", body, headers);
  if (r.status !== 201) throw new Error(`creating integration: ${r.status} ${r.text}`);
  const s = await call(t.url, "GET", `/api/v1/integrations/${r.body.id}/setup`, undefined, headers);
  if (s.status !== 200) throw new Error(`integration setup: ${s.status} ${s.text}`);
  return { id: r.body.id as string, token: s.body.token as string, setup: s.body };
}

/** An integration's status (open read). */
export const integrationStatus = async (t: TestBox, id: string) => (await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body;

/** Posts a raw payload to an integration's ingest endpoint. */
export const postToIntegration = (t: TestBox, id: string, body: unknown, headers: Record<string, string> = {}, query = "") =>
  call(t.url, "POST", `/api/v1/integrations/${id}/event${query}`, body, headers);
