// Shared helpers for the light-engine tests (not a test file itself).
import { SettingsSchema, type Settings, type SettingsInput } from "../../src/config/schema.ts";
import { Engine } from "../../src/light/engine.ts";
import { Scene } from "../../src/light/scene.ts";
import {
  BaseChangeSchema,
  BaseSpecSchema,
  EffectSpecSchema,
  MeterSpecSchema,
  type BaseChange,
  type BaseSpec,
  type EffectSpec,
  type MeterSpec,
} from "../../src/light/specs.ts";

export const settings = (input: SettingsInput = {}): Settings => SettingsSchema.parse(input);
export const fx = (input: Record<string, unknown>): EffectSpec => EffectSpecSchema.parse(input);
export const baseChange = (input: Record<string, unknown>): BaseChange => BaseChangeSchema.parse(input);
export const baseSpec = (input: Record<string, unknown>): BaseSpec => BaseSpecSchema.parse(input);
export const meterSpec = (input: Record<string, unknown> = {}): MeterSpec => MeterSpecSchema.parse(input);

/**
 * Settings that make wire bytes easy to predict: RGB order, full brightness, no power limit,
 * no dithering, and no photosensitivity guard (compositor tests trigger many flashes at once;
 * the guard has its own tests). Gamma stays at the default (2.2) unless overridden.
 */
export function plain(
  ledCount = 10,
  extra: { gamma?: number; segments?: SettingsInput["segments"]; maxEffects?: number; guard?: boolean } = {},
): Settings {
  return settings({
    strip: { ledCount, colorOrder: "RGB" },
    segments: extra.segments ?? [],
    render: { maxEffectsPerSegment: extra.maxEffects ?? 8 },
    safety: { flashGuard: extra.guard ?? false },
    light: { brightness: 1, dithering: false, gamma: extra.gamma ?? 2.2, power: { enabled: false } },
  });
}

/** An engine whose clock never moves by itself: time only passes through renderAt(t). */
export function engineAt0(s: Settings, bases?: ReadonlyMap<string, BaseSpec>): Engine {
  return new Engine(s, () => 0, bases);
}

/** Same, with the base layer switched off everywhere so effects show on black. */
export function darkEngine(s: Settings): Engine {
  const e = engineAt0(s);
  e.setBase(baseChange({ on: false, transitionMs: 0 }), 0);
  return e;
}

export function darkScene(s: Settings): Scene {
  const sc = new Scene(s);
  sc.setBase(baseChange({ on: false, transitionMs: 0 }), 0);
  return sc;
}

/** Renders a scene at tMs and returns the strip floats (3 per LED). */
export function sceneAt(sc: Scene, tMs: number): Float32Array {
  const strip = new Float32Array(sc.settings.strip.ledCount * 3);
  sc.render(tMs, strip);
  return strip;
}

/** The exact, unrounded wire level (0–255) of a 0–1 value through gamma. */
export const level = (v: number, gamma = 2.2) => 255 * Math.pow(v <= 0 ? 0 : v >= 1 ? 1 : v, gamma);

/**
 * Rounding to a byte is worth up to 0.5; the pipeline's 4096-entry gamma table adds at most
 * 255·γ/8192 ≈ 0.07 at full scale (γ = 2.2), and float32 a little more.
 */
export const GAMMA_TOL = 0.58;

/** Asserts that every byte is within tol of the expected exact level. */
export function expectLevels(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = GAMMA_TOL): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`byte ${i}: got ${actual[i]}, expected ${expected[i].toFixed(3)} ± ${tol}\n got  [${Array.from(actual).join(",")}]\n want [${Array.from(expected, (v) => v.toFixed(2)).join(",")}]`);
    }
  }
}

/** Expected RGB wire bytes (RGB order) for n LEDs all showing the linear colour c. */
export function solidLevels(n: number, c: readonly number[], gamma = 2.2): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(level(c[0], gamma), level(c[1], gamma), level(c[2], gamma));
  return out;
}

/** Float comparison of strip buffers with a float32-sized tolerance. */
export function expectFloats(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`value ${i}: got ${actual[i]}, expected ${expected[i]}\n got  [${Array.from(actual, (v) => v.toFixed(4)).join(",")}]\n want [${Array.from(expected, (v) => v.toFixed(4)).join(",")}]`);
    }
  }
}

/** A strip buffer with every LED set to the colour c, or per-LED colours. */
export function solid(n: number, c: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(c[0], c[1], c[2]);
  return out;
}

/** LED i's triple from a strip or byte buffer. */
export const led = (buf: ArrayLike<number>, i: number, per = 3) => Array.from({ length: per }, (_, c) => buf[i * per + c]);

/** What the pipeline's frame bytes should be, stage by stage as pipeline.ts documents them (not its code). */
export interface WireModel {
  brightness: number;
  gamma: number;
  /** The strip's colour order, e.g. "GRB" or "GRBW": only its length matters (the frame is R G B (W)). */
  order: string;
  dithering: boolean;
  /** RGBW only: how white is taken from the colour. */
  whiteExtraction?: "none" | "subtract" | "add";
  /** The power limiter's duty factor (1 = not limiting). */
  scale?: number;
  /** Relative uncertainty of scale (an estimate made outside the pipeline differs in the last digits). */
  scaleTol?: number;
}

/** The 8-frame ordered dither: frame phase k compares the fraction with (ORDER[k] + 0.5) / 8 (pipeline.ts). */
const DITHER_ORDER = [0, 4, 2, 6, 1, 5, 3, 7];

/** LED duty (0–1) per logical channel R, G, B, W for linear colours, and each one's uncertainty. */
export function dutyOf(rgb: readonly number[], m: Pick<WireModel, "brightness" | "gamma" | "whiteExtraction">): { duty: number[]; tol: number[] } {
  const v = rgb.map((x) => Math.min(1, Math.max(0, x)) * m.brightness);
  const duty = v.map((x) => Math.pow(x, m.gamma));
  // The pipeline's 4096-entry gamma table rounds its input by up to 1/8192: the slope there bounds the error.
  const tol = v.map((x) => m.gamma * Math.pow(Math.min(1, x + 1 / 8192), m.gamma - 1) / 8192 + 1e-6);
  if (m.whiteExtraction === undefined || m.whiteExtraction === "none") return { duty: [...duty, 0], tol: [...tol, 0] };
  const w = Math.min(...duty), wTol = tol[duty.indexOf(w)];
  if (m.whiteExtraction === "add") return { duty: [...duty, w], tol: [...tol, wTol] };
  return { duty: [...duty.map((d) => d - w), w], tol: [...tol.map((t) => t + wTol), wTol] };
}

/**
 * The byte range each wire position may hold for LEDs showing the linear colours `leds` in frame
 * `frame`: brightness and gamma to duty, the power scale, white extraction, then 0–255, dithered
 * in time below 64 steps, in logical order R G B (W). A range is one value unless the gamma
 * table's rounding could tip it to the next.
 */
export function expectedWire(leds: readonly (readonly number[])[], m: WireModel, frame: number): [number, number][] {
  const rgbw = m.order.length === 4;
  const out: [number, number][] = new Array(leds.length * m.order.length);
  leds.forEach((c, i) => {
    const { duty, tol } = dutyOf(c, { ...m, whiteExtraction: rgbw ? (m.whiteExtraction ?? "subtract") : "none" });
    for (let ch = 0; ch < m.order.length; ch++) {
      const x = 255 * duty[ch] * (m.scale ?? 1);
      const dx = 255 * tol[ch] * (m.scale ?? 1) + x * (m.scaleTol ?? 0);
      const threshold = (DITHER_ORDER[(frame + i * 3 + ch) & 7] + 0.5) / 8;
      const byte = (y: number) => (y >= 255 ? 255 : y <= 0 ? 0 : m.dithering && y < 64 ? Math.floor(y + threshold) : Math.round(y));
      out[i * m.order.length + ch] = [byte(x - dx), byte(x + dx)];
    }
  });
  return out;
}

/** Fails naming every wire byte outside its expected range. */
export function expectWire(actual: ArrayLike<number>, expected: [number, number][], what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} bytes, expected ${expected.length}`);
  const bad: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    const [lo, hi] = expected[i];
    if (actual[i] < lo || actual[i] > hi) bad.push(`byte ${i}: ${actual[i]}, expected ${lo === hi ? lo : `${lo}–${hi}`}`);
  }
  if (bad.length) throw new Error(`${what}:\n  ${bad.join("\n  ")}`);
}
