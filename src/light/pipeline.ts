// From rendered floats to the bytes every output takes:
//   brightness → gamma (to LED duty) → power limit → white extraction → dither/quantise.
// The bytes are in logical order, R G B (W): each driver puts them in its wire format (the strip's
// colour order for SPI and the serial bridge; receivers such as WLED take them as they are).
// The power limiter works on duty after gamma, because duty is what the LED draws current for;
// that is the same as limiting brightness before gamma, only exact.
import type { Settings } from "../config/schema.ts";

const LUT_SIZE = 4096;
/** Dithering applies below this many 8-bit steps, where one step is a visible jump. */
const DITHER_BELOW = 64;
/** Thresholds of an 8-frame ordered sequence: over 8 frames every LED channel sees each once. */
const THRESHOLDS = Float64Array.from([0, 4, 2, 6, 1, 5, 3, 7], (k) => (k + 0.5) / 8);

export interface PowerReading {
  /** What the frame would draw at the requested brightness. */
  requestedMa: number;
  /** What it draws after limiting. */
  ma: number;
  watts: number;
  /** Brightness factor the limiter applied to duty (1 = not limiting). */
  scale: number;
  limiting: boolean;
}

export class Pipeline {
  readonly ledCount: number;
  readonly bytesPerLed: 3 | 4;
  /** Duty bytes per LED in logical order: R, G, B (and W). */
  readonly frame: Uint8Array;
  /** Logical RGB bytes for the live preview: what the strip shows, in screen terms. */
  readonly preview: Uint8Array;
  readonly power: PowerReading = { requestedMa: 0, ma: 0, watts: 0, scale: 1, limiting: false };
  private readonly duty: Float32Array;
  private readonly lut = new Float32Array(LUT_SIZE + 1);

  constructor(private s: Settings) {
    const { ledCount, ledType } = s.strip;
    this.ledCount = ledCount;
    this.bytesPerLed = ledType === "rgbw" ? 4 : 3;
    this.frame = new Uint8Array(ledCount * this.bytesPerLed);
    this.preview = new Uint8Array(ledCount * 3);
    this.duty = new Float32Array(ledCount * 4);
    this.fillLut(s.light.gamma);
  }

  /** New light settings (brightness, gamma, dithering, power) for the same strip, from the next frame on. */
  retune(s: Settings): void {
    if (s.light.gamma !== this.s.light.gamma) this.fillLut(s.light.gamma);
    this.s = s;
  }

  private fillLut(gamma: number): void {
    for (let i = 0; i <= LUT_SIZE; i++) this.lut[i] = Math.pow(i / LUT_SIZE, gamma);
  }

  /** Fills frame and preview from strip (3 floats per LED, 0–1, values above 1 clipped). */
  process(strip: Float32Array, frameIndex: number): void {
    const { ledCount, duty, lut, s } = this;
    const bright = s.light.brightness;
    const { channelMa: mA, idleMaPerLed, budgetMa, enabled, volts } = s.light.power;
    const rgbw = this.bytesPerLed === 4;
    const extraction = rgbw ? s.strip.whiteExtraction : "none";

    const sub = extraction === "subtract", extract = extraction !== "none";
    const mR = mA.r, mG = mA.g, mB = mA.b, mW = mA.w;
    let active = 0; // mA above idle
    for (let i = 0, src = 0, d = 0; i < ledCount; i++, src += 3, d += 4) {
      let r = lut[lutIndex(clip(strip[src]) * bright)];
      let g = lut[lutIndex(clip(strip[src + 1]) * bright)];
      let b = lut[lutIndex(clip(strip[src + 2]) * bright)];
      let w = 0;
      if (extract) {
        w = r < g ? (r < b ? r : b) : g < b ? g : b;
        if (sub) { r -= w; g -= w; b -= w; }
      }
      duty[d] = r; duty[d + 1] = g; duty[d + 2] = b; duty[d + 3] = w;
      active += r * mR + g * mG + b * mB + w * mW;
    }
    const idle = idleMaPerLed * ledCount;
    const room = budgetMa - idle;
    const scale = enabled && active > room ? (room > 0 ? room / active : 0) : 1;
    const p = this.power;
    p.requestedMa = idle + active;
    p.ma = idle + active * scale;
    p.watts = (p.ma / 1000) * volts;
    p.scale = scale;
    p.limiting = scale < 1;

    // Preview in screen terms: the limiter's duty factor back through the inverse gamma.
    const previewScale = bright * Math.pow(scale, 1 / s.light.gamma);
    const dither = s.light.dithering;
    const { frame, preview, bytesPerLed } = this;
    for (let i = 0, src = 0, d = 0, o = 0; i < ledCount; i++, src += 3, d += 4, o += bytesPerLed) {
      const base = (frameIndex + i * 3) & 7;
      frame[o] = quantise(duty[d] * scale, dither, base);
      frame[o + 1] = quantise(duty[d + 1] * scale, dither, base + 1);
      frame[o + 2] = quantise(duty[d + 2] * scale, dither, base + 2);
      if (rgbw) frame[o + 3] = quantise(duty[d + 3] * scale, dither, base + 3);
      preview[src] = toByte(clip(strip[src]) * previewScale);
      preview[src + 1] = toByte(clip(strip[src + 1]) * previewScale);
      preview[src + 2] = toByte(clip(strip[src + 2]) * previewScale);
    }
  }
}

/**
 * Overshoot (an additive blend can exceed 1) is clipped before brightness is applied:
 * clipping after it would let a value of 2 at brightness 0.5 reach full duty.
 */
const clip = (v: number) => (v > 1 ? 1 : v);
// `(x + 0.5) | 0` is Math.round for the non-negative values here, and cheaper per channel.
const lutIndex = (v: number) => (v <= 0 ? 0 : v >= 1 ? LUT_SIZE : (v * LUT_SIZE + 0.5) | 0);
const toByte = (v: number) => (v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0);

/** 0–1 duty → byte; low levels dithered in time so their average is the exact level. */
function quantise(v: number, dither: boolean, seq: number): number {
  const x = v * 255;
  if (x >= 255) return 255;
  if (!dither || x >= DITHER_BELOW) return (x + 0.5) | 0;
  return (x + THRESHOLDS[seq & 7]) | 0;
}
