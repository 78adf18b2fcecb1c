// A real ledbox process (`bun src/main.ts`) on an ephemeral loopback port: what a crash in any
// unit would take down, tests see as the process exiting.
import type { Subprocess } from "bun";
import { join } from "node:path";
import { call, until } from "./box.ts";

const ROOT = join(import.meta.dir, "../..");

/** Collects a stream's text as it arrives. */
export function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = "";
  const dec = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) text += dec.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

export interface LedboxProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  out: () => string;
  err: () => string;
  /** An admin session cookie: claims the device with the printed setup code, or logs in. */
  admin(password?: string): Promise<string>;
  /** SIGTERM, then the exit code (or "still running" after 5 s). */
  stop(): Promise<number | string>;
}

/** `bunArgs` go to the runtime (e.g. --smol), `args` to ledbox. */
export async function startProcess(dataDir: string, args: string[] = [], env: Record<string, string> = {}, bunArgs: string[] = []): Promise<LedboxProcess> {
  const proc = Bun.spawn([process.execPath, ...bunArgs, "src/main.ts", "--port", "0", "--host", "127.0.0.1", "--data", dataDir, ...args], {
    cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env },
  });
  const out = collect(proc.stdout);
  const err = collect(proc.stderr);
  const port = await until(() => /listening on http:\/\/[^:]+:(\d+)/.exec(out.text())?.[1] ?? (proc.exitCode !== null ? "exited" : null), `the "listening on" line (stderr: ${err.text()})`, 15_000);
  if (port === "exited") throw new Error(`ledbox exited with ${proc.exitCode}: ${err.text()}`);
  const url = `http://127.0.0.1:${port}`;
  return {
    proc, url, out: out.text, err: err.text,
    async admin(password = "correct horse battery") {
      const code = /first-run setup code: ([A-Z0-9]{8})/.exec(out.text())?.[1];
      const r = code
        ? await call(url, "POST", "/api/v1/auth/setup", { code, password })
        : await call(url, "POST", "/api/v1/auth/login", { password });
      const cookie = /ledbox_session=[^;]+/.exec(r.headers.get("set-cookie") ?? "")?.[0];
      if (!cookie) throw new Error(`no session: ${r.status} ${r.text}`);
      return cookie;
    },
    async stop() {
      proc.kill("SIGTERM");
      return Promise.race([proc.exited, Bun.sleep(5000).then(() => "still running")]);
    },
  };
}
