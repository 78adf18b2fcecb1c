// Shared helpers for the output tests (not a test file itself): frames from the real pipeline
// (logical R G B (W) bytes), decoders that turn encoded wire bytes back into colours.
import { SettingsSchema, type ColorOrder } from "../../src/config/schema.ts";
import { Pipeline } from "../../src/light/pipeline.ts";
import type { DriverContext } from "../../src/outputs/driver.ts";

/** A channel map of one byte per "LED": encoders take the bytes as they are (for byte-level tests). */
export const AS_IS = Int32Array.of(0);

/** Eight test colours (0/1 per channel: exact through the pipeline at gamma 1). */
export const COLORS: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0, 0, 0]];

/** The pipeline's frame for `colors` on a strip of that order (no gamma, limit or dither). */
export function frameFor(order: ColorOrder, colors = COLORS, whiteExtraction: "none" | "subtract" = "subtract"): Uint8Array {
  const rgbw = order.length === 4;
  const s = SettingsSchema.parse({
    strip: { ledCount: colors.length, ledType: rgbw ? "rgbw" : "rgb", colorOrder: order, whiteExtraction },
    light: { brightness: 1, gamma: 1, dithering: false, power: { enabled: false } },
  });
  const p = new Pipeline(s);
  p.process(Float32Array.from(colors.flat()), 0);
  return p.frame.slice();
}

/** What each LED shows, as logical [R, G, B(, W)] 0–255, from wire bytes in `order`. */
export function logical(wire: Uint8Array, order: ColorOrder): number[][] {
  const bpl = order.length;
  const out: number[][] = [];
  for (let i = 0; i < wire.length; i += bpl) out.push([..."RGBW".slice(0, bpl)].map((ch) => wire[i + order.indexOf(ch)]));
  return out;
}

export const expected = (colors: [number, number, number][], rgbw: boolean): number[][] =>
  colors.map(([r, g, b]) => {
    if (!rgbw) return [r * 255, g * 255, b * 255];
    const w = Math.min(r, g, b);
    return [(r - w) * 255, (g - w) * 255, (b - w) * 255, w * 255];
  });

export const ctxFor = (ledCount: number, colorOrder: ColorOrder = "GRB"): DriverContext => ({ ledCount, bytesPerLed: colorOrder.length === 4 ? 4 : 3, colorOrder });

/** Decodes a 4-bits-per-bit SPI stream: LED bytes, and how long the trailing low lasts. */
export function decodeSpi(stream: Uint8Array, hz: number): { bytes: Uint8Array; latchUs: number } {
  let end = stream.length;
  while (end > 0 && stream[end - 1] === 0) end--;
  if (end % 4 !== 0) throw new Error(`data part is ${end} bytes, not a multiple of 4`);
  const bytes = new Uint8Array(end / 4);
  for (let i = 0; i < end; i++) {
    for (let j = 0; j < 2; j++) {
      const nib = j === 0 ? stream[i] >> 4 : stream[i] & 15;
      if (nib !== 0x8 && nib !== 0xc) throw new Error(`SPI byte ${i} holds nibble ${nib.toString(2)}, not 1000 or 1100`);
      const k = i * 2 + j; // LED bit index, MSB first
      if (nib === 0xc) bytes[k >> 3] |= 1 << (7 - (k & 7));
    }
  }
  return { bytes, latchUs: ((stream.length - end) * 8 * 1e6) / hz };
}

/**
 * WS2812B datasheet timing windows in ns: T0H 0.4 µs and T1H 0.8 µs, each ± 150 ns; one bit
 * (TH + TL) 1.25 µs ± 600 ns. A low of 50 µs or more resets (latches) the strip.
 */
export const WS2812B = { t0h: [250, 550], t1h: [650, 950], bit: [650, 1850], resetNs: 50_000 } as const;

/**
 * The line as the LEDs see it from an SPI bitstream clocked MSB first at hz: every high pulse,
 * with its high time and the time from its rise to the next rise (or to the end of the stream).
 */
export function spiPulses(stream: Uint8Array, hz: number): { highNs: number; periodNs: number }[] {
  const bitNs = 1e9 / hz;
  const level = (k: number) => (stream[k >> 3] >> (7 - (k & 7))) & 1;
  const total = stream.length * 8;
  const rises: number[] = [];
  const highs: number[] = [];
  for (let k = 0; k < total; k++) {
    if (level(k) && (k === 0 || !level(k - 1))) rises.push(k);
    if (level(k) && (k === total - 1 || !level(k + 1))) highs.push(k + 1 - rises[rises.length - 1]);
  }
  return rises.map((r, i) => ({ highNs: highs[i] * bitNs, periodNs: ((rises[i + 1] ?? total) - r) * bitNs }));
}
