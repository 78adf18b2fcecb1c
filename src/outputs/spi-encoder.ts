// WS2812/SK6812 as an SPI bitstream.
//
// Wire format: every LED bit becomes 4 SPI bits, MSB first: 0 → 1000, 1 → 1100, so each SPI
// byte carries exactly two LED bits and each LED byte becomes 4 SPI bytes (12 per RGB LED,
// 16 per RGBW LED), each LED's bytes in the strip's colour order. After the LEDs come zero
// bytes holding the line low for at least LATCH_US (the latch/reset).
//
// Why 4 bits at 2.6 MHz (Hyperion's choice) rather than 3 bits at 2.4 MHz: with 4 bits a LED
// bit never straddles an SPI byte and every byte ends low, so the idle clock some SPI
// controllers insert between bytes only stretches a low time, which WS2812 tolerates. At
// 2.6 MHz one SPI bit is 385 ns: a 0 is 385 ns high / 1154 ns low and a 1 is 769 / 769 ns,
// inside the WS2812B and SK6812 tolerances; the LED bit period is 1.54 µs (650 kbit/s).
// The Pi's SPI clock is its core clock over an even divider: 2.6 MHz lands at 2.60 MHz on a
// Pi 3/4 (core 250/500 MHz) and 2.56–2.63 MHz on a Pi 5, all inside 2.2–3.0 MHz.
import { LATCH_US } from "./ws2812.ts";

const SPI_BYTES_PER_LED_BYTE = 4;

/** Two LED bits → one SPI byte. */
const PAIR = Uint8Array.of(0x88, 0x8c, 0xc8, 0xcc);

export const latchBytes = (hz: number): number => Math.ceil((LATCH_US * 1e-6 * hz) / 8);
export const spiFrameBytes = (ledBytes: number, hz: number): number => ledBytes * SPI_BYTES_PER_LED_BYTE + latchBytes(hz);

/**
 * Encodes a frame of logical bytes into `out` (spiFrameBytes long), each LED's bytes in the order
 * `channels` gives (wireChannels of the strip's colour order); the latch bytes stay zero.
 */
export function encodeSpi(frame: Uint8Array, out: Uint8Array, channels: Int32Array): void {
  const bpl = channels.length;
  for (let led = 0, o = 0; led < frame.length; led += bpl) {
    for (let p = 0; p < bpl; p++, o += 4) {
      const v = frame[led + channels[p]];
      out[o] = PAIR[v >> 6];
      out[o + 1] = PAIR[(v >> 4) & 3];
      out[o + 2] = PAIR[(v >> 2) & 3];
      out[o + 3] = PAIR[v & 3];
    }
  }
}

/** Frames per second the data line can show: the whole buffer, latch included, at `hz`. */
export const spiWireLimitFps = (ledBytes: number, hz: number): number => hz / (8 * spiFrameBytes(ledBytes, hz));
