// Network receivers (WLED, DDP) and the Pi 5 kernel driver want logical R,G,B(,W) and apply
// their own colour order; the engine hands drivers wire bytes in the strip's order. This
// undoes it.
import type { ColorOrder } from "../config/schema.ts";

/** For each logical channel R, G, B (, W): its byte offset within an LED in `order`. */
export function channelOffsets(order: ColorOrder): Int32Array {
  return Int32Array.from(order.length === 4 ? "RGBW" : "RGB", (ch) => order.indexOf(ch));
}

/**
 * Copies `count` LEDs from wire order into logical order, writing `outBpl` bytes per LED
 * (4 with RGB input leaves W at 0).
 */
export function toLogical(src: Uint8Array, dst: Uint8Array, dstOffset: number, count: number, offsets: Int32Array, outBpl: 3 | 4, first = 0): void {
  const inBpl = offsets.length;
  for (let i = 0, s = first * inBpl, d = dstOffset; i < count; i++, s += inBpl, d += outBpl) {
    for (let c = 0; c < inBpl; c++) dst[d + c] = src[s + offsets[c]];
  }
}
