// Starts a real ledbox on an ephemeral loopback port with its own temporary data folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledbox } from "../../src/ledbox.ts";
import { SESSION_COOKIE } from "../../src/http/auth.ts";

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
