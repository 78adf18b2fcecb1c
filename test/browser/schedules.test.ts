// The page's Schedules card in a real Chromium against a real ledbox and a SpeedGaming fake: the
// sources with their state, the next matches in the device's zone, yours marked, with a countdown.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { call, startBox, type TestBox } from "../helpers/box.ts";
import { hasChromium, launchChromium, skipBrowser } from "../helpers/browser.ts";
import { episode, fakeHttp } from "../schedules/fakes.ts";

const skip = skipBrowser();
const HOUR = 3_600_000;
let tb: TestBox;
let browser: Browser;
let page: Page;
const start = Math.ceil((Date.now() + 2 * HOUR) / 60_000) * 60_000;
const sg = fakeHttp(() => ({ kind: "ok", body: JSON.stringify([
  episode(1, new Date(start).toISOString(), [{ displayName: "Alice" }, { displayName: "Bob" }]),
  episode(2, new Date(start + 26 * HOUR).toISOString(), [{ displayName: "Carol" }, { displayName: "Dan" }]),
]) }));

beforeAll(async () => {
  if (skip || !hasChromium) return;
  tb = await startBox();
  const admin = { cookie: await tb.admin() };
  const c = await call(tb.url, "POST", "/api/v1/schedules", { name: "League", kind: "speedgaming", event: "alttprleague", baseUrl: sg.url, names: ["alice"] }, admin);
  await call(tb.url, "POST", `/api/v1/schedules/${c.body.id}/import`, undefined, admin);
  await call(tb.url, "POST", "/api/v1/schedules", { name: "Broken", kind: "ical", url: "http://127.0.0.1:9/none.ics", enabled: false }, admin);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
}, { timeout: 15_000 });

afterAll(async () => {
  await browser?.close();
  await tb?.stop();
  sg.close();
}, { timeout: 10_000 });

test.skipIf(skip)("the Schedules page lists the sources and the next matches in the device's zone, yours marked, with a countdown", async () => {
  if (!hasChromium) await launchChromium(); // throws the reason
  await page.goto(`${tb.url}/#/schedules`);
  await page.waitForFunction(() => document.querySelectorAll(".matches li.mine").length === 1, null, { timeout: 5000 });
  const rows = await page.$$eval(".matches li", (lis) => lis.map((li) => ({
    mine: li.classList.contains("mine"), title: li.querySelector("b")!.textContent, detail: li.querySelector("small")!.textContent, left: li.querySelector(".left")!.textContent,
  })));
  const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const when = (t: number) => new Date(t).toLocaleString([], { timeZone: tz, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false });
  expect(rows.map((r) => [r.mine, r.title, r.detail])).toEqual([
    [true, "Swiss Round 1", `${when(start)} · League · Alice vs Bob`],
    [false, "Swiss Round 1", `${when(start + 26 * HOUR)} · League · Carol vs Dan`],
  ]);
  expect(rows[0].left).toMatch(/^in [12] h \d\d min$/);
  expect(rows[1].left).toMatch(/^in 1 d [34] h$/);
  const sources = await page.$$eval("ul.sources > li", (lis) => lis.map((li) => [li.querySelector("b")!.textContent, li.querySelector(".pill")?.textContent ?? null]));
  expect(sources).toEqual([["League", "ok"], ["Broken", "disabled"]]);
  // The source's own loop may have imported again by now (nothing new then).
  expect(await page.locator("ul.sources > li").first().locator("small").nth(1).textContent()).toMatch(/^2 matches · imported .* \(\+[02] ~0 −0\)$/);
});
