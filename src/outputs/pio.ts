// The Pi 5's /dev/leds<n> from the stock `ws2812-pio` overlay (RP1 PIO, any GPIO 0–27).
//
// Wire format (kernel driver drivers/misc/ws2812-pio-rp1.c): one write of 4 bytes per LED,
// R G B W, at file offset 0; the driver reorders to the LEDs' G R B (W) itself and clocks them
// out by DMA. W is ignored unless the overlay has `rgbw`. A 1-byte write would set the driver's
// brightness, so a frame is always the full 4 × LEDs.
//
// The LED count is fixed by the overlay (`num_leds`, the node's `rpi,num-leds`): a longer write
// is cut and answered EFBIG, and a shorter one is shown only after a 50 ms timeout (the driver
// renders at once only a write that reaches the end). So an output must match it exactly: the
// settings check refuses a mismatch, and the driver checks again on every connect.
//
// Brightness and gamma: the driver scales each byte by its brightness (the overlay's
// `brightness`, default 255) and then applies its own gamma table (exponent 1/0.45), on top of
// ledbox's. Since raspberrypi/linux#7110 (merged 27 October 2025) brightness 0 passes bytes
// through untouched; on older kernels 0 turns every LED off. See README, "pio".
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { basename, join } from "node:path";
import type { PioOutput } from "../config/schema.ts";
import { BaseDriver } from "./base.ts";
import { Device, missingDevice } from "./device.ts";
import type { DriverContext } from "./driver.ts";
import { copyBytes } from "./order.ts";
import { DEVICE_TREE, readCells, readString, SETUP_PI } from "./rpi.ts";
import { ws2812WireLimitFps } from "./ws2812.ts";

/** A `ws2812-pio` overlay instance, read from its device-tree node. */
interface PioOverlay {
  gpio: number;
  numLeds: number;
  rgbw: boolean;
  /** The /dev name, '%d' standing for the instance number. */
  devName: string;
}

/** The overlay's nodes (at the root of the tree, one per `dtoverlay=ws2812-pio` line). */
function pioOverlays(dt = DEVICE_TREE): PioOverlay[] {
  const nodes = existsSync(dt) ? readdirSync(dt).map((name) => join(dt, name)) : [];
  return nodes.flatMap((node) => {
    if (readString(join(node, "compatible")) !== "raspberrypi,ws2812-pio-rp1") return [];
    const [numLeds] = readCells(join(node, "rpi,num-leds")) ?? [];
    const [, gpio] = readCells(join(node, "leds-gpios")) ?? []; // <&gpio N flags>
    return [{ gpio, numLeds, rgbw: existsSync(join(node, "rpi,rgbw")), devName: readString(join(node, "dev-name")) ?? "leds%d" }];
  });
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The /dev names an overlay's instances get. */
const devNames = (o: PioOverlay) => new RegExp(`^${literal(o.devName).replace("%d", "\\d+")}$`);

/**
 * Why the overlay behind `cfg.device` cannot take this output, or null. Several instances of
 * the default name cannot be told apart (the device tree does not say which one became
 * /dev/leds0), so one that fits is enough; a node-less device (a file standing in) is not checked.
 */
export function checkPio(cfg: PioOutput, ctx: DriverContext, dt = DEVICE_TREE): string | null {
  const name = basename(existsSync(cfg.device) ? realpathSync(cfg.device) : cfg.device);
  const mine = pioOverlays(dt).filter((o) => devNames(o).test(name));
  const rgbw = ctx.bytesPerLed === 4;
  if (mine.length === 0 || mine.some((o) => o.numLeds === ctx.ledCount && o.rgbw === rgbw)) return null;
  const kind = (w: boolean) => (w ? "RGBW" : "RGB");
  const has = mine.map((o) => `${o.numLeds} ${kind(o.rgbw)} LEDs on GPIO ${o.gpio}`).join(" or ");
  const lines = mine.map((o) => `dtoverlay=ws2812-pio,gpio=${o.gpio},num_leds=${ctx.ledCount}${rgbw ? ",rgbw" : ""}`).join(" or ");
  return `the ws2812-pio overlay of ${cfg.device} is set for ${has}, this output sends ${ctx.ledCount} ${kind(rgbw)}: put ${lines} in /boot/firmware/config.txt and reboot (the kernel driver takes exactly its overlay's LEDs: a longer frame is refused with EFBIG, a shorter one waits 50 ms)`;
}

/** R G B W per LED, as the frame holds them; an RGB strip's W stays 0 (allocated so). */
export function encodePio(frame: Uint8Array, bytesPerLed: 3 | 4, out: Uint8Array): void {
  if (bytesPerLed === 4) out.set(frame);
  else for (let i = 0, o = 0; i < frame.length; i += 3, o += 4) copyBytes(frame, i, out, o, 3);
}

/** Why this output cannot work: no device (the overlay not loaded), or an overlay that does not match. */
export function pioProblem(cfg: PioOutput, ctx: DriverContext, dt = DEVICE_TREE): string | null {
  return missingDevice(cfg.device, ` (no ws2812-pio overlay? on a Pi 5, ${SETUP_PI})`) ?? checkPio(cfg, ctx, dt);
}

export class PioDriver extends BaseDriver {
  readonly kind = "pio";
  private readonly device: Device;
  private readonly out: Uint8Array;

  /** `dt`: the device tree whose overlay the output must match (a test's fake one). */
  constructor(readonly cfg: PioOutput, ctx: DriverContext, private readonly dt = DEVICE_TREE) {
    super(ctx);
    this.device = new Device(cfg.device, true);
    this.out = new Uint8Array(ctx.ledCount * 4);
  }

  protected async connect(): Promise<void> {
    // The settings check again, for settings that never went through it (stored ones at start-up,
    // an overlay changed since): unhealthy with the overlay line and nothing written until it matches.
    const problem = pioProblem(this.cfg, this.ctx, this.dt);
    if (problem) throw new Error(problem);
    await this.device.open();
  }

  protected disconnect(): Promise<void> {
    return this.device.close();
  }

  protected send(): Promise<void> {
    encodePio(this.frame, this.ctx.bytesPerLed, this.out);
    return this.device.write(this.out);
  }

  wireLimitFps(): number {
    return ws2812WireLimitFps(this.frame.length);
  }
}
