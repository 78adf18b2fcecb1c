import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bunzip2 } from "../../src/servers/bzip2.ts";

// Made with Python's bz2 module (level 1: 100 kB blocks) from this same text.
const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dir, "fixtures", name)));
const TEXT = Array.from({ length: 12000 }, (_, i) => `line ${i} ${(i * i) % 977} ${"abc".repeat(i % 7)}\n`).join("") + "x".repeat(5000) + "\n" +
  Array.from({ length: 30000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join("");

describe("bzip2", () => {
  test("a four-block stream with long runs decompresses to the original", () => {
    const out = bunzip2(fixture("multiblock.bz2"), 1 << 20);
    expect(out.length).toBe(322_418);
    expect(new TextDecoder().decode(out)).toBe(TEXT);
  });

  test("an empty stream, and bad input named", () => {
    expect(bunzip2(fixture("empty.bz2"))).toEqual(new Uint8Array(0));
    expect(() => bunzip2(new TextEncoder().encode("hello"))).toThrow("not a bzip2 stream");
    const cut = fixture("multiblock.bz2").subarray(0, 2000);
    expect(() => bunzip2(cut)).toThrow("bzip2 stream ends early");
    expect(() => bunzip2(fixture("multiblock.bz2"), 1000)).toThrow("bzip2 output over 1000 bytes");
  });
});
