// The real firmware in simavr: bytes go in through the simulated UART at the line rate the host
// set, into a receive buffer as deep as the ATmega328P's (two unread bytes; more are lost), and
// the LED pin's edges come out with cycle timestamps, decoded as WS2812 bits. Checked: colours,
// bit timing against the WS2812B datasheet (WS2812B in ../outputs/util.ts), the
// latch, acks, CRC errors, cut-off messages, blanking after host silence, that no byte is lost
// at 2 Mbaud — and end to end from ledbox's serial driver, whose ack-per-frame flow control
// keeps every byte away from the shows.
import { afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { SettingsSchema, type SerialOutput } from "../../src/config/schema.ts";
import { FfiBinding, type FfiPort } from "../../src/outputs/serial-binding.ts";
import { wireChannels } from "../../src/outputs/order.ts";
import { encodeLbConfig, encodeLbFrame, encodeLbQuery, lbFrameBytes } from "../../src/outputs/serial-encoders.ts";
import { SerialDriver } from "../../src/outputs/serial.ts";
import { until } from "../helpers/box.ts";
import { collectBytes } from "../outputs/pty.ts";
import { COLORS, ctxFor, expected, logical, frameFor, WS2812B } from "../outputs/util.ts";
import { avrTools, buildFirmware, startSim, type Sim, type SimBurst, type SimFrame } from "./sim.ts";

setDefaultTimeout(30_000);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** At 2 Mbaud a byte arrives every 80 cycles; the receive path must take well under that. */
const LINE_CYCLES_PER_BYTE = 80;

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
  encodeLbFrame(payload, wireChannels(bpl === 4 ? "RGBW" : "RGB"), seq, m); // payloads here are wire bytes already
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

/** Every byte of these bursts reached the firmware: none lost to an overrun, none noise. */
function expectNothingLost(bursts: SimBurst[]) {
  expect(bursts.length).toBeGreaterThan(0);
  expect(bursts.map((b) => b.lost + b.noise)).toEqual(bursts.map(() => 0));
}

beforeAll(() => {
  if (!avrTools.skip) buildFirmware();
});

describe.skipIf(avrTools.skip)("bridge firmware in simavr, real UART receive depth", () => {
  test("announces itself on boot and when queried: version 1, 1536 bytes", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    expect(h.rx.slice(0, 4)).toEqual([0x48, 1, 0x06, 0x00]);
    await h.port.write(encodeLbQuery(7));
    await until(() => h.rx.length >= 8, "the answer to a query");
    expect(h.rx.slice(4, 8)).toEqual([0x48, 1, 0x06, 0x00]);
  });

  test("frames of 3, 150 and 512 RGB and 384 RGBW LEDs at 2 Mbaud: exact bytes, datasheet timing, latch, ack; no byte lost, half a byte-time each", async () => {
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
      // The CRC is checked as the last byte arrives: the LEDs start within 2 byte-times of it.
      expect(f.lag).toBeLessThan(2 * LINE_CYCLES_PER_BYTE);
      const burst = await until(() => s.bursts.find((b) => b.from === f.from), `the bytes of frame ${k}`);
      expect(burst.bytes).toBe(payload.length + 10);
      expect(burst.cyclesPerByte).toBeGreaterThan(0);
      expect(burst.cyclesPerByte).toBeLessThan(0.6 * LINE_CYCLES_PER_BYTE);
    }
    expect(s.lines.at(-1)).toEqual({ host: 2_000_000, avr: 2_000_000 });
    expectNothingLost(s.bursts);
  });

  test("the receive depth is the chip's: a host that sends during a show loses bytes, and the bridge recovers", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    const a = new Uint8Array(450).fill(0x11), b = new Uint8Array(450).fill(0x22), c = new Uint8Array(450).fill(0x33);
    await h.port.write(Buffer.concat([frameMsg(a, 3, 1), frameMsg(b, 3, 2)])); // b without waiting for a's ack
    await until(() => h.rx.length >= 6, "the ack of the first frame");
    expect(h.rx.slice(4, 6)).toEqual([0x4b, 1]);
    const f = await until(() => s.frames[0], "the first frame on the pin");
    expect(f.rxInShow).toBe(460); // all of the second frame arrived during the first one's show
    await until(() => s.bursts.reduce((n, x) => n + x.bytes, 0) >= 920, "the two frames' bytes");
    expect(s.bursts.reduce((n, x) => n + x.lost, 0)).toBe(460 - 2); // all but the two the UART holds
    // The two that were kept ("LB") began a message whose header never comes: the firmware drops
    // it once its 20 ms gap passes (in simulated time, which falls behind wall time on a loaded
    // machine, so no wall-clock sleep can promise the gap has passed). Six zero bytes end that
    // header at once as a wrong version, and are noise to a firmware already past the gap: the
    // third frame meets the same idle decoder either way, with no wait. (The gap itself is
    // tested below: a message cut after its header is answered E once the gap passes.)
    await h.port.write(Buffer.concat([new Uint8Array(6), frameMsg(c, 3, 3)]));
    await until(() => h.rx.length >= 8, "the ack of the third frame");
    // Replies leave in order on one line: had anything answered the second frame (a K, or an E),
    // it would sit here in place of the third frame's K. So nothing did.
    expect(h.rx.slice(4, 8)).toEqual([0x4b, 1, 0x4b, 3]);
    const shown = await until(() => s.frames[1], "the third frame on the pin");
    expect(Array.from(new Set(shown.bytes))).toEqual([0x33]);
    expect(s.frames).toHaveLength(2);
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
    // The harness prints the frame before it passes the ack on, but on stdout, not the pty: wait for it there too.
    await until(() => s.frames.length >= 1, "the frame on the pin");
    expect(s.frames.map((f) => Array.from(f.bytes))).toEqual([[4, 5, 6]]);
  });

  test("a frame whose bytes stop after its header is answered E once the gap passes, and never shown", async () => {
    const s = await sim();
    const h = await host(s.pty);
    await until(() => h.rx.length >= 4, "the boot announcement");
    const cut = frameMsg(new Uint8Array(30).fill(9), 3, 77);
    await h.port.write(cut.subarray(0, cut.length - 5));
    await until(() => h.rx.length >= 6, "the error reply");
    expect(h.rx.slice(4, 6)).toEqual([0x45, 77]);
    await h.port.write(frameMsg(Uint8Array.of(7, 8, 9), 3, 78));
    await until(() => h.rx.length >= 8, "the next ack");
    expect(h.rx.slice(6, 8)).toEqual([0x4b, 78]);
    // The harness prints the frame before it passes the ack on, but on stdout, not the pty: wait for it there too.
    await until(() => s.frames.length >= 1, "the frame on the pin");
    expect(s.frames.map((f) => Array.from(f.bytes))).toEqual([[7, 8, 9]]);
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

  test("a host at another rate is noise to the bridge: nothing reaches the firmware, nothing is answered", async () => {
    const s = await sim();
    const port = await FfiBinding.open({ path: s.pty, baudRate: 1_000_000 });
    cleanup.push(() => port.close());
    await until(() => s.lines.some((l) => l.host === 1_000_000 && l.avr === 2_000_000), "both rates seen by the harness");
    await port.write(encodeLbQuery(1));
    const burst = await until(() => s.bursts[0], "the query's bytes");
    expect(burst).toMatchObject({ bytes: 10, noise: 10, lost: 0 });
    expect(s.frames).toHaveLength(0);
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
      d.write(frameFor(order));
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

  test("flow control: frames as fast as the driver sends them reach the bridge between shows — no byte arrives during a show, none is lost", async () => {
    const s = await sim();
    const cfg = SettingsSchema.parse({ outputs: [{ driver: "serial", device: s.pty }] }).outputs[0] as SerialOutput;
    const d = new SerialDriver(cfg, ctxFor(150));
    cleanup.push(() => d.close());
    await d.open();
    await until(() => d.health().ok, "the handshake with the simulated bridge");
    // (the driver's first query may reach the board before its firmware runs, as on a real one)
    const first = s.bursts.length;
    const f = new Uint8Array(450);
    for (let k = 1; k <= 200; k++) { // one every ms: faster than the ~140 fps the bridge shows
      f.fill(k);
      d.write(f);
      await Bun.sleep(1);
    }
    const h = await until(() => { const x = d.health(); return x.framesWritten + x.framesDropped === 200 ? x : undefined; }, "every write sent or replaced", 5000);
    expect(h.ok).toBe(true);
    expect(h.framesWritten).toBeGreaterThan(20);
    expect(d.crcErrors).toBe(0);
    await until(() => s.frames.length >= h.framesWritten, "every acknowledged frame on the pin");
    expect(s.frames.map((x) => x.rxInShow)).toEqual(s.frames.map(() => 0));
    expect(s.frames.at(-1)!.bytes).toEqual(new Uint8Array(450).fill(200));
    expectNothingLost(s.bursts.slice(first));
    // The rate the driver set (TCSETS2, BOTHER) as the far end of the pty reads it (TCGETS2).
    expect(s.lines.at(-1)).toEqual({ host: 2_000_000, avr: 2_000_000 });
  });
});
