// Secrets: random tokens, hashes for storage, and comparison that leaks no timing.
import { timingSafeEqual } from "node:crypto";

export const sha256 = (s: string): string => new Bun.CryptoHasher("sha256").update(s).digest("hex");

/** Constant-time comparison of a secret; hashing first hides the lengths too. Empty never matches. */
export function sameSecret(given: string, expected: string): boolean {
  const h = (s: string) => Buffer.from(new Bun.CryptoHasher("sha256").update(s).digest());
  return timingSafeEqual(h(given), h(expected)) && expected.length > 0;
}

export const randomToken = (bytes = 32): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
