// Pi 5 PIO: the ws2812-pio overlay fixes the LED count (num_leds), and the kernel driver takes
// exactly that many (more: EFBIG, fewer: a 50 ms wait per frame), so an output that does not
// match its overlay is refused with the overlay line to use. The device tree is a fake one,
// laid out as the overlay makes it (ws2812-pio-overlay.dts: a node at the root, compatible
// "raspberrypi,ws2812-pio-rp1", rpi,num-leds, leds-gpios = <&gpio N 0>, dev-name, rpi,rgbw).
// The driver checks it too when it connects (stored settings at start-up never went through the
// settings check): a regular file named leds0 stands in for the device.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SettingsSchema, type PioOutput } from "../../src/config/schema.ts";
import { checkOutputs } from "../../src/outputs/index.ts";
import { checkPio, PioDriver } from "../../src/outputs/pio.ts";
import { until } from "../helpers/box.ts";
import { ctxFor } from "./util.ts";

const dir = mkdtempSync(join(tmpdir(), "ledbox-pio-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cells = (...values: number[]) => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
};

interface Overlay {
  gpio: number;
  numLeds: number;
  rgbw?: boolean;
  devName?: string;
}

/** A device tree with these ws2812-pio instances, beside nodes and properties that are not. */
function deviceTree(...overlays: Overlay[]): string {
  const dt = mkdtempSync(join(dir, "dt-"));
  writeFileSync(join(dt, "model"), "Raspberry Pi 5 Model B Rev 1.0\0");
  mkdirSync(join(dt, "cpus"));
  mkdirSync(join(dt, "gpio-leds"));
  writeFileSync(join(dt, "gpio-leds/compatible"), "gpio-leds\0");
  for (const o of overlays) {
    const node = join(dt, `ws2812_pio@${o.gpio.toString(16)}`);
    mkdirSync(node);
    writeFileSync(join(node, "compatible"), "raspberrypi,ws2812-pio-rp1\0");
    writeFileSync(join(node, "rpi,num-leds"), cells(o.numLeds));
    writeFileSync(join(node, "rpi,brightness"), cells(255));
    writeFileSync(join(node, "leds-gpios"), cells(0x5e, o.gpio, 0));
    writeFileSync(join(node, "dev-name"), `${o.devName ?? "leds%d"}\0`);
    if (o.rgbw) writeFileSync(join(node, "rpi,rgbw"), "");
  }
  return dt;
}

const pio = (device = "/dev/leds0") => SettingsSchema.parse({ outputs: [{ driver: "pio", device }] }).outputs[0] as PioOutput;

describe("an output must match its ws2812-pio overlay", () => {
  test("150 RGB LEDs on an overlay of 150 (GPIO 18): accepted", () => {
    expect(checkPio(pio(), ctxFor(150, "GRB"), deviceTree({ gpio: 18, numLeds: 150 }))).toBeNull();
  });

  test("100 LEDs on an overlay of 150: refused with the overlay line for 100", () => {
    expect(checkPio(pio(), ctxFor(100, "GRB"), deviceTree({ gpio: 18, numLeds: 150 }))).toBe(
      "the ws2812-pio overlay of /dev/leds0 is set for 150 RGB LEDs on GPIO 18, this output sends 100 RGB: put dtoverlay=ws2812-pio,gpio=18,num_leds=100 " +
        "in /boot/firmware/config.txt and reboot (the kernel driver takes exactly its overlay's LEDs: a longer frame is refused with EFBIG, a shorter one waits 50 ms)",
    );
  });

  test("more LEDs than the overlay: refused the same way", () => {
    expect(checkPio(pio(), ctxFor(300, "GRB"), deviceTree({ gpio: 4, numLeds: 60 }))).toContain("set for 60 RGB LEDs on GPIO 4, this output sends 300 RGB");
  });

  test("an RGBW strip on an overlay without rgbw, and an RGB strip on one with it: refused, the line fixing rgbw", () => {
    expect(checkPio(pio(), ctxFor(150, "GRBW"), deviceTree({ gpio: 18, numLeds: 150 }))).toContain(
      "set for 150 RGB LEDs on GPIO 18, this output sends 150 RGBW: put dtoverlay=ws2812-pio,gpio=18,num_leds=150,rgbw in",
    );
    expect(checkPio(pio(), ctxFor(150, "GRB"), deviceTree({ gpio: 18, numLeds: 150, rgbw: true }))).toContain(
      "set for 150 RGBW LEDs on GPIO 18, this output sends 150 RGB: put dtoverlay=ws2812-pio,gpio=18,num_leds=150 in",
    );
    expect(checkPio(pio(), ctxFor(150, "RGBW"), deviceTree({ gpio: 18, numLeds: 150, rgbw: true }))).toBeNull();
  });

  test("two default-named instances cannot be told apart: one that fits is enough, none names both lines", () => {
    const dt = deviceTree({ gpio: 18, numLeds: 150 }, { gpio: 4, numLeds: 60 });
    expect(checkPio(pio("/dev/leds1"), ctxFor(60, "GRB"), dt)).toBeNull();
    expect(checkPio(pio("/dev/leds0"), ctxFor(150, "GRB"), dt)).toBeNull();
    const problem = checkPio(pio("/dev/leds1"), ctxFor(100, "GRB"), dt);
    expect(problem).toContain("set for 150 RGB LEDs on GPIO 18 or 60 RGB LEDs on GPIO 4, this output sends 100 RGB");
    expect(problem).toContain("put dtoverlay=ws2812-pio,gpio=18,num_leds=100 or dtoverlay=ws2812-pio,gpio=4,num_leds=100 in");
  });

  test("an instance with its own dev_name is matched by that name alone", () => {
    const dt = deviceTree({ gpio: 18, numLeds: 150 }, { gpio: 4, numLeds: 30, devName: "desk" });
    expect(checkPio(pio("/dev/desk"), ctxFor(30, "GRB"), dt)).toBeNull();
    expect(checkPio(pio("/dev/desk"), ctxFor(150, "GRB"), dt)).toContain("is set for 30 RGB LEDs on GPIO 4, this output sends 150 RGB");
    expect(checkPio(pio("/dev/leds0"), ctxFor(30, "GRB"), dt)).toContain("is set for 150 RGB LEDs on GPIO 18, this output sends 30 RGB");
  });

  test("a symlink to the device (a udev name) is followed to its overlay", () => {
    const devices = mkdtempSync(join(dir, "dev-"));
    writeFileSync(join(devices, "leds0"), "");
    symlinkSync(join(devices, "leds0"), join(devices, "strip"));
    const problem = checkPio(pio(join(devices, "strip")), ctxFor(100, "GRB"), deviceTree({ gpio: 18, numLeds: 150 }));
    expect(problem).toContain("is set for 150 RGB LEDs on GPIO 18, this output sends 100 RGB");
  });

  test("no overlay node for the device (no device tree, or a file standing in) is not checked", () => {
    expect(checkPio(pio(), ctxFor(100, "GRB"), join(dir, "no-device-tree"))).toBeNull();
    expect(checkPio(pio(), ctxFor(100, "GRB"), deviceTree())).toBeNull();
    expect(checkPio(pio(join(dir, "capture")), ctxFor(100, "GRB"), deviceTree({ gpio: 18, numLeds: 150 }))).toBeNull();
  });

  test("the settings check refuses it as outputs.N (pio), before anything is applied", () => {
    const devices = mkdtempSync(join(dir, "dev-"));
    writeFileSync(join(devices, "leds0"), "");
    const s = SettingsSchema.parse({ strip: { ledCount: 120 }, outputs: [{ driver: "pio", device: join(devices, "leds0") }] });
    expect(checkOutputs(s, deviceTree({ gpio: 18, numLeds: 150 }))).toStartWith(
      `outputs.0 (pio): the ws2812-pio overlay of ${join(devices, "leds0")} is set for 150 RGB LEDs on GPIO 18, this output sends 120 RGB`,
    );
    expect(checkOutputs(s, deviceTree({ gpio: 18, numLeds: 120 }))).toBeNull();
  });
});

describe("the driver checks its overlay when it opens (as the engine does at start-up)", () => {
  /** A regular file named leds0 standing in for /dev/leds0. */
  function leds0(): string {
    const path = join(mkdtempSync(join(dir, "dev-")), "leds0");
    writeFileSync(path, "");
    return path;
  }
  const frame = (n: number) => new Uint8Array(n * 3).fill(0x40);

  test("100 LEDs on an overlay of 150: unhealthy with the overlay line, nothing written; once the overlay matches, a retry connects", async () => {
    const path = leds0();
    const dt = deviceTree({ gpio: 18, numLeds: 150 });
    const d = new PioDriver(pio(path), ctxFor(100, "GRB"), dt);
    await d.open();
    const health = d.health();
    expect(health.ok).toBe(false);
    // The settings check's own words, with the retry.
    expect(health.message).toBe(`${checkPio(pio(path), ctxFor(100, "GRB"), dt)}; retrying in 0.5 s`);
    expect(health.message).toContain("is set for 150 RGB LEDs on GPIO 18, this output sends 100 RGB: put dtoverlay=ws2812-pio,gpio=18,num_leds=100 in /boot/firmware/config.txt");
    for (let i = 0; i < 5; i++) {
      d.write(frame(100));
      await Bun.sleep(20);
    }
    expect(readFileSync(path).length).toBe(0);
    expect(d.health()).toMatchObject({ ok: false, framesWritten: 0 });

    // The overlay now says 100 (the fake tree rewritten): the next retry connects and the waiting frame goes out.
    writeFileSync(join(dt, "ws2812_pio@12", "rpi,num-leds"), cells(100));
    await until(() => d.health().framesWritten >= 1, "the frame once the overlay matches", 3000);
    expect(d.health()).toMatchObject({ ok: true, message: undefined });
    expect(readFileSync(path).length).toBe(100 * 4);
    await d.close();
  });

  test("no device at all (the overlay not loaded): the setup-pi hint, as the settings check gives it", async () => {
    const path = join(mkdtempSync(join(dir, "dev-")), "leds0");
    const d = new PioDriver(pio(path), ctxFor(150, "GRB"), deviceTree({ gpio: 18, numLeds: 150 }));
    await d.open();
    expect(d.health().message).toBe(`${path} does not exist (no ws2812-pio overlay? on a Pi 5, on the appliance run \`sudo ledbox setup-pi\`, then reboot); retrying in 0.5 s`);
    await d.close();
  });

  test("150 LEDs on an overlay of 150: healthy, frames written whole", async () => {
    const path = leds0();
    const d = new PioDriver(pio(path), ctxFor(150, "GRB"), deviceTree({ gpio: 18, numLeds: 150 }));
    await d.open();
    expect(d.health()).toMatchObject({ ok: true, message: undefined });
    d.write(frame(150));
    await until(() => d.health().framesWritten === 1, "the frame");
    expect(readFileSync(path).length).toBe(150 * 4);
    await d.close();
  });
});
