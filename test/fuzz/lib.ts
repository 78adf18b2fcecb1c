// Seeded, reproducible fuzzing: a small PRNG, mutators that keep an input's shape while
// breaking its contents (JSON values, bytes, text), and a runner that feeds a target mutated
// inputs and collects what it must never do. Case i of a target always gets the same input for
// the same seed, so any finding replays from (target, seed, case).
import { concat } from "../../src/servers/reader.ts";

/** xorshift32: fast, and the same sequence on every machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x1_0000_0000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

/** FNV-1a of a string: each (target, seed, case) its own stream. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// ---- JSON values ---------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "length", "", "0", "-1", " ", "type", "value", "id", "name", "auth", "token", "k".repeat(300), "ü", "a.b", "$value"];
const STRINGS = [
  "", " ", "0", "-1", "1e309", "NaN", "Infinity", "null", "true", "[]", "{}", "#ff0000", "#GGGGGG", "#fff", "\u0000", "\ud800", "\u202e",
  "😀".repeat(40), "a".repeat(70_000), "../../etc/passwd", "%00", "<script>", "${x}", "__proto__", "constructor", "*", "main", "player.health",
  "a.b.c", "0.0.0.0", "127.0.0.1", "x".repeat(129), "\n", "\t", "ｆｕｌｌ", "2026-13-45T99:99:99Z",
];
const NUMBERS = [0, -0, 1, -1, 0.5, 2, 3, 8, 10, 16, 31, 32, 33, 60, 64, 100, 101, 240, 241, 255, 256, 500, 501, 1000, 10_000, 10_001, 16_000, 65_535, 65_536,
  2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324, 0.1, 1 / 3, 999_999_999_999];

/** A copy whose keys are own data properties even when they are "__proto__" (as JSON.parse makes them). */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out = {};
  for (const k of Object.keys(v)) define(out, k, clone((v as Record<string, unknown>)[k]));
  return out as T;
}

const define = (o: object, k: string, value: unknown) => Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

function scalar(rng: Rng): Json {
  switch (rng.int(6)) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick(NUMBERS);
    case 3: return (rng.next() - 0.5) * 10 ** rng.int(12);
    case 4: return rng.pick(STRINGS);
    default: return Array.from({ length: rng.int(12) }, () => String.fromCharCode(32 + rng.int(95))).join("");
  }
}

function randomValue(rng: Rng, depth = 0): Json {
  if (depth > 2 || rng.chance(0.6)) return scalar(rng);
  if (rng.chance(0.5)) return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
  const o: Record<string, Json> = {};
  for (let i = rng.int(4); i > 0; i--) define(o, rng.pick(KEYS), randomValue(rng, depth + 1));
  return o;
}

/** Every container in a value with the path to it (the root's parent is null). */
function nodes(v: Json, limit = 2000): { parent: Json[] | Record<string, Json> | null; key: string | number; value: Json }[] {
  const out: { parent: Json[] | Record<string, Json> | null; key: string | number; value: Json }[] = [{ parent: null, key: "", value: v }];
  for (let i = 0; i < out.length && out.length < limit; i++) {
    const n = out[i].value;
    if (n === null || typeof n !== "object") continue;
    for (const k of Array.isArray(n) ? n.keys() : Object.keys(n)) out.push({ parent: n, key: k, value: (n as Record<string | number, Json>)[k] });
  }
  return out;
}

function changed(rng: Rng, v: Json, donors: Json[]): Json {
  switch (rng.int(10)) {
    case 0: return randomValue(rng);
    case 1: // the other type of the same "meaning"
      return typeof v === "number" ? String(v) : typeof v === "string" ? (Number(v) || v.length) : typeof v === "boolean" ? String(v) : v === null ? {} : rng.chance(0.5) ? null : JSON.stringify(v);
    case 2: return typeof v === "number" ? rng.pick([v + 1, v - 1, -v, v * 1e6, v / 3, Math.trunc(v) + 0.5, rng.pick(NUMBERS)]) : rng.pick(NUMBERS);
    case 3: return typeof v === "string" ? textMutation(rng, v) : rng.pick(STRINGS);
    case 4: { // nest it, sometimes very deep
      let out: Json = v;
      for (let i = rng.chance(0.05) ? 3000 : 1 + rng.int(20); i > 0; i--) out = rng.chance(0.5) ? [out] : { x: out };
      return out;
    }
    case 5: { // many copies of an element, as many as fit in an input
      if (!Array.isArray(v)) return rng.pick([[], {}, ""]);
      const copies = Math.min(rng.chance(0.1) ? 5000 : 2 + rng.int(30), Math.floor(MAX_INPUT / sizeOf(v[0] ?? null)));
      return Array.from({ length: copies }, () => clone(v[0] ?? null));
    }
    case 6: { // a part of another valid input (crossover)
      const donor = rng.pick(nodes(rng.pick(donors), 500));
      return clone(donor.value);
    }
    default: return v === null || typeof v !== "object" ? randomValue(rng) : v;
  }
}

/**
 * The largest input a mutation may make: every entry point takes at most 1 MiB (server replies
 * and adapter files; HTTP bodies and MQTT messages less), and refuses more before any parsing.
 */
export const MAX_INPUT = 1024 * 1024;

/** 1–4 mutations of a copy of `seed`; `donors` are other valid inputs to borrow parts from. */
export function mutateJson(rng: Rng, seed: unknown, donors: unknown[] = [seed]): unknown {
  for (let attempt = 0; attempt < 4; attempt++) {
    const v = mutateOnce(rng, seed, donors);
    if ((JSON.stringify(v)?.length ?? 0) <= MAX_INPUT) return v;
  }
  return clone(seed);
}

/**
 * Each step may grow the value many times over (copies of copies): past MAX_INPUT the steps stop,
 * so no attempt builds a value far larger than any input. Making one costs the harness, whose
 * garbage collections hold up the render loop it runs beside.
 */
function mutateOnce(rng: Rng, seed: unknown, donors: unknown[]): unknown {
  let root = clone(seed) as Json;
  for (let n = 1 + rng.int(4); n > 0 && sizeOf(root) <= MAX_INPUT; n--) {
    const all = nodes(root);
    const at = rng.pick(all);
    const p = at.parent;
    const op = rng.int(10);
    if (op < 6 || p === null) {
      const next = changed(rng, at.value, donors as Json[]);
      if (p === null) root = next;
      else if (Array.isArray(p)) p[at.key as number] = next;
      else define(p, at.key as string, next);
    } else if (op < 8) { // remove it
      if (Array.isArray(p)) p.splice(at.key as number, 1);
      else delete p[at.key as string];
    } else { // a sibling: an unknown key (a reserved name, sometimes) or a repeated element
      if (Array.isArray(p)) p.splice(rng.int(p.length + 1), 0, clone(at.value));
      else define(p, rng.chance(0.5) ? rng.pick(KEYS) : rng.pick(Object.keys(p).concat("extra")), rng.chance(0.5) ? randomValue(rng) : clone(at.value));
    }
  }
  return root;
}

// ---- text ------------------------------------------------------------------------------------

const TOKENS = [":", ": ", "- ", "#", "&a ", "*a", "!!str ", "!!binary ", "? ", "|", ">", "{", "}", "[", "]", "'", '"', "\t", "\0", "\\", "\r\n",
  "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n", "~", "null", "0x1F", ".inf", "-.nan", "1e400", "2026-01-01", "\ufeff", "é", "😀"];

/** Character- and line-level damage to a text (YAML, RCON output, a JSON text). */
export function textMutation(rng: Rng, s: string): string {
  const out = textMutationOnce(rng, s);
  return out.length <= MAX_INPUT ? out : out.slice(0, MAX_INPUT);
}

function textMutationOnce(rng: Rng, s: string): string {
  let out = s;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(out.length + 1);
    switch (rng.int(8)) {
      case 0: out = out.slice(0, at) + rng.pick(TOKENS) + out.slice(at); break;
      case 1: out = out.slice(0, at) + out.slice(at + 1 + rng.int(16)); break;
      case 2: out = out.slice(0, at) + String.fromCharCode(rng.int(0x3000)) + out.slice(at + 1); break;
      case 3: out = out.slice(0, at); break;
      case 4: { // a line repeated, dropped or moved
        const lines = out.split("\n");
        const i = rng.int(lines.length), j = rng.int(lines.length);
        if (rng.chance(0.4)) lines.splice(i, 0, ...Array(Math.min(1 + rng.int(rng.chance(0.1) ? 500 : 3), Math.floor(MAX_INPUT / (lines[j].length + 1)))).fill(lines[j]));
        else if (rng.chance(0.5)) lines.splice(i, 1);
        else [lines[i], lines[j]] = [lines[j], lines[i]];
        out = lines.join("\n");
        break;
      }
      case 5: out = out.slice(0, at) + out.slice(at, at + 1 + rng.int(40)).repeat(2 + rng.int(rng.chance(0.1) ? 5000 : 5)) + out.slice(at); break;
      case 6: out = out.slice(0, at) + String(rng.pick(NUMBERS)) + out.slice(at); break;
      default: out = out.slice(0, at) + rng.pick(STRINGS).slice(0, 200) + out.slice(at);
    }
  }
  return out;
}

// ---- bytes -----------------------------------------------------------------------------------

/** Damage to a binary reply: bit flips, extreme length fields, cuts, insertions, repeats. */
export function mutateBytes(rng: Rng, seed: Uint8Array, donors: Uint8Array[] = [seed]): Uint8Array {
  const b = mutateBytesOnce(rng, seed, donors);
  return b.length <= MAX_INPUT ? b : b.subarray(0, MAX_INPUT);
}

function mutateBytesOnce(rng: Rng, seed: Uint8Array, donors: Uint8Array[]): Uint8Array {
  let b: Uint8Array = seed.slice();
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = rng.int(b.length + 1);
    switch (rng.int(8)) {
      case 0: if (b.length) b[at % b.length] ^= 1 << rng.int(8); break;
      case 1: if (b.length) b[at % b.length] = rng.pick([0, 1, 0x7f, 0x80, 0xfe, 0xff, rng.int(256)]); break;
      case 2: { // a 16- or 32-bit field set to an extreme
        const v = rng.pick([0, -1, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, -0x80000000, 4096, 4097, 9, 10, rng.int(0x10000)]);
        const w = rng.chance(0.5) ? 2 : 4;
        if (b.length < w) break;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const off = rng.int(b.length - w + 1);
        if (w === 2) dv.setUint16(off, v & 0xffff, true);
        else dv.setInt32(off, v | 0, true);
        break;
      }
      case 3: b = b.slice(0, at); break;
      case 4: b = concat(b.slice(0, at), Uint8Array.from({ length: 1 + rng.int(32) }, () => rng.int(256)), b.slice(at)); break;
      case 5: b = concat(b.slice(0, at), b.slice(at + 1 + rng.int(16))); break;
      case 6: { const part = b.slice(at, at + 1 + rng.int(64)); b = concat(b.slice(0, at), ...Array(1 + rng.int(rng.chance(0.1) ? 2000 : 8)).fill(part), b.slice(at)); break; }
      default: { const d = rng.pick(donors); const from = rng.int(d.length + 1); b = concat(b.slice(0, at), d.slice(from, from + rng.int(64)), b.slice(at)); }
    }
  }
  return b;
}


// ---- the runner ------------------------------------------------------------------------------

export interface Target<I = unknown> {
  /** The entry point, as the report names it. */
  name: string;
  /** Valid inputs to mutate. */
  seeds: I[];
  mutate(rng: Rng, seed: I, seeds: I[]): I;
  /** One case; it may return normally or throw an error `expected` accepts (a 4xx, a ProtocolError). */
  run(input: I): unknown;
  /** Errors that are answers; anything else thrown is a finding. */
  expected(err: unknown): boolean;
  /** Checked after every case: a broken invariant in words (state changed by a refused input, a prototype polluted). */
  check?(input: I): string | null;
  /** The most this entry point takes in bytes (its edge refuses more before parsing): larger inputs are not made. */
  limit: number;
  /** An input's size against `limit` (default: its bytes on the wire). */
  size?(input: I): number;
  /** Read only while ledbox starts, before the render loop runs: its time is start-up time, never a stalled frame. */
  beforeLoop?: true;
}

export interface Finding {
  target: string;
  seed: number;
  case: number;
  error: string;
  input: string;
}

export interface Result {
  target: string;
  cases: number;
  ms: number;
  findings: Finding[];
  /** Cases answered with an expected error (refused as they should be); the rest were taken. */
  refused: number;
  /**
   * The slowest case, and how many took longer than one frame at 60 fps (16.7 ms): an input that
   * long delays a frame. A case over it is timed again, and the faster run counts, so a garbage
   * collection or another process that happened to run then is not taken for a slow input.
   */
  maxCaseMs: number;
  overFrame: number;
}

export const FRAME_MS = 1000 / 60;

/** The input of case `i`, as the runner makes it: within the target's limit. */
export function caseInput<I>(t: Target<I>, seed: number, i: number): I {
  const rng = new Rng(hash32(`${t.name}:${seed}:${i}`));
  const base = rng.pick(t.seeds);
  for (let attempt = 0; attempt < 4; attempt++) {
    const input = t.mutate(rng, base, t.seeds);
    if ((t.size ?? sizeOf)(input) <= t.limit) return input;
  }
  return base;
}

/** Bytes an input takes on the wire (JSON as text). */
export function sizeOf(v: unknown): number {
  if (v instanceof Uint8Array) return v.length;
  if (typeof v === "string") return Buffer.byteLength(v);
  return Buffer.byteLength(JSON.stringify(v) ?? "");
}

/**
 * Runs `cases` cases of a target. Between cases it gives the event loop a timer turn whenever a
 * few milliseconds have passed, so a running engine's frame clock runs as it would between requests.
 */
export async function fuzz<I>(t: Target<I>, opts: { cases: number; seed: number; stopAfter?: number }): Promise<Result> {
  const findings: Finding[] = [];
  let maxCaseMs = 0, overFrame = 0, refused = 0;
  const start = performance.now();
  let turn = start;
  for (let i = 0; i < opts.cases; i++) {
    const input = caseInput(t, opts.seed, i);
    const t0 = performance.now();
    let error: string | null = null;
    try {
      await t.run(input);
    } catch (err) {
      if (!t.expected(err)) error = describe(err);
      else refused++;
    }
    error ??= t.check?.(input) ?? null;
    let took = performance.now() - t0;
    if (took > FRAME_MS && !error) took = Math.min(took, await timed(() => t.run(input)));
    maxCaseMs = Math.max(maxCaseMs, took);
    if (took > FRAME_MS) overFrame++;
    if (error) {
      findings.push({ target: t.name, seed: opts.seed, case: i, error, input: preview(input) });
      if (findings.length >= (opts.stopAfter ?? 20)) break;
    }
    if (performance.now() - turn > 4) {
      // A timer turn, not setImmediate: the engine's frame clock is a timer, and a loop of
      // immediates would starve it (counting the harness's own stalls as the device's).
      await Bun.sleep(0);
      turn = performance.now();
    }
  }
  return { target: t.name, cases: opts.cases, ms: performance.now() - start, findings, refused, maxCaseMs, overFrame };
}

async function timed(run: () => unknown): Promise<number> {
  const t0 = performance.now();
  try {
    await run();
  } catch {}
  return performance.now() - t0;
}

const describe = (err: unknown) => (err instanceof Error ? `${err.constructor.name}: ${err.message}`.slice(0, 500) : `thrown ${typeof err}: ${String(err).slice(0, 200)}`);

/** An input in a few hundred characters, for the report (the case number replays it whole). */
export function preview(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes(${v.length}) ${Buffer.from(v.subarray(0, 120)).toString("hex")}`;
  let s: string;
  try {
    s = typeof v === "string" ? v : JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `bytes(${x.length})` : x));
  } catch {
    s = String(v);
  }
  return s.length > 400 ? `${s.slice(0, 400)}… (${s.length} chars)` : s;
}
