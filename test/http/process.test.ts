// The real process: `bun src/main.ts` on an ephemeral loopback port, stopped with SIGTERM (exit 0
// after blacking out); bad start-up options end it with a clear error. And in-process: after stop,
// the virtual output's last frame is black.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { call, startBox, tempDir, until } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const ROOT = join(import.meta.dir, "../..");

/**
 * The exit code once the process ends by itself. One that hangs is killed before the test's
 * timeout (so nothing is left running), and its signal's code then fails the test.
 */
function exitCode(proc: Bun.Subprocess): Promise<number> {
  const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  return proc.exited.finally(() => clearTimeout(killer));
}

/** Collects a stream's text as it arrives. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = "";
  const dec = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream) text += dec.decode(chunk, { stream: true });
  })();
  return { text: () => text, done };
}

describe("the ledbox process", () => {
  test("starts on --port 0, serves, and on SIGTERM blacks out and exits 0", async () => {
    const dir = tempDir();
    const proc = Bun.spawn([process.execPath, "src/main.ts", "--port", "0", "--host", "127.0.0.1", "--data", dir], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, LEDBOX_PORT: "1", LEDBOX_DATA_DIR: "/nonexistent/should-not-be-used" },
    });
    const out = collect(proc.stdout);
    const err = collect(proc.stderr);
    try {
      const m = await until(() => /listening on http:\/\/[^:]+:(\d+)/.exec(out.text()), `the "listening on" line (stderr: ${err.text()})`, 10_000);
      const port = Number(m[1]);
      expect(port).toBeGreaterThan(1);
      // --data won over LEDBOX_DATA_DIR, --port over LEDBOX_PORT.
      expect(out.text()).toContain(`data in ${dir}`);
      const url = `http://127.0.0.1:${port}`;
      const h = await call(url, "GET", "/api/v1/health");
      expect(h.status).toBe(200);
      expect(h.body.ok).toBe(true);
      expect(out.text()).toMatch(/first-run setup code: [A-Z0-9]{8}/);

      proc.kill("SIGTERM");
      expect(await exitCode(proc)).toBe(0);
      await out.done;
      expect(out.text()).toContain("SIGTERM: blacking out and stopping");
      // Settings were stored where --data said.
      expect(await Bun.file(join(dir, "ledbox.db")).exists()).toBe(true);
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a bad start-up option ends it with a clear error", async () => {
    const proc = Bun.spawn([process.execPath, "src/main.ts", "--port", "eighty", "--data", "/nonexistent/unused"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const code = await exitCode(proc);
    expect(proc.signalCode).toBeNull(); // it ended by itself, not by the kill
    expect(code).not.toBe(0);
    const err = await new Response(proc.stderr).text();
    expect(err).toMatch(/bad start-up option: port/);
  });
});

describe("stop", () => {
  test("writes a black frame to the output", async () => {
    const t = await startBox({ settings: { strip: { ledCount: 30 } } });
    let stopped = false;
    try {
      const cookie = await t.admin();
      expect((await call(t.url, "PUT", "/api/v1/scene/base", { colors: ["#ffffff"], level: 1, transitionMs: 0 }, { cookie })).status).toBe(200);
      const driver = t.box.engine.outputs[0].driver as unknown as { last: Uint8Array };
      await until(() => driver.last.every((b) => b > 100), "the virtual strip lit white");
      await t.stop();
      stopped = true;
      expect(driver.last.length).toBe(90);
      expect(driver.last.every((b) => b === 0)).toBe(true);
    } finally {
      if (!stopped) await t.stop();
    }
  });
});
