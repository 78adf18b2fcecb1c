// Outputs in a running ledbox: driver settings through the settings API (bad ones → 400 naming
// the problem, nothing applied), several drivers at once each fed its range, the Pi 5 PIO byte
// format, wire-rate figures in the state API, and black on every output at stop.
import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SettingsSchema, SPI_DEFAULT_HZ, type PioOutput } from "../../src/config/schema.ts";
import { PioDriver } from "../../src/outputs/pio.ts";
import { call, startBox, until, type TestBox } from "../helpers/box.ts";
import { ptyPair, socat } from "./pty.ts";
import { COLORS, ctxFor, decodeSpi, expected, logical, frameFor } from "./util.ts";

setDefaultTimeout(20_000);
const dir = mkdtempSync(join(tmpdir(), "ledbox-outputs-"));
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function box(settings?: unknown): Promise<TestBox> {
  const t = await startBox({ settings });
  cleanup.push(() => t.stop());
  return t;
}

async function ddpReceiver() {
  const packets: Uint8Array[] = [];
  const s = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { data: (_s, b) => void packets.push(new Uint8Array(b)) } });
  cleanup.push(() => s.close());
  return { port: s.port, packets };
}

describe("output settings through the API", () => {
  const bad: [string, unknown, RegExp][] = [
    ["an unknown driver", [{ driver: "dmx" }], /outputs\.0\.driver/],
    ["a missing device", [{ driver: "spi", device: "/dev/spidev9.9" }], /outputs\.0 \(spi\): \/dev\/spidev9\.9 does not exist/],
    ["overlapping ranges", [{ driver: "virtual", length: 100 }, { driver: "ddp", host: "127.0.0.1", start: 50 }], /outputs 0 and 1 overlap \(LEDs 50\.\.100\)/],
    ["more LEDs than the bridge firmware holds", [{ driver: "serial", device: "/dev/null", start: 0 }], null as unknown as RegExp],
    ["a clock outside WS2812 timing", [{ driver: "spi", device: "/dev/null", speedHz: 8_000_000 }], /outputs\.0\.speedHz/],
    ["DMA 5", [{ driver: "ws281x" }], null as unknown as RegExp],
    ["a settings key a driver does not have", [{ driver: "ddp", host: "127.0.0.1", baud: 9600 }], /outputs\.0.*baud/],
    ["Adalight on an RGBW strip", [{ driver: "serial", device: "/dev/null", protocol: "adalight", length: 100 }], /outputs\.0\.protocol: adalight carries RGB only/],
  ];
  bad[3][2] = /outputs\.0\.length: serial output takes at most 512 LEDs here, not 600/;
  bad[5] = ["DMA 5", [{ driver: "ws281x", dma: 5 }], /DMA 5 corrupts the SD card/];

  test("bad driver settings are refused with a 400 naming the problem, and nothing is applied", async () => {
    const t = await box();
    const cookie = await t.admin();
    const running = t.box.engine.outputs[0].driver;
    for (const [what, outputs, message] of bad) {
      const strip = what.includes("RGBW") ? { ledCount: 600, ledType: "rgbw", colorOrder: "GRBW" } : { ledCount: 600 };
      const r = await call(t.url, "PUT", "/api/v1/settings", { strip, outputs }, { cookie });
      expect({ what, status: r.status }).toEqual({ what, status: 400 });
      expect(r.body.error).toMatch(message);
    }
    const s = await call(t.url, "GET", "/api/v1/settings");
    expect(s.body.strip.ledCount).toBe(150);
    expect(s.body.outputs).toEqual([{ driver: "virtual", start: 0 }]);
    expect(t.box.engine.outputs.map((o) => o.driver.kind)).toEqual(["virtual"]);
    // Refused before anything changed: the running driver was not even reopened.
    expect(t.box.engine.outputs[0].driver).toBe(running);
  });

  test("two drivers at once: SPI takes LEDs 0–99, DDP 100–149, each exactly its range; state shows the wire limit", async () => {
    const rx = await ddpReceiver();
    const spiPath = join(dir, "spi-capture");
    writeFileSync(spiPath, "");
    const t = await box();
    const cookie = await t.admin();
    const r = await call(t.url, "PUT", "/api/v1/settings", {
      strip: { ledCount: 150, colorOrder: "GRB" },
      outputs: [{ driver: "spi", device: spiPath, length: 100 }, { driver: "ddp", host: "127.0.0.1", port: rx.port, start: 100 }],
    }, { cookie });
    expect(r.status).toBe(200);
    const state = await until(async () => {
      const s = (await call(t.url, "GET", "/api/v1/state")).body;
      return s.outputs.every((o: { health: { framesWritten: number } }) => o.health.framesWritten > 3) ? s : undefined;
    }, "both outputs writing");
    expect(state.outputs.map((o: { driver: string; start: number; length: number; health: { ok: boolean } }) => [o.driver, o.start, o.length, o.health.ok])).toEqual([["spi", 0, 100, true], ["ddp", 100, 50, true]]);
    // SPI: 100 LEDs × 12 bytes + 98 latch → ≈ 2.6e6 / (8 × 1298) = 250 fps; DDP: 1 packet → 1000 fps.
    expect(state.stats.wireLimitFps).toBe(250);
    expect(state.outputs.map((o: { wireLimitFps: number }) => o.wireLimitFps)).toEqual([250, 1000]);

    // A still frame (a gradient, no dithering): each driver shows exactly its range of it.
    expect((await call(t.url, "PUT", "/api/v1/settings", { light: { dithering: false } }, { cookie })).status).toBe(200);
    expect((await call(t.url, "PUT", "/api/v1/scene/base", { effect: "gradient", colors: ["#ff2000", "#0010ff"], level: 1, transitionMs: 0 }, { cookie })).status).toBe(200);
    const frame = await until(() => {
      const f = t.box.engine.pipeline.frame;
      return new Set(f).size > 20 ? f.slice() : null;
    }, "the gradient rendered");
    // Each output shows that frame once its next write after the change has gone out: SPI in
    // the strip's order (GRB), DDP in logical order (the receiver orders it).
    const spiShows = () => {
      try {
        return logical(decodeSpi(new Uint8Array(readFileSync(spiPath)), SPI_DEFAULT_HZ).bytes, "GRB").join() === logical(frame.subarray(0, 300), "RGB").join();
      } catch {
        return false; // read in the middle of a write
      }
    };
    await until(spiShows, "the gradient on SPI");
    const ddpFrame = await until(() => rx.packets.find((p) => p.subarray(10).join() === frame.subarray(300).join()), "the gradient over DDP");
    expect(logical(ddpFrame.subarray(10), "RGB")).toEqual(logical(frame.subarray(300), "RGB"));
  });

  test("on stop every hardware output is sent black", async () => {
    const rx = await ddpReceiver();
    const spiPath = join(dir, "spi-black");
    writeFileSync(spiPath, "");
    const t = await box({ strip: { ledCount: 20 }, light: { brightness: 1 }, outputs: [{ driver: "spi", device: spiPath, length: 10 }, { driver: "ddp", host: "127.0.0.1", port: rx.port, start: 10 }] });
    await until(() => rx.packets.some((p) => p.subarray(10).some((b) => b > 0)), "a lit frame");
    await t.stop();
    cleanup.pop();
    // The datagram was sent before stop() resolved; its arrival is a later tick of the loop.
    await until(() => rx.packets.at(-1)!.subarray(10).every((b) => b === 0), "the black DDP frame", 1000);
    expect(Array.from(rx.packets.at(-1)!.subarray(10))).toEqual(Array(30).fill(0));
    expect(Array.from(decodeSpi(new Uint8Array(readFileSync(spiPath)), SPI_DEFAULT_HZ).bytes)).toEqual(Array(30).fill(0));
  });
});

describe.skipIf(socat.skip)("faults never reach the loop", () => {
  test("a serial device that never answers: settings apply at once, the loop keeps its rate, SPI keeps writing", async () => {
    const p = await ptyPair();
    cleanup.push(() => p.stop());
    const spiPath = join(dir, "spi-beside-silent-serial");
    writeFileSync(spiPath, "");
    const t = await box();
    const cookie = await t.admin();
    const r = await call(t.url, "PUT", "/api/v1/settings", {
      strip: { ledCount: 100 },
      outputs: [{ driver: "serial", device: p.a, length: 50 }, { driver: "spi", device: spiPath, start: 50 }],
    }, { cookie });
    expect(r.status).toBe(200);
    // Applied at once: answered while the bridge's 3 s hello is still waiting, not after it.
    const [serial, spi] = t.box.engine.outputs.map((o) => o.driver);
    expect(serial.health()).toMatchObject({ ok: false, message: undefined });
    const framesAt = t.box.engine.stats().frames, spiAt = spi.health().framesWritten;
    const silent = await until(() => (serial.health().message?.includes("did not announce itself") ? serial.health() : null), "the silent bridge in health", 5000);
    expect(silent.ok).toBe(false);
    // All through that wait the loop rendered and SPI wrote (a loop blocked by the hello would
    // have done neither); the loop's rate itself is measured by the benchmarks.
    expect(t.box.engine.stats().frames - framesAt).toBeGreaterThanOrEqual(10);
    expect(spi.health()).toMatchObject({ ok: true });
    expect(spi.health().framesWritten - spiAt).toBeGreaterThanOrEqual(10);
  });
});

describe("Pi 5 PIO (/dev/leds0)", () => {
  for (const order of ["GRB", "BGR", "GRBW", "RGBW"] as const) {
    test(`${order} strip: 4 bytes per LED, R G B W, written whole at offset 0`, async () => {
      const path = join(dir, `leds0-${order}`);
      writeFileSync(path, "");
      const cfg = SettingsSchema.parse({ outputs: [{ driver: "pio", device: path }] }).outputs[0] as PioOutput;
      const d = new PioDriver(cfg, ctxFor(COLORS.length, order));
      await d.open();
      d.write(frameFor(order));
      await until(() => d.health().framesWritten === 1, "the frame");
      d.write(frameFor(order));
      await until(() => d.health().framesWritten === 2, "a second frame");
      const bytes = new Uint8Array(readFileSync(path));
      expect(bytes.length).toBe(COLORS.length * 4); // the second write replaced the first
      const want = expected(COLORS, order.length === 4).map((c) => (c.length === 3 ? [...c, 0] : c));
      expect(logical(bytes, "RGBW")).toEqual(want);
      await d.close();
    });
  }
});
