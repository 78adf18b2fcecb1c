// Real-browser tests drive Debian's chromium through playwright-core (no bundled browser download).
// Without /usr/bin/chromium they skip with a printed reason, unless LEDBOX_REQUIRE_ALL=1 (CI) makes them fail.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { requires } from "./requires.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
const browserTests = requires("browser tests", [CHROMIUM], "apt-get install -y chromium");

/** True when browser tests should be skipped (the reason is printed once). */
export function skipBrowser(): boolean {
  return browserTests.skip;
}

export async function launchChromium(): Promise<Browser> {
  browserTests.assert(); // missing under LEDBOX_REQUIRE_ALL=1: throws the reason
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
