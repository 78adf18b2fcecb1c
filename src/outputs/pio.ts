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
import { copyBytes } from "./order.ts";
import { ws2812WireLimitFps } from "./ws2812.ts";

/** R G B W per LED, as the frame holds them; an RGB strip's W stays 0 (allocated so). */
export function encodePio(frame: Uint8Array, bytesPerLed: 3 | 4, out: Uint8Array): void {
  if (bytesPerLed === 4) out.set(frame);
  else for (let i = 0, o = 0; i < frame.length; i += 3, o += 4) copyBytes(frame, i, out, o, 3);
}

export class PioDriver extends BaseDriver {
  readonly kind = "pio";
  private readonly device: Device;
  private readonly out: Uint8Array;

  constructor(readonly cfg: PioOutput, ctx: DriverContext) {
    super(ctx);
    this.device = new Device(cfg.device, true);
    this.out = new Uint8Array(ctx.ledCount * 4);
  }

  protected async connect(): Promise<void> {
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
