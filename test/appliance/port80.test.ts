// Port 80 without root, as ledbox.service serves it: the unit runs ledbox as its own user with
// AmbientCapabilities=CAP_NET_BIND_SERVICE. Without systemd, setpriv gives an unprivileged user
// (nobody) that capability as an ambient one — what the unit does — and ledbox must answer on
// 127.0.0.1:80; without it, ledbox must refuse to start in one line that names the port.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "../helpers/box.ts";
import { collect } from "../helpers/process.ts";
import { AS_ROOT, requireAll, requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const NOBODY = 65534;
const CAP_NET_BIND_SERVICE = 10;
const asNobody = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"];
const tools = requires("port 80", [AS_ROOT, "setpriv"], "setting another user's capabilities needs root (sudo npm test) and setpriv (apt-get install util-linux)");

/** Why this machine cannot host the test although the tools are there (port 80 taken, the clone unreadable to nobody), or null. */
function obstacle(): string | null {
  if (tools.skip || process.getuid?.() !== 0) return null;
  try {
    Bun.listen({ hostname: "127.0.0.1", port: 80, socket: { data() {} } }).stop(true);
  } catch (err) {
    return `127.0.0.1:80 cannot be listened on here (${(err as Error).message}): another program has it`;
  }
  const readable = Bun.spawnSync([...asNobody, "sh", "-c", 'test -r "$1" && test -x "$2"', "sh", join(ROOT, "src/main.ts"), process.execPath]);
  return readable.exitCode === 0 ? null : `nobody (uid ${NOBODY}) cannot read ${ROOT} or run ${process.execPath}: clone it where others may read`;
}
const blocked = obstacle();
if (blocked && !requireAll) console.warn(`[port 80] SKIPPED: ${blocked}; set LEDBOX_REQUIRE_ALL=1 to make this a failure`);

const work = mkdtempSync(join(tmpdir(), "ledbox-port80-"));
chmodSync(work, 0o711); // nobody reaches its own folder inside
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** ledbox on 127.0.0.1:80 as nobody, its own data folder; `caps`: the unit's ambient capability. */
function start(name: string, caps: boolean) {
  const home = join(work, name);
  mkdirSync(home);
  chownSync(home, NOBODY, NOBODY);
  const capArgs = caps ? ["--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"] : ["--inh-caps=-all"];
  const proc = Bun.spawn([...asNobody, ...capArgs, process.execPath, "src/main.ts", "--port", "80", "--host", "127.0.0.1", "--data", join(home, "data")], {
    cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, HOME: home, LEDBOX_PORT: "" },
  });
  return { proc, out: collect(proc.stdout), err: collect(proc.stderr) };
}

/** A process's capability set from /proc (e.g. "CapEff") as a bit mask. */
const caps = (pid: number, set: string) => BigInt(`0x${new RegExp(`^${set}:\\s*([0-9a-f]+)$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]}`);

describe.skipIf(tools.skip || (blocked !== null && !requireAll))("port 80 as an unprivileged user", () => {
  beforeAll(() => {
    tools.assert();
    if (blocked) throw new Error(`${blocked} and LEDBOX_REQUIRE_ALL=1`);
  });

  test("with CAP_NET_BIND_SERVICE as an ambient capability (the unit's AmbientCapabilities=) ledbox answers on 127.0.0.1:80", async () => {
    const { proc, out, err } = start("with-cap", true);
    try {
      const listening = await until(() => (out.text().includes("listening on http://localhost:80") ? "yes" : proc.exitCode !== null ? "exited" : null), "ledbox to listen on port 80", 30_000);
      if (listening === "exited") throw new Error(`ledbox exited with ${proc.exitCode}: ${err.text()}`);
      // Really nobody, holding that one capability and no other.
      expect(readFileSync(`/proc/${proc.pid}/status`, "utf8")).toMatch(new RegExp(`^Uid:\\s+${NOBODY}\\s+${NOBODY}\\s+${NOBODY}\\s+${NOBODY}$`, "m"));
      expect(caps(proc.pid, "CapEff")).toBe(1n << BigInt(CAP_NET_BIND_SERVICE));
      expect(caps(proc.pid, "CapAmb")).toBe(1n << BigInt(CAP_NET_BIND_SERVICE));
      const r = await fetch("http://127.0.0.1:80/api/v1/health");
      expect(r.status).toBe(200);
      expect(((await r.json()) as { ok: boolean }).ok).toBe(true);
    } finally {
      proc.kill("SIGTERM");
      const code = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "still running")]);
      if (code === "still running") proc.kill("SIGKILL");
      await proc.exited;
    }
    expect(proc.exitCode).toBe(0);
  }, 60_000);

  test("without it ledbox refuses to start, in one line naming the port and what it needs", async () => {
    const { proc, out, err } = start("without-cap", false);
    const code = await Promise.race([proc.exited, Bun.sleep(30_000).then(() => "still running")]);
    if (code === "still running") proc.kill("SIGKILL");
    await Promise.all([out.done, err.done]);
    expect(code).toBe(1);
    expect(err.text().trim()).toBe(
      "[ledbox] cannot start: port 80 on 127.0.0.1 needs privilege to listen on: run with CAP_NET_BIND_SERVICE (ledbox.service grants it) or pick a port from 1024 up with --port (e.g. 8080)",
    );
    // Nothing else about it: no stack from stopping a server that never listened.
    expect(out.text()).not.toContain("Elysia");
    expect(out.text()).not.toContain("    at ");
  }, 60_000);
});
