// Colours are RGB triples of 0–1 floats in the same (sRGB-like) space users pick them in;
// gamma to LED duty happens once, in the pipeline.
import { z } from "zod";

export type RGB = readonly [number, number, number];

const HEX = /^#?([0-9a-f]{6})$/i;

/** "#ff8800", "ff8800" or [255, 136, 0] → [1, 0.533, 0]. */
export const ColorSchema = z
  .union([
    z.string().regex(HEX, "a colour is #rrggbb"),
    z.tuple([z.int().min(0).max(255), z.int().min(0).max(255), z.int().min(0).max(255)]),
  ])
  .transform((c): RGB => {
    if (typeof c !== "string") return [c[0] / 255, c[1] / 255, c[2] / 255];
    const n = parseInt(HEX.exec(c)![1], 16);
    return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
  });

export const toHex = (c: RGB) =>
  "#" + c.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, "0")).join("");

/** Writes the colour at position f (0–1) along evenly spaced stops into out[o..o+2]. */
export function sampleGradient(stops: readonly RGB[], f: number, out: Float32Array, o: number): void {
  const n = stops.length;
  if (n === 1) {
    out[o] = stops[0][0]; out[o + 1] = stops[0][1]; out[o + 2] = stops[0][2];
    return;
  }
  // NaN clamps to 0 too: as an index it would throw, and this runs inside the render loop.
  const x = (f > 0 ? (f < 1 ? f : 1) : 0) * (n - 1);
  const i = x >= n - 1 ? n - 2 : Math.floor(x);
  const u = x - i, a = stops[i], b = stops[i + 1];
  out[o] = a[0] + (b[0] - a[0]) * u;
  out[o + 1] = a[1] + (b[1] - a[1]) * u;
  out[o + 2] = a[2] + (b[2] - a[2]) * u;
}

/** HSV (all 0–1) → RGB into out[o..o+2]; used by rainbow and colour cycling. */
export function hsv(h: number, s: number, v: number, out: Float32Array, o: number): void {
  const hh = (h - Math.floor(h)) * 6;
  const i = Math.floor(hh), f = hh - i;
  const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  let r = v, g = t, b = p;
  switch (i) {
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = t; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = t; g = p; b = v; break;
    case 5: r = v; g = p; b = q; break;
  }
  out[o] = r; out[o + 1] = g; out[o + 2] = b;
}
