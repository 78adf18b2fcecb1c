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
