// The real firmware in simavr: bytes go in through the simulated UART, the LED pin's edges
// come out with cycle timestamps and are decoded as WS2812 bits. Checked: colours, bit timing
// against the WS2812B datasheet (WS2812B in ../outputs/util.ts), the latch, acks,
// CRC errors, blanking after host silence — and end to end from ledbox's serial driver.
import { afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { SettingsSchema, type SerialOutput } from "../../src/config/schema.ts";
import type { FfiPort } from "../../src/outputs/serial-binding.ts";
import { encodeLbConfig, encodeLbFrame, encodeLbQuery, lbFrameBytes } from "../../src/outputs/serial-encoders.ts";
import { SerialDriver } from "../../src/outputs/serial.ts";
import { until } from "../helpers/box.ts";
import { collectBytes } from "../outputs/pty.ts";
import { COLORS, ctxFor, expected, logical, wireFor, WS2812B } from "../outputs/util.ts";
import { avrTools, buildFirmware, startSim, type Sim, type SimFrame } from "./sim.ts";

setDefaultTimeout(30_000);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function sim(): Promise<Sim> {
  const s = await startSim();
  cleanup.push(() => s.stop());
  return s;
}

async function host(path: string): Promise<{ port: FfiPort; rx: number[] }> {
  const { port, bytes } = await collectBytes(path, { keepQueued: true });
  cleanup.push(() => port.close());
  return { port, rx: bytes };
}

function frameMsg(payload: Uint8Array, bpl: 3 | 4, seq: number): Uint8Array {
  const m = new Uint8Array(lbFrameBytes(payload.length));
  encodeLbFrame(payload, bpl, seq, m);
  return m;
}

function expectWs2812Timing(f: SimFrame) {
  expect(f.t0h[0]).toBeGreaterThanOrEqual(WS2812B.t0h[0]);
  expect(f.t0h[1]).toBeLessThanOrEqual(WS2812B.t0h[1]);
  expect(f.t1h[0]).toBeGreaterThanOrEqual(WS2812B.t1h[0]);
  expect(f.t1h[1]).toBeLessThanOrEqual(WS2812B.t1h[1]);
  expect(f.tlowMax).toBeLessThan(5000); // far below any reset threshold: no accidental latch mid-frame
  expect(f.latchNs).toBeGreaterThanOrEqual(300_000); // acked only after the latch
}

beforeAll(() => {
  if (!avrTools.skip) buildFirmware();
});

describe.skipIf(avrTools.skip)("bridge firmware in simavr", () => {
  test("announces itself on boot and when queried: version 1, 1536 bytes", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    expect(h.rx.slice(0, 4)).toEqual([0x48, 1, 0x06, 0x00]);
    await h.port.write(encodeLbQuery(7));
    await until(() => h.rx.length >= 8, "the answer to a query");
    expect(h.rx.slice(4, 8)).toEqual([0x48, 1, 0x06, 0x00]);
  });

  test("frames of 3, 150 and 512 RGB and 384 RGBW LEDs: exact bytes, datasheet timing, latch, ack", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    const cases: [number, 3 | 4][] = [[3, 3], [150, 3], [512, 3], [384, 4]];
    for (const [k, [n, bpl]] of cases.entries()) {
      const payload = Uint8Array.from({ length: n * bpl }, (_, i) => (i * 37 + k) & 255);
      const before = h.rx.length;
      await h.port.write(frameMsg(payload, bpl, 10 + k));
      await until(() => h.rx.length >= before + 2, `the ack of frame ${k}`, 10_000);
      expect(h.rx.slice(before, before + 2)).toEqual([0x4b, 10 + k]);
      const f = await until(() => s.frames[k], `frame ${k} on the pin`);
      expect(Buffer.from(f.bytes).toString("hex")).toBe(Buffer.from(payload).toString("hex"));
      expectWs2812Timing(f);
      // Decoding keeps pace with 2 Mbaud: the LEDs start within 0.5 ms of the last byte.
      expect(f.lag).toBeLessThan(8000);
    }
  });

  test("a corrupted frame is answered E with its sequence and never shown", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    const bad = frameMsg(Uint8Array.of(1, 2, 3), 3, 42);
    bad[9] ^= 0x01;
    await h.port.write(bad);
    await until(() => h.rx.length >= 6, "the error reply");
    expect(h.rx.slice(4, 6)).toEqual([0x45, 42]);
    await h.port.write(frameMsg(Uint8Array.of(4, 5, 6), 3, 43));
    await until(() => h.rx.length >= 8, "the next ack");
    expect(h.rx.slice(6, 8)).toEqual([0x4b, 43]);
    expect(s.frames.map((f) => Array.from(f.bytes))).toEqual([[4, 5, 6]]);
  });

  test("after the configured host silence the strip is blanked", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    await h.port.write(encodeLbConfig(100, 1));
    await until(() => h.rx.length >= 6, "the config ack");
    expect(h.rx.slice(4, 6)).toEqual([0x4b, 1]);
    await h.port.write(frameMsg(Uint8Array.of(255, 128, 1, 9, 9, 9), 3, 2));
    const blank = await until(() => s.frames[1], "the blanking frame", 10_000);
    expect(Array.from(blank.bytes)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(blank.t0h[0]).toBeGreaterThanOrEqual(WS2812B.t0h[0]);
    expect(blank.t0h[1]).toBeLessThanOrEqual(WS2812B.t0h[1]);
    expect(blank.t1h).toEqual([0, 0]); // no 1 bits at all
    // 100 ms of silence in simulated time (16 cycles per µs), counted in ticks of a free-running
    // 1 ms timer: the first tick after the frame can come at once (a tick flagged during the show).
    const gapMs = (blank.at - s.frames[0].at) / 16_000;
    expect(gapMs).toBeGreaterThanOrEqual(98.5);
    expect(gapMs).toBeLessThan(102);
  });
});

describe.skipIf(avrTools.skip)("end to end: ledbox serial driver → pty → simulated AVR → LEDs", () => {
  for (const order of ["GRB", "RGBW"] as const) {
    test(`${order}: what the pin sends decodes to the frame ledbox rendered`, async () => {
      const s = await sim();
      const cfg = SettingsSchema.parse({ outputs: [{ driver: "serial", device: s.pty }] }).outputs[0] as SerialOutput;
      const d = new SerialDriver(cfg, ctxFor(COLORS.length, order));
      cleanup.push(() => d.close());
      await d.open();
      await until(() => d.health().ok, "the handshake with the simulated bridge");
      d.write(wireFor(order));
      const f = await until(() => s.frames[0], "the frame on the pin", 10_000);
      expect(logical(f.bytes, order)).toEqual(expected(COLORS, order.length === 4));
      expectWs2812Timing(f);
      await until(() => d.health().framesWritten === 1, "the ack");
      d.write(new Uint8Array(COLORS.length * order.length)); // what the engine does on stop
      await d.close();
      cleanup.pop();
      const black = await until(() => s.frames[1], "the black frame on close", 10_000);
      expect(Array.from(black.bytes)).toEqual(Array(COLORS.length * order.length).fill(0));
    });
  }
});
