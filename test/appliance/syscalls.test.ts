// ledbox.service sets SystemCallFilter=@system-service: every system call ledbox makes must be in
// that set, or it would fail with EPERM on the appliance. ledbox runs here under strace through
// start-up, the page, settings saved, an event, a backup and a SIGTERM, and each call it made is
// looked up in the set as this machine's systemd-analyze expands it.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, until } from "../helpers/box.ts";
import { collect } from "../helpers/process.ts";
import { requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const tools = requires("syscalls", ["strace", "systemd-analyze"], "apt-get install strace systemd");
const dir = mkdtempSync(join(tmpdir(), "ledbox-syscalls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The system calls a filter group allows, nested groups expanded. */
function allowed(group: string): Set<string> {
  const text = Bun.spawnSync(["systemd-analyze", "syscall-filter"]).stdout.toString();
  const groups = new Map<string, string[]>();
  let cur: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("@")) groups.set(line.trim(), (cur = []));
    else if (line.trim() && !line.trim().startsWith("#")) cur.push(line.trim());
  }
  const out = new Set<string>();
  const expand = (g: string, seen: Set<string>) => {
    for (const x of groups.get(g) ?? []) {
      if (!x.startsWith("@")) out.add(x);
      else if (!seen.has(x)) expand(x, seen.add(x));
    }
  };
  expand(group, new Set([group]));
  return out;
}

describe.skipIf(tools.skip)("the unit's system call filter", () => {
  test("every call ledbox makes, from start to SIGTERM, is in @system-service", async () => {
    tools.assert();
    const trace = join(dir, "trace");
    const proc = Bun.spawn(["strace", "-f", "-qq", "-o", trace, process.execPath, "src/main.ts", "--port", "0", "--host", "127.0.0.1", "--data", join(dir, "data")], {
      cwd: ROOT, stdout: "pipe", stderr: "pipe",
    });
    const out = collect(proc.stdout);
    const port = await until(() => /listening on http:\/\/[^:]+:(\d+)/.exec(out.text())?.[1] ?? (proc.exitCode !== null ? "exited" : null), "ledbox under strace", 60_000);
    expect(port).not.toBe("exited");
    const url = `http://127.0.0.1:${port}`;
    const code = /first-run setup code: ([A-Z0-9]{8})/.exec(out.text())![1];
    const setup = await call(url, "POST", "/api/v1/auth/setup", { code, password: "correct horse battery" });
    const cookie = /ledbox_session=[^;]+/.exec(setup.headers.get("set-cookie") ?? "")![0];
    expect((await call(url, "PUT", "/api/v1/settings", { light: { brightness: 0.5 } }, { cookie })).status).toBe(200);
    expect((await call(url, "POST", "/api/v1/events", { type: "kill" })).status).toBeLessThan(300);
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/system/backup`, { headers: { cookie } })).status).toBe(200);
    // SIGTERM to ledbox itself, strace's child.
    const child = Number(readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, "utf8").trim().split(/\s+/)[0]);
    process.kill(child, "SIGTERM");
    expect(await proc.exited).toBe(0);
    // The exit can come before the last of stdout has been read.
    await out.done;
    expect(out.text()).toContain("blacking out and stopping");

    const used = new Set([...readFileSync(trace, "utf8").matchAll(/^\d+\s+([a-z_0-9]+)\(/gm)].map((m) => m[1]));
    const set = allowed("@system-service");
    expect(used.size).toBeGreaterThan(30);
    expect(set.size).toBeGreaterThan(100);
    expect([...used].filter((c) => !set.has(c)).sort()).toEqual([]);
    // The same look-up against a narrower set finds calls outside it: the comparison is real.
    expect([...used].filter((c) => !allowed("@basic-io").has(c)).length).toBeGreaterThan(0);
  });
});
