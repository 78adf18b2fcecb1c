// Colour order, applied where a wire format is made. The engine hands every driver logical bytes,
// R G B (W) per LED; a driver that clocks the LEDs itself (SPI, the serial bridge) sends them in
// the strip's order, while receivers that order themselves (WLED, DDP, the Pi 5 kernel driver,
// rpi_ws281x) take them as they are.
import type { ColorOrder } from "../config/schema.ts";

/** For each byte of an LED on the wire, which logical channel it carries (R 0, G 1, B 2, W 3). */
export function wireChannels(order: ColorOrder): Int32Array {
  return Int32Array.from(order, (ch) => "RGBW".indexOf(ch));
}

/** Copies `count` bytes from src[from…] to dst[at…] without the view subarray() would allocate (this runs every frame). */
export function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, at: number, count: number): void {
  for (let k = 0; k < count; k++) dst[at + k] = src[from + k];
}
