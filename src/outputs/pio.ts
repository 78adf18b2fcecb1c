// The Pi 5's /dev/leds<n> from the stock `ws2812-pio` overlay (RP1 PIO, any GPIO 0–27).
//
// Wire format (kernel driver ws2812-pio-rp1): one write of 4 bytes per LED, R G B W, at file
// offset 0; the driver reorders to the LEDs' G R B (W) itself and clocks them out by DMA. W is
// ignored unless the overlay has `rgbw`. A 1-byte write would set the driver's brightness, so
// a frame is always the full 4 × LEDs. (The driver also applies its own gamma; ledbox's
// pipeline has already applied one — set the overlay's brightness to 0 for pass-through on
// kernels where 0 means no gamma, see README.)
import type { PioOutput } from "../config/schema.ts";
import { BaseDriver } from "./base.ts";
import { Device } from "./device.ts";
import type { DriverContext } from "./driver.ts";
import { channelOffsets, toLogical } from "./order.ts";
import { ws2812WireLimitFps } from "./ws2812.ts";

export class PioDriver extends BaseDriver {
  readonly kind = "pio";
  private readonly device: Device;
  private readonly out: Uint8Array;
  private readonly offsets: Int32Array;

  constructor(readonly cfg: PioOutput, ctx: DriverContext) {
    super(ctx);
    this.device = new Device(cfg.device, true);
    this.out = new Uint8Array(ctx.ledCount * 4);
    this.offsets = channelOffsets(ctx.colorOrder);
  }

  protected async connect(): Promise<void> {
    await this.device.open();
  }

  protected disconnect(): Promise<void> {
    return this.device.close();
  }

  protected send(): Promise<void> {
    toLogical(this.frame, this.out, 0, this.ctx.ledCount, this.offsets, 4);
    return this.device.write(this.out);
  }

  wireLimitFps(): number {
    return ws2812WireLimitFps(this.frame.length);
  }
}
