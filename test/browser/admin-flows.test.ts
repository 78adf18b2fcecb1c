// The owner's flows past the demo, in a real Chromium against a real ledbox, at a phone's size
// and a desktop's: API tokens (shown once, used, revoked) and the read lock seen from a
// logged-out page; backup downloaded and restored from the page, a bad file refused; a game
// server edited, switched off, with its history chart and recent sessions; Home Assistant with a
// real broker (connected, what was discovered, the last error); a failing real output shown in
// words; the figures and the strip marked stale when ledbox goes away; storage problems (a
// damaged database set aside, a full disk) said on the page; axe on the login page, on open
// editors and on every page in the dark scheme.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { call, startBox, tempDir, until } from "../helpers/box.ts";
import { BROKERS } from "../helpers/brokers.ts";
import { hasChromium, launchChromium, skipBrowser, VIEWPORTS } from "../helpers/browser.ts";
import { startProcess, type LedboxProcess } from "../helpers/process.ts";
import { mountSmallDisk, smallDisks } from "../helpers/tmpfs.ts";
import { fakeA2s } from "../servers/fakes.ts";

setDefaultTimeout(60_000);
const skip = skipBrowser();
const AXE = readFileSync(Bun.resolveSync("axe-core/axe.min.js", import.meta.dir), "utf8");
const PAGES = ["", "strip", "segments", "mappings", "games", "servers", "schedules", "ha", "account", "system"];
/** Pages with an editor that opens in place: the page and the button that opens it. */
const EDITORS = [["servers", "Add a server"], ["mappings", "Add a mapping"], ["games", "Add a game"], ["schedules", "Add a source"]] as const;
/** What changes with the colour scheme. */
const COLOUR_RULES = ["color-contrast", "link-in-text-block"];
const PASSWORD = "an owner's long password";

let browser: Browser | null = null;
const chromium = async () => (browser ??= await launchChromium());
afterAll(async () => {
  await browser?.close();
});

/** axe-core on the whole page; `rules` limits it to those (the colour rules, for a second colour scheme). */
async function axe(page: Page, where: string, rules?: string[]) {
  await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(async (rules) => (await (window as any).axe.run(document, { resultTypes: ["violations"], ...(rules && { runOnly: { type: "rule", values: rules } }) })).violations
    .map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).join(", ")}`), rules);
  expect({ where, violations: r }).toEqual({ where, violations: [] });
}

const go = async (page: Page, url: string, path: string) => {
  await page.goto(`${url}/#/${path}`);
  await page.locator("main h2").first().waitFor();
};
/** Every card of the page is in (the pages poll, so the network never goes idle). */
const settled = (page: Page) => page.waitForFunction(() => document.querySelectorAll("main .card").length > 0 && !document.querySelector("main [aria-busy=true]"));

/** A loopback UDP port nothing listens on: its host answers ICMP "port unreachable". */
async function closedUdpPort(): Promise<number> {
  const s = await Bun.udpSocket({ hostname: "127.0.0.1" });
  const port = s.port;
  s.close();
  return port;
}

/** "ledbox_session=…" as a cookie for a browser context. */
const sessionCookie = (cookie: string, url: string) => ({ name: cookie.slice(0, cookie.indexOf("=")), value: cookie.slice(cookie.indexOf("=") + 1), url });

for (const vp of VIEWPORTS) {
  describe.skipIf(skip)(`admin flows on a ${vp.name} (${vp.width}×${vp.height})`, () => {
    let dir = "";
    let files = "";
    let lb: LedboxProcess;
    let context: BrowserContext;
    let page: Page;
    let admin: { cookie: string };
    const pageErrors: string[] = [];
    const to = (path: string) => go(page, lb.url, path);
    const settings = async () => (await call(lb.url, "GET", "/api/v1/settings", undefined, admin)).body;
    const newContext = async () => (await chromium()).newContext({ viewport: { width: vp.width, height: vp.height }, colorScheme: "light", acceptDownloads: true });

    beforeAll(async () => {
      if (!hasChromium) return; // missing under LEDBOX_REQUIRE_ALL=1: each test fails, by name
      dir = tempDir();
      files = tempDir("ledbox-files-");
      lb = await startProcess(dir);
      admin = { cookie: await lb.admin(PASSWORD) };
      expect((await call(lb.url, "PUT", "/api/v1/settings", { strip: { ledCount: 30 } }, admin)).status).toBe(200);
      context = await newContext();
      page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      // Chromium logs every non-2xx response as a console error; the tests provoke some on purpose.
      page.on("console", (m) => m.type() === "error" && !/Failed to load resource|WebSocket connection/.test(m.text()) && pageErrors.push(m.text()));
    });

    afterAll(async () => {
      await context?.close();
      if (lb && lb.proc.exitCode === null) await lb.stop();
      for (const d of [dir, files]) if (d) rmSync(d, { recursive: true, force: true });
    });

    test("login: no accessibility violations in light or dark; a wrong password is refused in words, the right one opens the page", async () => {
      if (!hasChromium) await launchChromium(); // throws the reason
      await page.goto(`${lb.url}/#/account`);
      await page.getByRole("button", { name: "Log in" }).waitFor();
      await axe(page, "login (light)");
      await page.emulateMedia({ colorScheme: "dark" });
      await axe(page, "login (dark)");
      await page.emulateMedia({ colorScheme: "light" });
      await page.getByLabel("Admin password").fill("not the password");
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("alert").filter({ hasText: "wrong password" }).waitFor();
      await page.getByLabel("Admin password").fill(PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.getByRole("heading", { name: "API tokens" }).waitFor();
    });

    test("account: an API token is made and shown once, works as a Bearer token, is listed, and once revoked is refused", async () => {
      await to("account");
      const tokens = page.getByRole("region", { name: "API tokens" });
      await tokens.getByLabel("Name", { exact: true }).fill("home script");
      await tokens.getByRole("button", { name: "Make a token" }).click();
      const shown = tokens.getByRole("status").filter({ hasText: 'The token "home script" — copy it now, it is not shown again' });
      const token = (await shown.locator("code").textContent())!.trim();
      expect(token.length).toBeGreaterThan(20);
      const bearer = { authorization: `Bearer ${token}` };
      const used = await call(lb.url, "GET", "/api/v1/auth/tokens", undefined, bearer);
      expect(used.status).toBe(200);
      expect(used.body.map((t: { name: string }) => t.name)).toEqual(["home script"]);
      expect(used.text).not.toContain(token);
      // Listed; after leaving the page and coming back, the token itself is nowhere on it.
      await to("system");
      await to("account");
      await tokens.getByRole("listitem").filter({ hasText: "home script" }).waitFor();
      expect(await page.getByText(token).count()).toBe(0);
      await tokens.getByRole("button", { name: "Revoke home script" }).click();
      await tokens.getByRole("status").filter({ hasText: "Revoked home script." }).waitFor();
      await tokens.getByText("No tokens.").waitFor();
      const refused = await call(lb.url, "GET", "/api/v1/auth/tokens", undefined, bearer);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe("invalid API token");
    });

    test("account: the read lock switched from the page; a logged-out page then says why it sees nothing, and recovers when reads open again", async () => {
      await to("account");
      const access = page.getByRole("form", { name: "Access" });
      await access.getByLabel("Reads").selectOption("token");
      await access.getByRole("button", { name: "Save" }).click();
      await access.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      expect((await settings()).http.reads).toBe("token");
      expect((await call(lb.url, "GET", "/api/v1/state")).status).toBe(401);

      const other = await newContext();
      try {
        const outside = await other.newPage();
        await outside.goto(lb.url);
        // The badge, the strip and the figures' card each say why, in words.
        await outside.getByRole("status").filter({ hasText: /^not live: reading needs a login or an API token: this device's reads are locked \(Account → Access\)$/ }).waitFor();
        await outside.getByRole("img", { name: /^LED strip preview, not live: reading needs a login or an API token/ }).waitFor();
        await outside.getByRole("alert").filter({ hasText: "admin credential required: log in or send a bearer API token" }).waitFor();
        // The owner's own page stays live.
        await page.getByRole("status").filter({ hasText: /^live · 30 LEDs/ }).waitFor();

        await access.getByLabel("Reads").selectOption("open");
        await access.getByRole("button", { name: "Save" }).click();
        await access.getByRole("status").filter({ hasText: "Saved." }).waitFor();
        expect((await settings()).http.reads).toBe("open");
        await outside.getByRole("status").filter({ hasText: /^live · 30 LEDs/ }).waitFor({ timeout: 15_000 });
        await outside.getByRole("img", { name: "Live preview of the 30-LED strip" }).waitFor();
      } finally {
        await other.close();
      }
    });

    test("servers: a server's history chart and recent sessions, then renamed and switched off from the page", async () => {
      const a2s = await fakeA2s({
        info: { name: "Lan TF2", map: "ctf_2fort", folder: "tf", game: "TF2", appId: 440, players: 2, maxPlayers: 12, bots: 0, version: "1" },
        players: [{ name: "Scout", score: 3, duration: 120 }, { name: "Medic", score: 1, duration: 60 }],
      });
      try {
        const made = await call(lb.url, "POST", "/api/v1/servers", { name: "Lan TF2", kind: "source", host: "127.0.0.1", port: a2s.port, intervalMs: 1000 }, admin);
        expect(made.status).toBe(201);
        await to("servers");
        let card = page.getByRole("article", { name: "Lan TF2" });
        await card.getByText("online", { exact: true }).waitFor({ timeout: 10_000 });
        await card.getByRole("button", { name: "Players and history" }).click();
        await card.getByRole("listitem").filter({ hasText: /^Medic · \d+ min/ }).waitFor();
        // Medic leaves: a recent session.
        a2s.behaviour.players = [a2s.behaviour.players[0]];
        a2s.behaviour.info.players = 1;
        await card.getByRole("listitem").filter({ hasText: /^Medic · left .* after \d+ min$/ }).waitFor({ timeout: 15_000 });
        const chart = card.getByRole("img", { name: /^Players over the last 24 hours, at most 2$/ });
        await chart.waitFor();
        expect(await chart.locator("rect.bar").count()).toBeGreaterThan(0);

        await card.getByRole("button", { name: "Edit" }).click();
        await card.getByLabel("Name", { exact: true }).waitFor();
        await axe(page, "server editor");
        await card.getByLabel("Name", { exact: true }).fill("Attic TF2");
        await card.getByRole("button", { name: "Save", exact: true }).click();
        card = page.getByRole("article", { name: "Attic TF2" });
        await card.waitFor();
        expect((await call(lb.url, "GET", `/api/v1/servers/${made.body.id}`, undefined, admin)).body).toMatchObject({ name: "Attic TF2", port: a2s.port, enabled: true });

        await card.getByRole("button", { name: "Switch off" }).click();
        await card.getByText("disabled", { exact: true }).waitFor();
        await card.getByRole("button", { name: "Switch on" }).waitFor();
        expect((await call(lb.url, "GET", `/api/v1/servers/${made.body.id}`, undefined, admin)).body.enabled).toBe(false);
      } finally {
        a2s.close();
      }
    });

    test("Home Assistant: the broker entered on the page, connected, the discovered entities listed; the broker stops and the last error reads in words", async () => {
      const broker = await BROKERS.find((b) => b.name === "aedes")!.start();
      try {
        await to("ha");
        const form = page.getByRole("form", { name: "MQTT and Home Assistant" });
        await form.getByLabel("Enabled", { exact: true }).check();
        await form.getByLabel("URL", { exact: true }).fill(broker.url);
        await form.getByRole("button", { name: "Save" }).click();
        await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();
        const conn = page.getByRole("region", { name: "Connection" });
        await conn.getByText("connected", { exact: true }).waitFor({ timeout: 10_000 });
        await conn.getByText(broker.url).waitFor();
        // Everything the device announced, as the status lists it, on the page.
        const entities: { component: string; name: string }[] = await until(async () => {
          const e = (await call(lb.url, "GET", "/api/v1/mqtt/status")).body.entities;
          return e?.length > 0 && e;
        }, "entities announced to Home Assistant", 10_000);
        await conn.getByText(/^\d+ entities in Home Assistant$/).click();
        for (const e of entities) await conn.getByRole("listitem").filter({ hasText: `${e.component}: ${e.name}` }).first().waitFor();

        await broker.stop();
        await conn.getByRole("alert").filter({ hasText: `connection refused at ${broker.url} (is the broker running?)` }).waitFor({ timeout: 15_000 });
        await conn.getByText(/^(waiting|connecting)$/).waitFor();
      } finally {
        await broker.stop().catch(() => {});
        await call(lb.url, "PUT", "/api/v1/settings", { mqtt: { enabled: false } }, admin);
      }
    });

    test("a failing output is never hidden: DDP to a closed port — its health in words, the alert on the live view, wire limit and frames dropped", async () => {
      const port = await closedUdpPort();
      try {
        await to("strip");
        const outputs = page.getByRole("form", { name: "Outputs" });
        await outputs.getByLabel("Driver").selectOption("ddp");
        await outputs.getByLabel("Host").fill("127.0.0.1");
        await outputs.getByLabel("Port").fill(String(port));
        await outputs.getByRole("button", { name: "Save" }).click();
        await outputs.getByRole("status").filter({ hasText: "Saved." }).waitFor();
        const health = new RegExp(`^retrying: nothing answers on UDP 127\\.0\\.0\\.1:${port}: its host says the port is closed`);

        const now = page.getByRole("region", { name: "Outputs now" });
        const row = now.getByRole("row").filter({ hasText: "1. ddp" });
        await row.getByText(health).waitFor({ timeout: 10_000 });
        await row.getByRole("cell", { name: "1000 fps", exact: true }).waitFor();
        await page.waitForFunction(() => Number(document.querySelector("tbody tr td:last-child")?.textContent) > 0);
        expect(await now.getByRole("columnheader").allTextContents()).toEqual(["Output", "LEDs", "Health", "Wire limit", "Frames dropped"]);
        // On a phone the header row is hidden: each figure says what it is.
        const labels = await row.getByRole("cell").evaluateAll((tds) => tds.map((td) => getComputedStyle(td, "::before").content));
        expect(labels).toEqual(vp.width <= 560 ? ["none", '"LEDs: " / ""', "none", '"Wire limit: " / ""', '"Frames dropped: " / ""'] : Array(5).fill("none"));

        await to("");
        await page.getByRole("alert").filter({ hasText: /^The preview shows what ledbox sends; an output is not reaching the strip: ddp: nothing answers on UDP/ }).waitFor();
        const figures = page.getByRole("region", { name: "Figures" });
        await figures.getByText(health).waitFor();
        await figures.getByText(/^wire limit 1000 fps · [1-9]\d* frames dropped$/).waitFor();
      } finally {
        expect((await call(lb.url, "PUT", "/api/v1/settings", { outputs: [{ driver: "virtual", start: 0 }] }, admin)).status).toBe(200);
      }
    });

    test("system: a backup downloaded from the page; a bad file is refused with the API's words and changes nothing; the backup restored from the page undoes a change", async () => {
      await to("system");
      const backupCard = page.getByRole("region", { name: "Backup and restore" });
      const [download] = await Promise.all([page.waitForEvent("download"), backupCard.getByRole("button", { name: "Download a backup" }).click()]);
      expect(download.suggestedFilename()).toMatch(/^ledbox-backup-[\d-]+\.db$/);
      const backup = join(files, download.suggestedFilename());
      await download.saveAs(backup);
      await backupCard.getByRole("status").filter({ hasText: "Backup downloaded." }).waitFor();
      expect(readFileSync(backup).subarray(0, 15).toString()).toBe("SQLite format 3");

      // A change after the backup.
      expect((await call(lb.url, "PUT", "/api/v1/settings", { light: { brightness: 0.25 } }, admin)).status).toBe(200);
      const brightness = async () => {
        await to("strip");
        return page.getByRole("form", { name: "Light" }).getByLabel("Brightness").inputValue();
      };
      expect(await brightness()).toBe("0.25");

      // Not a backup: refused, with the API's words, and nothing changes.
      const bad = Buffer.from("holiday photos, not a ledbox backup\n".repeat(100));
      await to("system");
      await backupCard.getByLabel("Restore from a backup").setInputFiles({ name: "holiday.db", mimeType: "application/octet-stream", buffer: bad });
      page.once("dialog", (d) => d.accept());
      await backupCard.getByRole("button", { name: "Restore", exact: true }).click();
      const refusal = backupCard.getByRole("alert");
      await refusal.waitFor();
      const api = await fetch(`${lb.url}/api/v1/system/restore`, { method: "POST", headers: { ...admin, "content-type": "application/octet-stream" }, body: bad });
      expect(api.status).toBe(400);
      const said = (await api.json()).error;
      expect(said).toMatch(/^cannot restore: .*; nothing was changed$/);
      expect(await refusal.textContent()).toBe(said);
      expect(lb.out()).not.toContain("[ledbox] restarting");
      expect((await settings()).light.brightness).toBe(0.25);

      // The real backup: checked, ledbox restarts on it, the page reconnects, the change is undone.
      await backupCard.getByLabel("Restore from a backup").setInputFiles(backup);
      page.once("dialog", (d) => d.accept());
      await backupCard.getByRole("button", { name: "Restore", exact: true }).click();
      await backupCard.getByRole("status").filter({ hasText: "Backup checked: ledbox is restarting on it." }).waitFor();
      await until(() => /backup restored; the previous database is kept as /.test(lb.out()), "the restart on the backup", 15_000);
      await page.getByRole("status").filter({ hasText: /^live · 30 LEDs/ }).waitFor({ timeout: 15_000 });
      expect((await settings()).light.brightness).toBe(0.8);
      expect(await brightness()).toBe("0.8");
    });

    test("axe: each editor open, in light and dark — no violations", async () => {
      for (const [path, button] of EDITORS) {
        await to(path);
        await page.getByRole("button", { name: button }).click();
        await page.locator("main form").first().waitFor();
        await axe(page, `${path}: "${button}" open`);
        // The structure is the same in both schemes: the dark one is checked for colour.
        await page.emulateMedia({ colorScheme: "dark" });
        await axe(page, `${path}: "${button}" open (dark)`, COLOUR_RULES);
        await page.emulateMedia({ colorScheme: "light" });
      }
    });

    test("axe: every page in the dark scheme — no violations", async () => {
      await page.emulateMedia({ colorScheme: "dark" });
      try {
        for (const p of PAGES) {
          await to(p);
          await settled(page);
          await axe(page, `${p || "live"} (dark)`);
        }
      } finally {
        await page.emulateMedia({ colorScheme: "light" });
      }
    });

    test("ledbox goes away: the figures and the strip are marked stale at once, not only the badge", async () => {
      await to("");
      await page.getByRole("img", { name: "Live preview of the 30-LED strip" }).waitFor();
      const figures = page.getByRole("region", { name: "Figures" }).locator("dl");
      expect(await figures.getAttribute("class")).toBe("figures");
      await page.getByRole("status").filter({ hasText: /^live · 30 LEDs/ }).waitFor();
      expect(await lb.stop()).toBe(0);
      const strip = page.getByRole("img", { name: "LED strip preview, not live: ledbox is not reachable" });
      await strip.waitFor();
      expect(await strip.getAttribute("class")).toBe("strip stale");
      await page.getByText("Not live: ledbox is not reachable", { exact: true }).waitFor();
      expect(await figures.getAttribute("class")).toBe("figures stale");
      expect(await figures.locator("dd b").first().textContent()).toBe("–");
      expect(pageErrors).toEqual([]);
    });

    test("storage: a damaged database set aside at start is said on the page, in words, from the first run on", async () => {
      const data = tempDir();
      writeFileSync(join(data, "ledbox.db"), Buffer.alloc(64 * 1024, 0x5a));
      const tb = await startBox({ dataDir: data });
      const ctx = await newContext();
      try {
        const aside = readdirSync(data).find((f) => /^ledbox\.db\.damaged-/.test(f))!;
        expect(aside).toBeDefined();
        const p = await ctx.newPage();
        await p.goto(tb.url);
        await p.getByText("journalctl -u ledbox").waitFor();
        const banner = p.getByRole("region", { name: "Storage: what ledbox found when it started" });
        await banner.getByRole("listitem").filter({ hasText: `could not be used (` }).filter({ hasText: `it was kept as ${aside} and ledbox started afresh` }).waitFor();
        await banner.getByText(data, { exact: true }).waitFor();
        await axe(p, "storage banner");
        // Once set up: on every page, and the system page says how the storage is.
        await ctx.addCookies([sessionCookie(await tb.admin(), tb.url)]);
        await p.goto(`${tb.url}/#/system`);
        await p.reload();
        await p.getByRole("region", { name: "This ledbox" }).getByText(/^ok · [\d.]+ [KMGT]?B free$/).waitFor();
        await banner.getByText(aside, { exact: false }).waitFor();
        await go(p, tb.url, "mappings");
        await banner.getByText(aside, { exact: false }).waitFor();
      } finally {
        await ctx.close();
        await tb.stop();
        rmSync(data, { recursive: true, force: true });
      }
    });

    test.skipIf(smallDisks.skip)("storage: a full disk is said on every page, a change refused says why, and the banner goes when there is room", async () => {
      smallDisks.assert();
      const disk = mountSmallDisk(4096);
      const tb = await startBox({ dataDir: join(disk.dir, "data") });
      const ctx = await newContext();
      try {
        await ctx.addCookies([sessionCookie(await tb.admin(), tb.url)]);
        const p = await ctx.newPage();
        await go(p, tb.url, "system");
        const about = p.getByRole("region", { name: "This ledbox" });
        await about.getByText(/^ok · [\d.]+ MB free$/).waitFor();
        expect(await p.getByRole("region", { name: /^Storage/ }).count()).toBe(0);

        disk.fill();
        await go(p, tb.url, "strip");
        const banner = p.getByRole("region", { name: "Storage problem: changes are not being stored" });
        await banner.getByText(/^the disk holding .* is full \(\d+ bytes free\): changes cannot be stored$/).waitFor();
        await axe(p, "full disk banner");
        const light = p.getByRole("form", { name: "Light" });
        await light.getByLabel("Brightness").fill("0.3");
        await light.getByRole("button", { name: "Save" }).click();
        await light.getByRole("alert").filter({ hasText: /^could not store the change: the storage is full \(/ }).waitFor();
        await go(p, tb.url, "system");
        await about.getByText(/^the disk holding .* is full \(\d+ bytes free\): changes cannot be stored · \d+ bytes free$/).waitFor();

        disk.free();
        await go(p, tb.url, "");
        await banner.waitFor({ state: "detached" });
        await go(p, tb.url, "system");
        await about.getByText(/^ok · [\d.]+ MB free$/).waitFor();
      } finally {
        await ctx.close();
        await tb.stop();
        disk.unmount();
      }
    });
  });
}
