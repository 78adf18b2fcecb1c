// Real-browser tests drive Debian's chromium through playwright-core (no bundled browser download).
// Without /usr/bin/chromium they skip with a printed reason, unless LEDBOX_REQUIRE_ALL=1 (CI) makes them fail.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { requires } from "./requires.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
const browserTests = requires("browser tests", [CHROMIUM], "apt-get install -y chromium");

/** True when browser tests should be skipped (the reason is printed once). */
export function skipBrowser(): boolean {
  return browserTests.skip;
}

/** The two sizes every page flow runs at: a phone's and a desktop's. */
export const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 860 },
];

/** Waits until LED i's pixel on the page's live canvas meets `cond` (JS source on r, g, b), checked every frame. */
export function waitPixel(page: Page, i: number, cond: string, timeout = 4000) {
  return page.waitForFunction(([i, cond]) => {
    const c = document.querySelector("canvas.strip") as HTMLCanvasElement | null;
    const at = c && (window as any).ledbox?.ledPixel(i);
    if (!at) return false;
    const [r, g, b] = c.getContext("2d")!.getImageData(at.x, at.y, 1, 1).data;
    return new Function("r", "g", "b", `return ${cond}`)(r, g, b);
  }, [i, cond] as const, { timeout, polling: "raf" });
}

export async function launchChromium(): Promise<Browser> {
  browserTests.assert(); // missing under LEDBOX_REQUIRE_ALL=1: throws the reason
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
