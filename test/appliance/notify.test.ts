// The notify protocol as systemd speaks it: a unix datagram socket bound by Python's socket
// module (not ledbox's own code) stands in for $NOTIFY_SOCKET, at a path and in the abstract
// namespace. The real process must send READY=1 only once HTTP answers, WATCHDOG=1 while its
// render loop runs, STOPPING=1 on SIGTERM. The watchdog's decision is tested on its own with an
// injected clock, and on a real engine whose loop is stopped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SettingsSchema } from "../../src/config/schema.ts";
import { Engine } from "../../src/light/engine.ts";
import { LoopWatchdog, Notifier, notifyAddress, watchdogMs } from "../../src/system/notify.ts";
import { until } from "../helpers/box.ts";
import { collect, startProcess } from "../helpers/process.ts";
import { requires } from "../helpers/requires.ts";

const python = requires("notify", ["python3"], "apt-get install python3");

/** Binds a SOCK_DGRAM unix socket (a leading '@': abstract) and prints each datagram as a JSON line. */
const RECEIVER = `
import json, socket, sys
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\\0" + name[1:] if name.startswith("@") else name)
print(json.dumps("bound"), flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

async function receiver(name: string) {
  const proc = Bun.spawn(["python3", "-c", RECEIVER, name], { stdout: "pipe", stderr: "pipe" });
  const out = collect(proc.stdout);
  const messages = () => out.text().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string).slice(1);
  await until(() => out.text().includes('"bound"') || proc.exitCode !== null, "the receiver to bind", 10_000);
  return { proc, messages };
}

describe("the notify address", () => {
  test("a path is NUL-terminated; an abstract name starts with NUL and has no terminator", () => {
    const path = notifyAddress("/run/systemd/notify")!;
    expect(new DataView(path.buffer).getUint16(0, true)).toBe(1);
    expect(path.length).toBe(2 + "/run/systemd/notify".length + 1);
    expect(path.at(-1)).toBe(0);
    const abs = notifyAddress("@sd-notify")!;
    expect(abs.length).toBe(2 + "@sd-notify".length);
    expect(abs[2]).toBe(0);
    expect(new TextDecoder().decode(abs.subarray(3))).toBe("sd-notify");
  });

  test("no socket, a relative name or a name too long for sun_path is no address", () => {
    expect(notifyAddress(undefined)).toBeNull();
    expect(notifyAddress("")).toBeNull();
    expect(notifyAddress("notify")).toBeNull();
    expect(notifyAddress("/" + "x".repeat(107))).toBeNull();
    expect(notifyAddress("/" + "x".repeat(106))).not.toBeNull();
  });

  test("the watchdog interval is for the process WATCHDOG_PID names, or any when it names none", () => {
    expect(watchdogMs({ WATCHDOG_USEC: "30000000" }, 42)).toBe(30_000);
    expect(watchdogMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42" }, 42)).toBe(30_000);
    expect(watchdogMs({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "41" }, 42)).toBeNull();
    expect(watchdogMs({}, 42)).toBeNull();
    expect(watchdogMs({ WATCHDOG_USEC: "0" }, 42)).toBeNull();
  });
});

describe("the watchdog decision", () => {
  test("a ping is due at half the interval, and only after a frame since the last one", () => {
    let now = 1000;
    const wd = new LoopWatchdog(10_000, () => now);
    wd.beat();
    now += 4_999;
    expect(wd.due()).toBe(false); // too soon
    now += 1;
    expect(wd.due()).toBe(true);
    expect(wd.due()).toBe(false); // sent; the next waits again
    now += 5_000;
    expect(wd.due()).toBe(false); // no frame since: the loop stalled
    now += 60_000;
    expect(wd.due()).toBe(false); // and stays stalled, however long
    wd.beat();
    expect(wd.due()).toBe(true); // a frame again: pings resume at once
  });

  test("driven by a real engine's frames: pings stop while its loop is stopped", async () => {
    let now = 0;
    const engine = new Engine(SettingsSchema.parse({}));
    const wd = new LoopWatchdog(1_000, () => now);
    engine.onFrame(wd.beat);
    await engine.start();
    await until(() => engine.stats().frames > 2 || null, "frames");
    now += 500;
    expect(wd.due()).toBe(true);
    await engine.stop(); // the clock stopped, as when a reconfigure never finishes reopening outputs
    now += 500;
    wd.due(); // frames rendered between that ping and the stop may still earn one
    now += 500;
    expect(wd.due()).toBe(false);
    now += 60_000;
    expect(wd.due()).toBe(false);
    await engine.start();
    await until(() => wd.due() || null, "a ping once frames come again");
    await engine.stop();
  });
});

describe.skipIf(python.skip)("the datagram path, for real", () => {
  const dir = mkdtempSync(join(tmpdir(), "ledbox-notify-"));
  beforeAll(() => python.assert());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("an abstract socket ('@' form) receives what the Notifier sends", async () => {
    const name = `@ledbox-test-${process.pid}-${Date.now()}`;
    const r = await receiver(name);
    try {
      const n = new Notifier(notifyAddress(name)!);
      expect(n.send("STATUS=one")).toBe(true);
      expect(n.send("WATCHDOG=1")).toBe(true);
      n.close();
      await until(() => r.messages().length === 2 || null, "two datagrams");
      expect(r.messages()).toEqual(["STATUS=one", "WATCHDOG=1"]);
    } finally {
      r.proc.kill();
    }
  });

  test("a socket nobody listens on: send says so and does not block or throw", () => {
    const n = new Notifier(notifyAddress(join(dir, "nobody"))!);
    expect(n.send("READY=1")).toBe(false);
    n.close();
  });

  test("ledbox under a notify socket: READY=1 once HTTP answers, WATCHDOG=1 as frames go on, STOPPING=1 on SIGTERM", async () => {
    const sock = join(dir, "notify");
    const r = await receiver(sock);
    // 400 ms: a ping due every 200 ms, so a few arrive quickly.
    const p = await startProcess(join(dir, "data"), [], { NOTIFY_SOCKET: sock, WATCHDOG_USEC: "400000" });
    try {
      const ready = await until(() => r.messages().find((m) => m.startsWith("READY=1")) ?? null, "READY=1", 10_000);
      // The status names the address it listens on: it must answer at once.
      const port = /STATUS=ledbox \S+ listening on http:\/\/localhost:(\d+)/.exec(ready)?.[1];
      expect(port).toBe(new URL(p.url).port);
      const health = await fetch(`${p.url}/api/v1/health`);
      expect(health.status).toBe(200);
      // Nothing but READY before the watchdog pings; the pings come only after it.
      expect(r.messages()[0]).toBe(ready);

      const frames = async () => ((await (await fetch(`${p.url}/api/v1/state`)).json()) as { stats: { frames: number } }).stats.frames;
      const seen: number[] = [];
      for (let i = 1; i <= 3; i++) {
        await until(() => r.messages().filter((m) => m === "WATCHDOG=1").length >= i || null, `WATCHDOG=1 number ${i}`, 10_000);
        seen.push(await frames());
      }
      expect(seen[1]).toBeGreaterThan(seen[0]);
      expect(seen[2]).toBeGreaterThan(seen[1]);

      expect(await p.stop()).toBe(0);
      await until(() => r.messages().some((m) => m.startsWith("STOPPING=1")) || null, "STOPPING=1", 10_000);
      const after = r.messages().slice(r.messages().findIndex((m) => m.startsWith("STOPPING=1")) + 1);
      expect(after.filter((m) => m === "WATCHDOG=1")).toEqual([]);
    } finally {
      await p.stop();
      r.proc.kill();
    }
  });
});
