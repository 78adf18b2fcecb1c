// SPI: the bitstream decodes back to the rendered colours for every colour order and RGBW,
// the latch holds the line low ≥ 300 µs, and the driver writes exactly that stream.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COLOR_ORDERS, SettingsSchema } from "../../src/config/schema.ts";
import { checkSpi, SpiDriver, spidevBufsiz } from "../../src/outputs/spi.ts";
import { SPI_DEFAULT_HZ } from "../../src/config/schema.ts";
import { encodeSpi, spiFrameBytes, spiWireLimitFps } from "../../src/outputs/spi-encoder.ts";
import { wireChannels } from "../../src/outputs/order.ts";
import { AS_IS, COLORS, ctxFor, decodeSpi, expected, frameFor, logical, spiPulses, WS2812B } from "./util.ts";
import { until } from "../helpers/box.ts";

const dir = mkdtempSync(join(tmpdir(), "ledbox-spi-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const spiCfg = (device: string, speedHz = SPI_DEFAULT_HZ) => SettingsSchema.parse({ outputs: [{ driver: "spi", device, speedHz }] }).outputs[0] as Parameters<typeof checkSpi>[0];

describe("SPI encoder", () => {
  for (const order of COLOR_ORDERS) {
    test(`${order}: decoding the bitstream gives back each LED's colour`, () => {
      const frame = frameFor(order);
      const out = new Uint8Array(spiFrameBytes(frame.length, SPI_DEFAULT_HZ));
      encodeSpi(frame, out, wireChannels(order));
      const { bytes, latchUs } = decodeSpi(out, SPI_DEFAULT_HZ);
      expect(logical(bytes, order)).toEqual(expected(COLORS, order.length === 4));
      expect(latchUs).toBeGreaterThanOrEqual(300);
    });
  }

  test("every byte value survives, and the latch stays ≥ 300 µs at the fastest allowed clock", () => {
    const wire = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const hz of [2_200_000, 2_600_000, 3_000_000]) {
      const out = new Uint8Array(spiFrameBytes(wire.length, hz));
      encodeSpi(wire, out, AS_IS);
      const d = decodeSpi(out, hz);
      expect(Array.from(d.bytes)).toEqual(Array.from(wire));
      expect(d.latchUs).toBeGreaterThanOrEqual(300);
      expect(d.latchUs).toBeLessThan(310);
    }
  });

  test("bit timing read off the encoded stream: 0 is 385 ns high, 1 is 769 ns high, every bit 1.54 µs at 2.6 MHz", () => {
    // Every pair of neighbouring bit values (0→0, 1→1, 0→1, 1→0) occurs in these bytes.
    const wire = Uint8Array.of(0x00, 0xff, 0xa5, 0x3c);
    const bits = Array.from({ length: wire.length * 8 }, (_, k) => (wire[k >> 3] >> (7 - (k & 7))) & 1);
    const out = new Uint8Array(spiFrameBytes(wire.length, SPI_DEFAULT_HZ));
    encodeSpi(wire, out, AS_IS);
    const pulses = spiPulses(out, SPI_DEFAULT_HZ);
    expect(pulses.map((p) => Math.round(p.highNs))).toEqual(bits.map((b) => (b ? 769 : 385)));
    expect(pulses.slice(0, -1).map((p) => Math.round(p.periodNs))).toEqual(bits.slice(1).map(() => 1538));
    // After the last bit the line stays low for the latch.
    expect(pulses.at(-1)!.periodNs - 1538.5).toBeGreaterThanOrEqual(300_000);
  });

  test("the LEDs' datasheet timing holds across the allowed SPI clocks (2.2–3.0 MHz), and the line resets only at the latch", () => {
    const wire = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255);
    const bits = Array.from({ length: wire.length * 8 }, (_, k) => (wire[k >> 3] >> (7 - (k & 7))) & 1);
    for (const hz of [2_200_000, 2_400_000, SPI_DEFAULT_HZ, 2_800_000, 3_000_000]) {
      const out = new Uint8Array(spiFrameBytes(wire.length, hz));
      encodeSpi(wire, out, AS_IS);
      const pulses = spiPulses(out, hz);
      expect(pulses.length).toBe(bits.length);
      const outside: string[] = [];
      pulses.forEach((p, k) => {
        const [lo, hi] = bits[k] ? WS2812B.t1h : WS2812B.t0h;
        if (p.highNs < lo || p.highNs > hi) outside.push(`${hz} Hz bit ${k}: high ${p.highNs.toFixed(0)} ns`);
        // Between bits: a period inside the datasheet's, and a low far too short to latch mid-frame.
        if (k < pulses.length - 1 && (p.periodNs < WS2812B.bit[0] || p.periodNs > WS2812B.bit[1] || p.periodNs - p.highNs >= WS2812B.resetNs)) {
          outside.push(`${hz} Hz bit ${k}: period ${p.periodNs.toFixed(0)} ns`);
        }
      });
      expect(outside).toEqual([]);
      expect(pulses.at(-1)!.periodNs).toBeGreaterThanOrEqual(300_000);
    }
  });

  test("wire limit: 150 RGB LEDs = 1800 + 98 latch bytes at 2.6 MHz ≈ 171 fps; 300 RGBW ≈ 66 fps", () => {
    expect(spiFrameBytes(450, SPI_DEFAULT_HZ)).toBe(1800 + 98);
    expect(spiWireLimitFps(450, SPI_DEFAULT_HZ)).toBeCloseTo(171.2, 0);
    expect(spiWireLimitFps(1200, SPI_DEFAULT_HZ)).toBeCloseTo(66.35, 1);
  });
});

describe("SPI driver", () => {
  test("writes the encoded frame to the device path (a regular file standing in for spidev)", async () => {
    const path = join(dir, "spidev-capture");
    writeFileSync(path, "");
    const d = new SpiDriver(spiCfg(path), ctxFor(8, "GRB"));
    await d.open();
    d.write(frameFor("GRB"));
    await until(() => d.health().framesWritten === 1, "the frame to be written", 2000);
    const { bytes, latchUs } = decodeSpi(new Uint8Array(readFileSync(path)), SPI_DEFAULT_HZ);
    expect(logical(bytes, "GRB")).toEqual(expected(COLORS, false));
    expect(latchUs).toBeGreaterThanOrEqual(300);
    expect(d.health()).toMatchObject({ ok: true, framesWritten: 1 });
    await d.close();
  });

  test("a missing device: unhealthy with the path and the setup-pi hint (as the settings check says it), retried with backoff, never throws on write", async () => {
    const path = join(dir, "nope", "spidev0.0");
    const d = new SpiDriver(spiCfg(path), ctxFor(4));
    await d.open();
    d.write(new Uint8Array(12));
    expect(d.health().ok).toBe(false);
    expect(d.health().message).toBe(`${path} does not exist (SPI off? on the appliance run \`sudo ledbox setup-pi\`, then reboot); retrying in 0.5 s`);
    await d.close();
  });

  test("a device node that is not spidev: the spidev ioctls fail (really called) and health says so", async () => {
    const d = new SpiDriver(spiCfg("/dev/null"), ctxFor(4));
    await d.open();
    expect(d.health().ok).toBe(false);
    expect(d.health().message).toBe("/dev/null is not an SPI device: ioctl 0x40016b01 failed (errno 25); retrying in 0.5 s");
    await d.close();
  });

  test("opened (as the engine does at start-up) with more LEDs than spidev's buffer takes: unhealthy with the fix, nothing written", async () => {
    const path = join(dir, "spidev-too-long");
    writeFileSync(path, "");
    // 12 bytes per RGB LED: more LEDs than this machine's spidev.bufsiz holds (4096 without the module).
    const ctx = ctxFor(Math.ceil(spidevBufsiz() / 12) + 1);
    const d = new SpiDriver(spiCfg(path), ctx);
    await d.open();
    expect(d.health().ok).toBe(false);
    expect(d.health().message).toBe(`${checkSpi(spiCfg(path), ctx)}; retrying in 0.5 s`);
    expect(d.health().message).toContain(`but spidev.bufsiz is ${spidevBufsiz()}: add spidev.bufsiz=65536 to /boot/firmware/cmdline.txt and reboot`);
    for (let i = 0; i < 5; i++) {
      d.write(new Uint8Array(ctx.ledCount * 3).fill(0x40));
      await Bun.sleep(20);
    }
    expect(readFileSync(path).length).toBe(0);
    expect(d.health()).toMatchObject({ ok: false, framesWritten: 0 });
    await d.close();
  });

  test("a strip longer than spidev's buffer is refused with the cmdline.txt fix named", () => {
    // spidev's default buffer is 4096 bytes: 333 RGB LEDs (12 bytes each) plus the 98 latch bytes fit.
    const fits = 333;
    expect(checkSpi(spiCfg("/dev/spidev0.0"), ctxFor(fits))).toBeNull();
    expect(checkSpi(spiCfg("/dev/spidev0.0"), ctxFor(fits + 1))).toContain("spidev.bufsiz=65536");
  });
});
