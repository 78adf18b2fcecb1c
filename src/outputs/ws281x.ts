// PWM/PCM output through rpi_ws281x (the C library rpi-ws281x-native bundles, built with a
// current board table by scripts/build-ws281x.ts), called with bun:ffi: the package's own addon
// does not load under Bun (NODE_MODULE_VERSION mismatch), and FFI costs one direct call per
// frame where a Node helper process would cost a pipe write, a context switch and a copy.
// Needs root (DMA, /dev/mem); DMA 10 by default (DMA 5 corrupts the SD card on a Pi 3B). The
// Pi 5 is refused before anything starts: its PWM and PCM sit behind the RP1 chip, which
// rpi_ws281x cannot drive (the `pio` driver does).
import { dlopen, FFIType, ptr, read, toArrayBuffer } from "bun:ffi";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ColorOrder, Ws281xOutput } from "../config/schema.ts";
import { BaseDriver } from "./base.ts";
import type { DriverContext } from "./driver.ts";
import { DEVICE_TREE, thisBoard } from "./rpi.ts";
import { ws2812WireLimitFps } from "./ws2812.ts";

/** Where `npm ci` builds the library (scripts/build-ws281x.ts). */
export const WS281X_DEFAULT_LIBRARY = join(import.meta.dir, "../../build/libws2811.so");
const SUGGEST = "the spi driver needs no root and works on every Pi";

// ws2811.h on 64-bit: ws2811_t is 112 bytes (freq@24, dmanum@28, channel[0]@32, channel[1]@72);
// ws2811_channel_t is 40 (gpionum@0, invert@4, count@8, strip_type@12, leds*@16, brightness@24).
const T_SIZE = 112, FREQ = 24, DMA = 28, CH0 = 32, CH1 = 72;
const GPIONUM = 0, COUNT = 8, STRIP_TYPE = 12, LEDS = 16, BRIGHTNESS = 24;
/** GPIO 13 and 19 are PWM1: rpi_ws281x takes them only as channel 1, with channel 0 empty. */
const PWM1_PINS: readonly number[] = [13, 19];
const channelAt = (gpio: number) => (PWM1_PINS.includes(gpio) ? CH1 : CH0);

/** The library's shift layout per order: it reorders logical 0xWWRRGGBB itself. */
const STRIP_TYPES: Record<ColorOrder, number> = {
  RGB: 0x00100800, RBG: 0x00100008, GRB: 0x00081000, GBR: 0x00080010, BRG: 0x00001008, BGR: 0x00000810,
  RGBW: 0x18100800, RBGW: 0x18100008, GRBW: 0x18081000, GBRW: 0x18080010, BRGW: 0x18001008, BGRW: 0x18000810,
};

function load(path: string) {
  return dlopen(path, {
    ws2811_init: { args: [FFIType.ptr], returns: FFIType.i32 },
    ws2811_render: { args: [FFIType.ptr], returns: FFIType.i32 },
    ws2811_fini: { args: [FFIType.ptr], returns: FFIType.void },
    ws2811_get_return_t_str: { args: [FFIType.i32], returns: FFIType.cstring },
  });
}
type Lib = ReturnType<typeof load>;

/** Logical bytes → the library's 0xWWRRGGBB words (it applies the strip's order itself). */
export function packWs281x(f: Uint8Array, leds: Uint32Array, bpl: 3 | 4): void {
  for (let i = 0, o = 0; i < leds.length; i++, o += bpl) {
    leds[i] = ((bpl === 4 ? f[o + 3] : 0) << 24) | (f[o] << 16) | (f[o + 1] << 8) | f[o + 2];
  }
}

/**
 * The ws2811_t handed to ws2811_init: the output on the channel its pin belongs to (GPIO 12,
 * 18 and PCM's 21 on channel 0; 13 and 19 on channel 1), the other channel all zero (GPIO 0,
 * no LEDs: unused). The library fills in the rest, the LED buffer's pointer included.
 */
export function ws281xStruct(cfg: Ws281xOutput, ctx: DriverContext): Uint8Array {
  const struct = new Uint8Array(T_SIZE);
  const dv = new DataView(struct.buffer);
  const ch = channelAt(cfg.gpio);
  dv.setUint32(FREQ, 800_000, true);
  dv.setInt32(DMA, cfg.dma, true);
  dv.setInt32(ch + GPIONUM, cfg.gpio, true);
  dv.setInt32(ch + COUNT, ctx.ledCount, true);
  dv.setInt32(ch + STRIP_TYPE, STRIP_TYPES[ctx.colorOrder], true);
  dv.setUint8(ch + BRIGHTNESS, 255);
  return struct;
}

/**
 * Why the library at `lib` cannot be loaded because it is not there, with the way to build it:
 * in a clone npm builds it; the appliance's root helper loads the one `sudo ledbox build-ws281x` builds.
 */
export function ws281xLibraryMissing(lib: string, helper: boolean): string {
  return helper
    ? `${lib} not found: the ws281x root helper loads it (build it with sudo ledbox build-ws281x, see README "ws281x"); ${SUGGEST}`
    : `${lib} not found (build it with npm run build:ws281x, see README "ws281x"); ${SUGGEST}`;
}

/**
 * Why a ws281x output cannot work here, or null. `helperLibrary`: null when ledbox drives the
 * strip itself (the library is `cfg.library`, in ledbox's tree by default); else the root helper
 * drives it (the appliance, where ledbox is unprivileged) and this is the library the helper
 * loads — its own setting, never the output's.
 */
export function checkWs281x(cfg: Ws281xOutput, dt = DEVICE_TREE, helperLibrary: string | null = null): string | null {
  const board = thisBoard(dt);
  if (board?.processor === "BCM2712") return `this is a ${board.name}: rpi_ws281x does not support the Pi 5 (its PWM and PCM sit behind the RP1 chip); use the pio driver`;
  const lib = helperLibrary ?? cfg.library ?? WS281X_DEFAULT_LIBRARY;
  return existsSync(lib) ? null : ws281xLibraryMissing(lib, helperLibrary !== null);
}

export class Ws281xDriver extends BaseDriver {
  readonly kind = "ws281x";
  private lib: Lib | null = null;
  /** Built afresh for each ws2811_init: the library writes its own pointers into it. */
  private struct: Uint8Array = new Uint8Array(T_SIZE);
  private leds: Uint32Array | null = null;

  constructor(readonly cfg: Ws281xOutput, ctx: DriverContext) {
    super(ctx);
  }

  protected async connect(): Promise<void> {
    const path = this.cfg.library ?? WS281X_DEFAULT_LIBRARY;
    // Stored settings at start-up never went through the settings check: its words, not dlopen's.
    if (!this.lib && !existsSync(path)) throw new Error(ws281xLibraryMissing(path, false));
    this.lib ??= load(path);
    this.struct = ws281xStruct(this.cfg, this.ctx);
    const rc = this.lib.symbols.ws2811_init(ptr(this.struct));
    if (rc !== 0) {
      const why = String(this.lib.symbols.ws2811_get_return_t_str(rc));
      const root = process.getuid?.() === 0 ? "" : " (it needs root)";
      throw new Error(`ws2811_init failed: ${why}${root}; ${SUGGEST}`);
    }
    const p = read.ptr(ptr(this.struct), channelAt(this.cfg.gpio) + LEDS);
    this.leds = new Uint32Array(toArrayBuffer(p, 0, this.ctx.ledCount * 4));
  }

  protected async disconnect(): Promise<void> {
    if (this.leds && this.lib) this.lib.symbols.ws2811_fini(ptr(this.struct));
    this.leds = null;
  }

  protected async send(): Promise<void> {
    const leds = this.leds, lib = this.lib;
    if (!leds || !lib) throw new Error("ws281x is not initialised");
    packWs281x(this.frame, leds, this.ctx.bytesPerLed);
    const rc = lib.symbols.ws2811_render(ptr(this.struct));
    if (rc !== 0) throw new Error(`ws2811_render failed: ${lib.symbols.ws2811_get_return_t_str(rc)}`);
  }

  wireLimitFps(): number {
    return ws2812WireLimitFps(this.frame.length);
  }
}
