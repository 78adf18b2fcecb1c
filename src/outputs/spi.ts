// WS2812/SK6812 through /dev/spidev (MOSI = GPIO 10): no root, every Pi including the Pi 5.
import { readFileSync } from "node:fs";
import type { SpiOutput } from "../config/schema.ts";
import { errorText } from "../util/errors.ts";
import { BaseDriver } from "./base.ts";
import { Device, missingDevice } from "./device.ts";
import type { DriverContext } from "./driver.ts";
import { ioctlInt } from "./libc.ts";
import { SETUP_PI } from "./rpi.ts";
import { wireChannels } from "./order.ts";
import { encodeSpi, spiFrameBytes, spiWireLimitFps } from "./spi-encoder.ts";

// <linux/spi/spidev.h>: _IOW('k', n, u8/u32)
const SPI_IOC_WR_MODE = 0x40016b01;
const SPI_IOC_WR_BITS_PER_WORD = 0x40016b03;
const SPI_IOC_WR_MAX_SPEED_HZ = 0x40046b04;
const BUFSIZ_PARAM = "/sys/module/spidev/parameters/bufsiz";
/** spidev's default: one transfer may not exceed it, and a split transfer would latch mid-strip. */
export const SPIDEV_DEFAULT_BUFSIZ = 4096;

export function spidevBufsiz(): number {
  try {
    return Number(readFileSync(BUFSIZ_PARAM, "utf8").trim()) || SPIDEV_DEFAULT_BUFSIZ;
  } catch {
    return SPIDEV_DEFAULT_BUFSIZ;
  }
}

/** Why this output cannot work as configured, or null. */
export function checkSpi(cfg: SpiOutput, ctx: DriverContext): string | null {
  const need = spiFrameBytes(ctx.ledCount * ctx.bytesPerLed, cfg.speedHz);
  const have = spidevBufsiz();
  if (need > have) {
    return `${ctx.ledCount} LEDs need ${need} bytes per SPI transfer but spidev.bufsiz is ${have}: add spidev.bufsiz=65536 to /boot/firmware/cmdline.txt and reboot (on the appliance: \`sudo ledbox setup-pi\`), or use fewer LEDs on this output`;
  }
  return null;
}

/** Why this output cannot work: no device (SPI off), or a frame longer than spidev takes. */
export function spiProblem(cfg: SpiOutput, ctx: DriverContext): string | null {
  return missingDevice(cfg.device, ` (SPI off? ${SETUP_PI})`) ?? checkSpi(cfg, ctx);
}

export class SpiDriver extends BaseDriver {
  readonly kind = "spi";
  private readonly device: Device;
  private readonly out: Uint8Array;
  private readonly channels: Int32Array;

  constructor(readonly cfg: SpiOutput, ctx: DriverContext) {
    super(ctx);
    this.device = new Device(cfg.device, false);
    this.out = new Uint8Array(spiFrameBytes(this.frame.length, cfg.speedHz));
    this.channels = wireChannels(ctx.colorOrder);
  }

  protected async connect(): Promise<void> {
    // The settings check again, for settings that never went through it (stored ones at start-up):
    // unhealthy with the fix and nothing sent, rather than EMSGSIZE on every send.
    const problem = spiProblem(this.cfg, this.ctx);
    if (problem) throw new Error(problem);
    const fd = await this.device.open();
    if (!this.device.isCharDevice) return;
    try {
      ioctlInt(fd, SPI_IOC_WR_MODE, 0, 1);
      ioctlInt(fd, SPI_IOC_WR_BITS_PER_WORD, 8, 1);
      ioctlInt(fd, SPI_IOC_WR_MAX_SPEED_HZ, this.cfg.speedHz, 4);
    } catch (err) {
      throw new Error(`${this.cfg.device} is not an SPI device: ${errorText(err)}`);
    }
  }

  protected disconnect(): Promise<void> {
    return this.device.close();
  }

  protected send(): Promise<void> {
    encodeSpi(this.frame, this.out, this.channels);
    return this.device.write(this.out);
  }

  wireLimitFps(): number {
    return spiWireLimitFps(this.frame.length, this.cfg.speedHz);
  }
}
