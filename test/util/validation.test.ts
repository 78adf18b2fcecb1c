// zod at the boundaries (src/util/validation.ts), directly: describeIssues names the path of each
// failing field (with the caller's prefix), a union's failure names the field inside the option
// the value matches, and validate refuses reserved keys before the schema sees them.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { DomainError } from "../../src/util/errors.ts";
import { describeIssues, refuseReservedKeys, validate } from "../../src/util/validation.ts";

const Schema = z.object({
  a: z.number(),
  b: z.object({ c: z.string() }),
  list: z.array(z.number()).optional(),
});

/** The issues of a value the schema refuses, as describeIssues words them. */
const described = (schema: z.ZodType, value: unknown, prefix?: string) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error("expected the schema to refuse the value");
  return describeIssues(r.error, prefix);
};

describe("describeIssues", () => {
  test("one part per issue, each naming its dotted path, array indexes included", () => {
    const parts = described(Schema, { a: "x", b: { c: 1 }, list: [1, "y"] }).split("; ");
    expect(parts).toHaveLength(3);
    expect(parts[0]).toStartWith("a: ");
    expect(parts[0]).toContain("expected number");
    expect(parts[1]).toStartWith("b.c: ");
    expect(parts[1]).toContain("expected string");
    expect(parts[2]).toStartWith("list.1: ");
    expect(parts[2]).toContain("expected number");
  });

  test("a prefix goes before every path", () => {
    const parts = described(Schema, { a: "x", b: { c: 1 } }, "light").split("; ");
    expect(parts.map((p) => p.slice(0, p.indexOf(": ")))).toEqual(["light.a", "light.b.c"]);
  });

  test("an issue with no path is its message alone, or the prefix alone as its path", () => {
    const root = described(z.number(), "x");
    expect(root).toContain("expected number");
    expect(root).not.toContain(": Invalid");
    expect(described(z.number(), "x", "body")).toStartWith("body: ");
  });

  test("an unknown key of a strict object is named", () => {
    expect(described(z.object({ a: z.number() }).strict(), { a: 1, zz: 2 })).toContain('"zz"');
  });

  test("at most five issues are told", () => {
    const many = z.object(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, z.number()])));
    const parts = described(many, {}).split("; ");
    expect(parts.map((p) => p.slice(0, p.indexOf(":")))).toEqual(["f0", "f1", "f2", "f3", "f4"]);
  });

  test("a union names the field inside the one option whose type the value has", () => {
    const Cond = z.object({ cond: z.union([z.number(), z.object({ op: z.string(), value: z.number() })]) });
    const inside = described(Cond, { cond: { op: "gt", value: "x" } });
    expect(inside).toStartWith("cond.value: ");
    expect(inside).toContain("expected number");
    const list = z.object({ at: z.union([z.string(), z.array(z.number())]) });
    expect(described(list, { at: [1, "two"] })).toStartWith("at.1: ");
  });

  test("a value of none of a union's types is told which types they are, at the union's path", () => {
    const Cond = z.object({ cond: z.union([z.number(), z.object({ op: z.string() })]) });
    expect(described(Cond, { cond: true })).toBe("cond: Invalid input: expected number or object");
  });

  test("a value that fits the type of several options keeps the union's own message at its path", () => {
    const Either = z.object({ x: z.union([z.object({ a: z.number() }), z.object({ b: z.string() })]) });
    expect(described(Either, { x: {} })).toStartWith("x: ");
  });
});

describe("validate", () => {
  test("a valid body comes back parsed", () => {
    expect(validate(Schema, { a: 1, b: { c: "d" } })).toEqual({ a: 1, b: { c: "d" } });
  });

  test("an invalid body is an 'invalid' domain error naming what and each field", () => {
    try {
      validate(Schema, { a: "x", b: { c: "d" } }, "mapping");
      throw new Error("validate accepted an invalid body");
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).kind).toBe("invalid");
      expect((err as DomainError).message).toStartWith("invalid mapping: a: ");
    }
  });

  test("a reserved key is refused by its path before the schema sees it (zod would drop __proto__ silently)", () => {
    const body = JSON.parse('{"a":1,"b":{"c":"d","__proto__":{"admin":true}}}');
    expect(() => validate(Schema, body)).toThrow("invalid body: b.__proto__: this key is not allowed");
    expect(() => refuseReservedKeys({ list: [{ toString: 1 }] }, "settings")).toThrow("invalid settings: list.0.toString: this key is not allowed");
    expect(() => refuseReservedKeys({ ok: { fine: [1] } })).not.toThrow();
  });
});
