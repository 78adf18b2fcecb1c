// Tests that need a Debian package (a command or a file it installs), or root, are skipped with a
// printed reason when it is missing — unless LEDBOX_REQUIRE_ALL=1 (CI), where they run and fail on it.
import { existsSync } from "node:fs";

export const requireAll = process.env.LEDBOX_REQUIRE_ALL === "1";

/** Among `needs`: the tests must run as root (uid 0), as on the device and in CI. */
export const AS_ROOT = "root";

export interface Requirement {
  /** True when the tests should be skipped (the reason has been printed once). */
  skip: boolean;
  /** Throws the reason when something is missing (call it first in the tests' setup). */
  assert(): void;
}

/** `needs` are commands on PATH, absolute file paths, or AS_ROOT; `install` says how to get them. */
export function requires(label: string, needs: string[], install: string): Requirement {
  const missing = needs.filter((n) => (n === AS_ROOT ? process.getuid?.() !== 0 : n.startsWith("/") ? !existsSync(n) : !Bun.which(n)));
  const said = missing.map((n) => (n === AS_ROOT ? `not running as root (uid ${process.getuid?.()})` : `${n} not found`));
  const reason = `${said.join("; ")} (${install})`;
  const skip = missing.length > 0 && !requireAll;
  if (skip) console.warn(`[${label}] SKIPPED: ${reason}; set LEDBOX_REQUIRE_ALL=1 to make this a failure`);
  return {
    skip,
    assert() {
      if (missing.length > 0) throw new Error(`${reason} and LEDBOX_REQUIRE_ALL=1`);
    },
  };
}
