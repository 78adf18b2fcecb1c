// Serial: the bun:ffi termios binding, serialport's stream API on top of it, and the serial
// driver's three protocols — all through a real pseudo-terminal pair.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPortStream } from "@serialport/stream";
import { SettingsSchema, type SerialOutput } from "../../src/config/schema.ts";
import { openSync, closeSync, constants } from "node:fs";
import { lineBaud } from "../../src/outputs/libc.ts";
import { FfiBinding, type FfiPort } from "../../src/outputs/serial-binding.ts";
import { crc16 } from "../../src/outputs/serial-encoders.ts";
import { SerialDriver } from "../../src/outputs/serial.ts";
import { collectBytes, ptyPair, socat, type PtyPair } from "./pty.ts";
import { COLORS, ctxFor, expected, logical, frameFor } from "./util.ts";
import { until } from "../helpers/box.ts";
import { requires } from "../helpers/requires.ts";

// serialport's Linux listing asks udev (udevadm), as it does on Raspberry Pi OS.
const udev = requires("serial port list", ["udevadm"], "apt-get install udev");
const strace = requires("serial close", ["strace"], "apt-get install strace");

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function pair(): Promise<PtyPair> {
  const p = await ptyPair();
  cleanup.push(() => p.stop());
  return p;
}

/** Everything that arrives at one end, read by a background loop. */
async function collect(path: string): Promise<{ bytes: number[]; port: FfiPort }> {
  const c = await collectBytes(path);
  cleanup.push(() => c.port.close());
  return c;
}

const serialCfg = (device: string, extra: Record<string, unknown> = {}) =>
  SettingsSchema.parse({ outputs: [{ driver: "serial", device, ...extra }] }).outputs[0] as SerialOutput;

describe.skipIf(socat.skip)("FFI serial binding", () => {
  test("raw 2 Mbaud line, 10 kB through the pty byte-identical both ways", async () => {
    const p = await pair();
    const rx = await collect(p.b);
    const tx = await FfiBinding.open({ path: p.a, baudRate: 2000000 });
    cleanup.push(() => tx.close());
    expect(lineBaud(tx.fd)).toBe(2000000);
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) & 255));
    await tx.write(data);
    await until(() => rx.bytes.length >= data.length, "10 kB", 3000);
    expect(Buffer.from(rx.bytes).equals(data)).toBe(true);
    await rx.port.write(Buffer.from("back"));
    const buf = Buffer.alloc(16);
    const { bytesRead } = await tx.read(buf, 0, 16);
    expect(buf.subarray(0, bytesRead).toString()).toBe("back");
  });

  test("plugs into serialport's SerialPortStream", async () => {
    const p = await pair();
    const rx = await collect(p.b);
    const port = new SerialPortStream({ binding: FfiBinding as never, path: p.a, baudRate: 115200 });
    await new Promise<void>((res, rej) => port.on("open", res).on("error", rej));
    port.write(Buffer.from("hello from serialport"));
    await until(() => rx.bytes.length >= 21, "the bytes", 2000);
    expect(Buffer.from(rx.bytes).toString()).toBe("hello from serialport");
    await new Promise<void>((res) => port.close(() => res()));
  });

  test.skipIf(udev.skip)("lists ports through serialport's own Linux binding, which works under Bun", async () => {
    udev.assert();
    const ports = await FfiBinding.list();
    expect(Array.isArray(ports)).toBe(true);
    for (const p of ports) expect(p.path).toStartWith("/dev/");
  });

  test("the rate is set as a number (TCSETS2, BOTHER): exact for any rate, as the kernel holds it for every opener", async () => {
    const p = await pair();
    for (const baud of [2_000_000, 12_345, 115_200]) {
      const port = await FfiBinding.open({ path: p.a, baudRate: baud });
      const other = openSync(p.a, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK); // another opener, same tty
      try {
        expect(lineBaud(other)).toBe(baud);
      } finally {
        closeSync(other);
        await port.close();
      }
    }
  });

  test("a rate that is no rate, or a non-tty, is refused with the reason", async () => {
    const p = await pair();
    await expect(FfiBinding.open({ path: p.a, baudRate: 0 })).rejects.toThrow("baud 0 is not a rate");
    await expect(FfiBinding.open({ path: p.a, baudRate: 1.5e6 + 0.5 })).rejects.toThrow("is not a rate");
    await expect(FfiBinding.open({ path: "/dev/null", baudRate: 115200 })).rejects.toThrow("not a serial port");
  });

  test("open asks the adapter for low latency (FTDI's 16 ms timer → 1 ms); a pty, which has no such setting, still opens", async () => {
    const p = await pair();
    const rx = await collect(p.b);
    const port = await FfiBinding.open({ path: p.a, baudRate: 2000000 });
    cleanup.push(() => port.close());
    expect(port.lowLatencyErrno).toBe(25); // ENOTTY: the pty driver has no serial settings
    await port.write(Buffer.from("still works"));
    await until(() => rx.bytes.length >= 11, "the bytes", 2000);
    expect(Buffer.from(rx.bytes).toString()).toBe("still works");
  });
});

/** Adalight/AWA receiver per the published layouts. */
function adaDecode(bytes: number[], second: number, leds: number) {
  const at = bytes.findIndex((b, i) => b === 0x41 && bytes[i + 1] === second && bytes[i + 2] === 0x61);
  expect(at).toBe(0);
  const hi = bytes[3], lo = bytes[4];
  expect(bytes[5]).toBe(hi ^ lo ^ 0x55);
  expect(((hi << 8) | lo) + 1).toBe(leds);
  const payload = bytes.slice(6, 6 + leds * 3);
  const colors = Array.from({ length: leds }, (_, i) => payload.slice(i * 3, i * 3 + 3));
  return { colors, rest: bytes.slice(6 + leds * 3), payload };
}

describe.skipIf(socat.skip)("serial driver: Adalight and AWA", () => {
  test("Adalight: header with count − 1 and its check byte, RGB in logical order", async () => {
    const p = await pair();
    const rx = await collect(p.b);
    const d = new SerialDriver(serialCfg(p.a, { protocol: "adalight", baud: 115200 }), ctxFor(8, "GRB"));
    await d.open();
    d.write(frameFor("GRB"));
    await until(() => rx.bytes.length >= 6 + 24, "a frame", 2000);
    expect(adaDecode(rx.bytes, 0x64, 8).colors).toEqual(expected(COLORS, false));
    expect(d.wireLimitFps()).toBeCloseTo(115200 / 10 / 30, 5);
    await d.close();
  });

  test("AWA: Fletcher checksums over the payload, fExt 0x41 sent as 0xAA", async () => {
    const p = await pair();
    const rx = await collect(p.b);
    const d = new SerialDriver(serialCfg(p.a, { protocol: "awa" }), ctxFor(8, "BRG"));
    await d.open();
    d.write(frameFor("BRG"));
    await until(() => rx.bytes.length >= 6 + 24 + 3, "a frame", 2000);
    const { colors, rest, payload } = adaDecode(rx.bytes, 0x77, 8);
    expect(colors).toEqual(expected(COLORS, false));
    let f1 = 0, f2 = 0, fx = 0;
    payload.forEach((b, i) => {
      f1 = (f1 + b) % 255;
      f2 = (f2 + f1) % 255;
      fx = (fx + (b ^ i)) % 255;
    });
    expect(rest).toEqual([f1, f2, fx === 0x41 ? 0xaa : fx]);
    await d.close();
  });
});

/** A bridge per PROTOCOL.md, in TypeScript: hello, then acknowledges (or reports CRC errors). */
async function fakeBridge(path: string, opts: { maxBytes?: number; corruptAck?: boolean; silent?: boolean; garbage?: boolean } = {}) {
  const port = await FfiBinding.open({ path, baudRate: 2000000 });
  const frames: { type: string; seq: number; count: number; flags: number; payload: number[] }[] = [];
  let crcErrors = 0;
  const stop = { done: false };
  cleanup.push(async () => {
    stop.done = true;
    await port.close();
  });
  const max = opts.maxBytes ?? 1536;
  const garbage = Buffer.from("this is not a ledbox bridge at all, just text it keeps printing\r\n".repeat(3));
  const buf: number[] = [];
  void (async () => {
    const chunk = Buffer.alloc(4096);
    try {
      while (!stop.done) {
        const { bytesRead } = await port.read(chunk, 0, chunk.length);
        buf.push(...chunk.subarray(0, bytesRead));
        for (;;) {
          const at = buf.findIndex((b, i) => b === 0x4c && buf[i + 1] === 0x42);
          if (at < 0 || buf.length < at + 8) break;
          const type = String.fromCharCode(buf[at + 3]);
          const count = (buf[at + 5] << 8) | buf[at + 6];
          const len = type === "C" ? 2 : count * (buf[at + 7] & 1 ? 4 : 3);
          if (buf.length < at + 8 + len + 2) break;
          const msg = Uint8Array.from(buf.splice(0, at + 8 + len + 2).slice(at));
          const crc = (msg[8 + len] << 8) | msg[9 + len];
          const seq = msg[4];
          if (crc !== crc16(msg, 2, 8 + len)) {
            crcErrors++;
            await port.write(Buffer.from([0x45, seq]));
            continue;
          }
          if (opts.garbage) await port.write(garbage);
          if (opts.garbage || opts.silent) continue;
          if (type === "Q") {
            await port.write(Buffer.from([0x48, 1, max >> 8, max & 255]));
            continue;
          }
          frames.push({ type, seq, count, flags: msg[7], payload: Array.from(msg.subarray(8, 8 + len)) });
          if (!opts.silent) await port.write(Buffer.from([0x4b, opts.corruptAck ? (seq + 1) & 255 : seq]));
        }
      }
    } catch {}
  })();
  return { frames, crcErrors: () => crcErrors };
}

describe.skipIf(socat.skip)("serial driver: a device that stops reading", () => {
  test("writes that stall are a fault in health, not a send that never ends; close() still completes", async () => {
    const p = await pair(); // nobody reads the far end: its buffers fill, then every write waits
    const d = new SerialDriver(serialCfg(p.a, { protocol: "adalight", length: 150 }), ctxFor(150));
    await d.open();
    const frame = new Uint8Array(450);
    const down = await until(() => {
      d.write(frame);
      return d.health().ok ? undefined : d.health();
    }, "the stall in health", 8000);
    expect(down.message).toMatch(/took no data for 2 s \(the device stopped reading\); retrying in/);
    // Completes (a close that waited on the stalled write for ever would fail by the test's timeout).
    await d.close();
    expect(d.health().ok).toBe(false);
  }, 15_000);

  // A USB serial tty's close() waits up to 30 s (closing_wait) for queued output to drain; a pty
  // does not, so what is checked is the call itself: the queue is dropped right before close().
  test.skipIf(strace.skip)("closing drops the queued output first, so close() cannot wait for a device that stopped reading", async () => {
    strace.assert();
    const p = await pair();
    const dir = mkdtempSync(join(tmpdir(), "ledbox-close-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, "close.ts");
    await Bun.write(script, `
      import { FfiBinding } from ${JSON.stringify(join(import.meta.dir, "../../src/outputs/serial-binding.ts"))};
      const port = await FfiBinding.open({ path: ${JSON.stringify(p.a)}, baudRate: 115200 });
      await port.write(new Uint8Array(64));
      await port.close();
      console.log(port.fd);
    `);
    const trace = join(dir, "trace.txt");
    const r = Bun.spawnSync(["strace", "-f", "-e", "trace=ioctl,close", "-o", trace, process.execPath, script], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const fd = r.stdout.toString().trim();
    // A call made by another thread may be split: "close(5 <unfinished ...>", then its result.
    const calls = (await Bun.file(trace).text()).split("\n").filter((l) => new RegExp(`(ioctl|close)\\(${fd}[,) ]`).test(l));
    const flush = calls.findIndex((l) => l.includes("TCFLSH, TCOFLUSH"));
    expect(flush).toBeGreaterThanOrEqual(0);
    expect(calls[flush + 1]).toMatch(new RegExp(`close\\(${fd}[) ]`));
  });
});

describe.skipIf(socat.skip)("serial driver: ledbox bridge protocol", () => {
  test("query → hello → config with the silence timeout → acknowledged frames in wire order, CRC-checked", async () => {
    const p = await pair();
    const bridge = await fakeBridge(p.b);
    const d = new SerialDriver(serialCfg(p.a, { silenceMs: 1500 }), ctxFor(8, "GRBW"));
    await d.open();
    await until(() => d.health().ok, "the handshake");
    d.write(frameFor("GRBW"));
    await until(() => bridge.frames.length >= 2, "config and frame", 2000);
    expect(bridge.frames[0]).toMatchObject({ type: "C", count: 0, payload: [1500 >> 8, 1500 & 255] });
    expect(bridge.frames[1]).toMatchObject({ type: "F", seq: (bridge.frames[0].seq + 1) & 255, count: 8, flags: 1 });
    expect(logical(Uint8Array.from(bridge.frames[1].payload), "GRBW")).toEqual(expected(COLORS, true));
    expect(bridge.crcErrors()).toBe(0);
    await until(() => d.health().framesWritten === 1, "the ack", 1000);
    await d.close();
  });

  test("newest frame wins while a frame awaits its ack: a burst of writes costs no latency", async () => {
    const p = await pair();
    const bridge = await fakeBridge(p.b);
    const d = new SerialDriver(serialCfg(p.a), ctxFor(150));
    await d.open();
    const f = new Uint8Array(450);
    for (let k = 1; k <= 50; k++) {
      f.fill(k);
      d.write(f);
    }
    await until(() => bridge.frames.some((fr) => fr.payload[0] === 50), "the last frame", 2000);
    // Every write is either sent (counted when its ack arrives) or replaced by a newer one: the
    // first goes out at once, the second waits for it, and the 48 after it each replace the waiting one.
    const h = await until(() => { const x = d.health(); return x.framesWritten + x.framesDropped === 50 ? x : undefined; }, "every write accounted for", 2000);
    expect([h.framesWritten, h.framesDropped]).toEqual([2, 48]);
    await d.close();
  });

  test("a bridge that holds less than the output needs is refused with its limit named", async () => {
    const p = await pair();
    await fakeBridge(p.b, { maxBytes: 300 });
    const d = new SerialDriver(serialCfg(p.a), ctxFor(150));
    await d.open();
    await until(() => d.health().message?.includes("the bridge's firmware takes at most 300 bytes (100 LEDs), this output needs 450"), "the refusal in health");
    expect(d.health().ok).toBe(false);
    await d.close();
  });

  test("garbage instead of replies, and wrong acks, are reported in health", async () => {
    const p = await pair();
    await fakeBridge(p.b, { garbage: true });
    const d = new SerialDriver(serialCfg(p.a), ctxFor(10));
    await d.open();
    await until(() => /answers garbage|did not announce itself/.test(d.health().message ?? ""), "the garbage in health", 5000);
    expect(d.health().ok).toBe(false);
    await d.close();

    const q = await pair();
    await fakeBridge(q.b, { corruptAck: true });
    const e = new SerialDriver(serialCfg(q.a), ctxFor(10));
    await e.open();
    await until(() => e.health().message?.includes("answered out of turn"), "the wrong ack in health");
    expect(e.health().ok).toBe(false);
    await e.close();
  });

  test("closed while the bridge has not answered yet: the hello ends at once and the loop never stalls", async () => {
    const p = await pair();
    const d = new SerialDriver(serialCfg(p.a), ctxFor(10));
    await d.open();
    await d.close();
    // The hello ends on the failed write to the closed port: its 3 s timeout, or a retry loop
    // spinning on that failure without yielding, would show as a different message or none.
    const ended = await until(() => d.health().message, "the hello to end");
    expect(ended).toBe("port closed");
    expect(d.health().ok).toBe(false);
  });

  test("unplug and replug: the driver reports it, retries with backoff and resumes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ledbox-pty-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    let p = await ptyPair(dir, false);
    await fakeBridge(p.b);
    const d = new SerialDriver(serialCfg(p.a), ctxFor(10));
    await d.open();
    d.write(new Uint8Array(30).fill(1));
    await until(() => d.health().framesWritten === 1, "the first frame", 2000);
    await p.stop(); // unplugged: the pty disappears
    d.write(new Uint8Array(30).fill(2));
    const down = await until(() => (d.health().ok ? undefined : d.health()), "the fault to show", 3000);
    expect(down.message).toContain("retrying in");
    p = await ptyPair(dir, false);
    cleanup.push(() => p.stop());
    const bridge = await fakeBridge(p.b);
    // Backoff: the next attempt comes within a few seconds, then the waiting frame goes out.
    await until(() => d.health().ok, "reconnection", 8000);
    d.write(new Uint8Array(30).fill(3));
    await until(() => bridge.frames.some((f) => f.type === "F" && f.payload[0] === 3), "a frame after replug", 2000);
    await d.close();
  });
});
