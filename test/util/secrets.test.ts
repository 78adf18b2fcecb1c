// Secrets (src/util/secrets.ts): the constant-time comparison behind setup codes and integration
// tokens, and the random tokens themselves.
import { describe, expect, test } from "bun:test";
import { randomToken, sameSecret, sha256 } from "../../src/util/secrets.ts";

describe("sameSecret", () => {
  test("equal secrets match; any difference, in content or length, does not", () => {
    expect(sameSecret("tok_ABC123", "tok_ABC123")).toBe(true);
    expect(sameSecret("tok_ABC123", "tok_ABC124")).toBe(false);
    expect(sameSecret("tok_ABC12", "tok_ABC123")).toBe(false);
    expect(sameSecret("tok_ABC123 ", "tok_ABC123")).toBe(false);
  });

  test("an empty expected secret never matches: not an empty guess, not anything else", () => {
    // An integration or setup code without a secret must not be unlocked by sending none.
    expect(sameSecret("", "")).toBe(false);
    expect(sameSecret("x", "")).toBe(false);
    expect(sameSecret("", "x")).toBe(false);
  });
});

describe("tokens and hashes", () => {
  test("randomToken: url-safe base64 of the asked number of random bytes, different each time", () => {
    const a = randomToken(), b = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes
    expect(a).not.toBe(b);
    expect(Buffer.from(randomToken(12), "base64url").length).toBe(12);
  });

  test("sha256 is the hex SHA-256 digest", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
