// The owner's flows on the page beyond ui.test.ts's, in a real Chromium against a real ledbox
// process, at a phone's size and a desktop's: a mapping tried from its editor (unsaved) and from
// its row, seen on the live canvas; a preset applied, a preset's mappings copied into your own,
// edited and deleted; a segment resized, reversed, mirrored and given a base effect, checked in
// the API and on the canvas; the wiring check's other answers (another colour order, the dot
// running the other way, a different LED count); a CS2 integration added on the page whose kill,
// posted with its token, lights the canvas on the Games page; its token rotated (the old one
// refused), recording switched on and off, its test event.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { call, tempDir, until } from "../helpers/box.ts";
import { hasChromium, launchChromium, skipBrowser, VIEWPORTS, waitPixel as waitPixelOn } from "../helpers/browser.ts";
import { startProcess, type LedboxProcess } from "../helpers/process.ts";

setDefaultTimeout(60_000);
const skip = skipBrowser();
const PASSWORD = "an owner's long password";
const CS2_BASELINE = JSON.parse(readFileSync(join(import.meta.dir, "../games/fixtures/cs2-round.json"), "utf8")).steps[0].payload;
/** The baseline again with one more kill this round: a "kill" event (not a headshot). */
const cs2Kill = (token: string) => ({
  ...CS2_BASELINE,
  provider: { ...CS2_BASELINE.provider, timestamp: CS2_BASELINE.provider.timestamp + 5 },
  player: { ...CS2_BASELINE.player, state: { ...CS2_BASELINE.player.state, round_kills: 1 } },
  auth: { token },
});
const cs2Baseline = (token: string) => ({ ...CS2_BASELINE, auth: { token } });


/** Conditions on a canvas pixel's r, g, b (JS source). */
const GREEN = "g > 150 && r < 60 && b < 60";
const BLUE = "b > 150 && r < 60 && g < 60";
const WHITE = "Math.min(r, g, b) > 100";
const NOT_WHITE = "Math.min(r, g, b) < 100";
const REDDISH = "r > 40 && r > 3 * b";
const BLUEISH = "b > 40 && b > 3 * r";

for (const vp of VIEWPORTS) {
  describe.skipIf(skip)(`owner flows on a ${vp.name} (${vp.width}×${vp.height})`, () => {
    const dir = tempDir();
    let lb: LedboxProcess;
    let browser: Browser;
    let page: Page;
    let admin: { cookie: string };
    const pageErrors: string[] = [];
    const api = (method: string, path: string, body?: unknown) => call(lb.url, method, path, body, admin);

    const waitPixel = (i: number, cond: string, timeout = 8000) => waitPixelOn(page, i, cond, timeout);
    /**
     * Starts watching LED i for `cond` on every frame the page paints; the returned wait resolves
     * once it has been met, however briefly (a kill's flash lasts a few frames).
     */
    const watchPixel = async (i: number, cond: string) => {
      const key = await page.evaluate(([i, cond]) => {
        const w = window as any;
        const key = `ledboxWatch${(w.ledboxWatches = (w.ledboxWatches ?? 0) + 1)}`;
        const test = new Function("r", "g", "b", `return ${cond}`);
        const tick = () => {
          const c = document.querySelector("canvas.strip") as HTMLCanvasElement | null;
          const at = c && w.ledbox?.ledPixel(i);
          if (at) {
            const [r, g, b] = c!.getContext("2d")!.getImageData(at.x, at.y, 1, 1).data;
            if (test(r, g, b)) return void (w[key] = true);
          }
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
        return key;
      }, [i, cond] as const);
      return () => page.waitForFunction((key) => (window as any)[key] === true, key, { timeout: 8000 });
    };
    /** Opens a page of the app and waits for its live canvas, when it has one, to draw frames. */
    const go = async (path: string, canvas = true) => {
      // The same address again is no navigation: it loads afresh.
      const target = `${lb.url}/#/${path}`;
      if (page.url() === target) await page.reload();
      else await page.goto(target);
      await page.locator("main h2").first().waitFor();
      if (canvas) await page.waitForFunction(() => (window as any).ledbox?.framesDrawn > 2 && document.querySelector("canvas.strip:not(.stale)"));
    };
    const status = (text: string | RegExp) => page.getByRole("status").filter({ hasText: text }).first().waitFor();

    beforeAll(async () => {
      if (!hasChromium) return; // missing under LEDBOX_REQUIRE_ALL=1: each test fails, by name
      lb = await startProcess(dir);
      admin = { cookie: await lb.admin(PASSWORD) };
      expect((await api("PUT", "/api/v1/settings", { strip: { ledCount: 60 } })).status).toBe(200);
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
      const [name, value] = admin.cookie.split("=");
      await context.addCookies([{ name, value, url: lb.url }]);
      page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && !/Failed to load resource|WebSocket connection/.test(m.text()) && pageErrors.push(m.text()));
      // The page's confirm() questions (a new token, a deletion) are answered yes.
      page.on("dialog", (d) => void d.accept());
    });

    afterAll(async () => {
      await browser?.close();
      if (lb && lb.proc.exitCode === null) await lb.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test("mappings: a new mapping's Try it plays it on the live canvas, from the editor before it is saved and from its row after", async () => {
      if (!hasChromium) await launchChromium(); // throws the reason
      await go("mappings");
      const card = page.getByRole("region", { name: "What each event does" });
      await card.getByRole("button", { name: "Add a mapping" }).click();
      await card.getByLabel("Name").fill("Door bell");
      await card.getByLabel("Event").selectOption("custom");
      // Only the custom event named "door" (a game's custom values, CS2's smoke and fire, stay out).
      const match = card.getByRole("group", { name: /^Match/ });
      await match.getByRole("button", { name: "Add a field" }).click();
      await match.getByLabel("Field").fill("name");
      await match.getByLabel("Field").blur();
      await match.getByLabel("Value").fill("door");
      await match.getByLabel("Value").blur();
      await card.getByLabel("Priority").fill("100");
      await card.getByLabel("Duration (ms)").fill("1500");
      await card.getByLabel("Fade in (ms)").fill("0");
      await card.getByLabel("Fade out (ms)").fill("0");
      await card.getByLabel("Colour 1").fill("#0000ff");
      // Not saved yet: Try it plays what the form says.
      await card.getByRole("button", { name: "Try it", exact: true }).click();
      await waitPixel(20, BLUE);
      await status("Playing it on the strip.");
      await waitPixel(20, `!(${BLUE})`);
      expect((await api("GET", "/api/v1/mappings")).body.some((m: { name: string }) => m.name === "Door bell")).toBe(false);

      await card.getByLabel("Colour 1").fill("#00ff00");
      await card.getByLabel("Duration (ms)").fill("3000");
      await card.getByRole("button", { name: "Add mapping" }).click();
      const tryIt = card.getByRole("button", { name: "Try it: Door bell" });
      await tryIt.waitFor();
      const saved = (await api("GET", "/api/v1/mappings")).body.find((m: { name: string }) => m.name === "Door bell");
      expect(saved).toMatchObject({ event: "custom", match: { name: "door" }, action: { kind: "effect", effect: "flash", colors: ["#00ff00"], durationMs: 3000, priority: 100 } });
      // Saved: its row's Try it sends the event, and the mapping answers it.
      await tryIt.click();
      await waitPixel(20, GREEN);
    });

    test("mappings: a preset applied, and a preset's mappings copied into your own — listed without the preset, edited, deleted", async () => {
      await go("mappings");
      const presets = page.getByRole("region", { name: "Presets" });
      await presets.getByText("Racing", { exact: true }).click();
      await presets.getByRole("button", { name: "Apply Racing" }).click();
      await status("Applied Racing.");
      await presets.getByText(/Racing · in use/).waitFor();
      const mine = page.getByRole("region", { name: "What each event does" });
      await mine.getByRole("listitem").filter({ hasText: "Speed" }).getByText("from a preset").waitFor();
      let list = (await api("GET", "/api/v1/mappings")).body as { id: string; name: string; preset?: string | null }[];
      expect([...new Set(list.map((m) => m.preset ?? null))].sort()).toEqual([null, "racing"]);
      expect(list.filter((m) => m.preset === "racing").map((m) => m.name)).toEqual(["Speed", "Boost", "Low fuel", "Crash", "Win"]);

      // Each preset's mappings are readable before anything is applied or copied.
      const generic = presets.getByRole("group").filter({ hasText: "Generic Alert" });
      await generic.getByText("Generic Alert", { exact: true }).click();
      await generic.getByRole("listitem").filter({ hasText: "Custom alert: custom → pulse #00ffc0" }).waitFor();
      await generic.getByRole("button", { name: "Copy into my mappings" }).click();
      await status("Generic Alert's mappings are now your own: edit them freely.");
      const row = mine.getByRole("listitem").filter({ has: page.getByRole("button", { name: "Edit: Custom alert (mine)" }) });
      await row.waitFor();
      expect(await row.getByText("from a preset").count()).toBe(0);
      list = (await api("GET", "/api/v1/mappings")).body;
      const copied = list.find((m) => m.name === "Custom alert (mine)")!;
      expect(copied.preset ?? null).toBe(null);
      expect(list.filter((m) => m.name.endsWith("(mine)")).length).toBe(6);
      // The preset in force is still Racing: copying applies nothing.
      expect(list.filter((m) => m.preset).every((m) => m.preset === "racing")).toBe(true);

      // Yours to edit.
      await row.getByRole("button", { name: "Edit: Custom alert (mine)" }).click();
      const name = mine.getByLabel("Name");
      expect(await name.inputValue()).toBe("Custom alert (mine)");
      await name.fill("Door chime");
      await mine.getByRole("button", { name: "Save", exact: true }).click();
      await mine.getByRole("button", { name: "Edit: Door chime" }).waitFor();
      const edited = (await api("GET", `/api/v1/mappings/${copied.id}`)).body;
      expect(edited).toMatchObject({ id: copied.id, name: "Door chime", event: "custom", action: { effect: "pulse", colors: ["#00ffc0"] } });
      expect(edited.preset ?? null).toBe(null);
      // And yours to delete (it answers every custom event: CS2's smoke and fire values later on).
      await mine.getByRole("button", { name: "Delete: Door chime" }).click();
      await mine.getByRole("button", { name: "Edit: Door chime" }).waitFor({ state: "detached" });
      expect((await api("GET", `/api/v1/mappings/${copied.id}`)).status).toBe(404);
    });

    test("segments: one resized, reversed, then mirrored, with a base effect of its own — in the API and on the canvas", async () => {
      expect((await api("PUT", "/api/v1/settings", { segments: [{ name: "desk", start: 0, length: 30 }, { name: "shelf", start: 30, length: 30 }] })).status).toBe(200);
      await go("segments");
      const legend = page.getByRole("region", { name: "The strip with its segments" });
      await legend.getByText("shelf LEDs 30–59").waitFor();
      const form = page.getByRole("form", { name: "Segments" });
      await form.getByRole("group", { name: "Segment 1" }).getByLabel("Length").fill("20");
      const shelf = form.getByRole("group", { name: "Segment 2" });
      await shelf.getByLabel("Start").fill("20");
      await shelf.getByLabel("Length").fill("40");
      await shelf.getByLabel("Reversed").check();
      await form.getByRole("button", { name: "Save" }).click();
      await legend.getByText("shelf LEDs 20–59 · reversed").waitFor();
      await legend.getByText("desk LEDs 0–19").waitFor();
      expect((await api("GET", "/api/v1/settings")).body.segments).toEqual([
        { name: "desk", start: 0, length: 20, reversed: false, mirrored: false },
        { name: "shelf", start: 20, length: 40, reversed: true, mirrored: false },
      ]);

      // The shelf's base: a red-to-blue gradient at full level.
      const bases = page.getByRole("region", { name: "Base layer per segment" });
      await bases.getByText(/^shelf: /).click();
      const base = bases.getByRole("form", { name: "shelf's base layer" });
      await base.getByLabel("Effect").selectOption("gradient");
      await base.getByLabel("Colour 1").fill("#ff0000");
      await base.getByRole("button", { name: "Add colour" }).click();
      await base.getByLabel("Colour 2").fill("#0000ff");
      await base.getByLabel("Level").fill("1");
      await base.getByLabel("Transition (ms)").fill("0");
      await base.getByRole("button", { name: "Save shelf's base" }).click();
      await base.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      await bases.getByText("shelf: gradient, level 1").waitFor();
      const segs = (await api("GET", "/api/v1/state")).body.segments as { name: string; base: Record<string, unknown> }[];
      expect(segs.find((s) => s.name === "shelf")!.base).toMatchObject({ effect: "gradient", colors: ["#ff0000", "#0000ff"], level: 1, on: true });
      expect(segs.find((s) => s.name === "desk")!.base.effect).toBe("solid");
      // Reversed: the gradient starts at the shelf's far end.
      await waitPixel(58, REDDISH);
      await waitPixel(21, BLUEISH);

      await shelf.getByLabel("Mirrored").check();
      await form.getByRole("button", { name: "Save" }).click();
      await legend.getByText("shelf LEDs 20–59 · reversed · mirrored").waitFor();
      expect((await api("GET", "/api/v1/settings")).body.segments[1]).toEqual({ name: "shelf", start: 20, length: 40, reversed: true, mirrored: true });
      // Mirrored: both ends red, the middle blue; the base stayed.
      await waitPixel(21, REDDISH);
      await waitPixel(58, REDDISH);
      await waitPixel(39, BLUEISH);
      await waitPixel(40, BLUEISH);
    });

    test("wiring check: another colour seen offers its order and sets it; the dot ran the other way; the LED count fixed", async () => {
      const wiring = async () => {
        await go("");
        await go("setup", false);
        await page.getByRole("button", { name: "Save and check the wiring" }).click();
        await page.getByRole("heading", { name: "3 · Wiring check" }).waitFor();
      };
      await wiring();
      expect((await api("GET", "/api/v1/settings")).body.strip.colorOrder).toBe("GRB");
      await page.getByRole("button", { name: "Light the test colours" }).click();
      const seen = page.getByRole("group", { name: "The colour you see" });
      // The strip's red and green wires are swapped: red shows green, green shows red.
      for (const [shown, answer] of [["red", "Green"], ["green", "Red"], ["blue", "Blue"]]) {
        await page.getByText(`The strip should now be ${shown}`).waitFor();
        await seen.getByRole("button", { name: answer, exact: true }).click();
      }
      await page.getByText("Your strip's order is RGB, not GRB.").waitFor();
      await page.getByRole("button", { name: "Use RGB" }).click();
      await status("Colour order set to RGB.");
      await page.getByText("The colour order RGB is right.").waitFor();
      expect((await api("GET", "/api/v1/settings")).body.strip.colorOrder).toBe("RGB");

      // The segments from the test before: each turns round where it is.
      await page.getByRole("button", { name: "Run the dot" }).click();
      await page.getByRole("button", { name: "It ran the other way" }).click();
      await status("The strip now runs the other way (segments desk, shelf turned round).");
      expect((await api("GET", "/api/v1/settings")).body.segments).toEqual([
        { name: "desk", start: 0, length: 20, reversed: true, mirrored: false },
        { name: "shelf", start: 20, length: 40, reversed: false, mirrored: true },
      ]);
      // 50 LEDs, not 60: the shelf, which reached the end, ends at the new end.
      await page.getByLabel(/the strip has this many LEDs/).fill("50");
      await page.getByRole("button", { name: "Set the LED count" }).click();
      await status("LED count set to 50.");
      await page.getByText(/^live · 50 LEDs/).waitFor();
      let settings = (await api("GET", "/api/v1/settings")).body;
      expect(settings.strip.ledCount).toBe(50);
      expect(settings.segments[1]).toEqual({ name: "shelf", start: 20, length: 30, reversed: false, mirrored: true });

      // A first run has no segments: "the other way" reverses the one segment over the whole strip.
      expect((await api("PUT", "/api/v1/settings", { segments: [] })).status).toBe(200);
      await wiring();
      await page.getByRole("button", { name: "Run the dot" }).click();
      await page.getByRole("button", { name: "It ran the other way" }).click();
      await status("The strip now runs the other way (segment main reversed).");
      expect((await api("GET", "/api/v1/settings")).body.segments).toEqual([{ name: "main", start: 0, length: 50, reversed: true, mirrored: false }]);
      await page.getByLabel(/the strip has this many LEDs/).fill("60");
      await page.getByRole("button", { name: "Set the LED count" }).click();
      await status("LED count set to 60.");
      settings = (await api("GET", "/api/v1/settings")).body;
      expect(settings.strip.ledCount).toBe(60);
      expect(settings.segments).toEqual([{ name: "main", start: 0, length: 60, reversed: true, mirrored: false }]);
    });

    let integrationId = "";
    let token = "";

    test("games: a CS2 integration added on the page; a kill posted with its token lights the live canvas there", async () => {
      await go("games");
      await page.getByRole("button", { name: "Add a game" }).click();
      await page.getByLabel("Game", { exact: true }).selectOption("cs2");
      await page.getByLabel("Name", { exact: true }).fill("Desk CS2");
      await page.getByLabel(/Apply a preset too/).selectOption({ label: "FPS Combat" });
      await page.getByRole("button", { name: "Add", exact: true }).click();
      const card = page.getByRole("article", { name: "Desk CS2" });
      await card.getByText("waiting for the game").waitFor();
      await card.getByRole("button", { name: "Set up" }).click();
      await card.getByRole("button", { name: "Show the token" }).click();
      const codes = card.locator("dd code");
      integrationId = /integrations\/(gi_\w+)\/event$/.exec(await codes.first().textContent() ?? "")![1];
      token = (await codes.nth(1).textContent())!;
      expect(token.length).toBeGreaterThan(10);
      // The preset chosen with it is in force: a kill flashes white.
      expect((await api("GET", "/api/v1/mappings")).body.some((m: { preset?: string; name: string }) => m.preset === "fps-combat" && m.name === "Kill")).toBe(true);

      const post = (body: unknown) => call(lb.url, "POST", `/api/v1/integrations/${integrationId}/event`, body);
      expect((await post(cs2Baseline(token))).status).toBe(200);
      await waitPixel(30, NOT_WHITE);
      const flashed = await watchPixel(30, WHITE);
      expect((await post(cs2Kill(token))).status).toBe(200);
      await flashed();
      await card.getByText("connected", { exact: true }).waitFor();
    });

    test("games: a new token refuses the old one and takes the new; recording on and off; the game's test event", async () => {
      await go("games");
      const card = page.getByRole("article", { name: "Desk CS2" });
      const post = (t: string) => call(lb.url, "POST", `/api/v1/integrations/${integrationId}/event`, cs2Baseline(t));
      await card.getByRole("button", { name: "Set up" }).click();
      await card.getByRole("button", { name: "Show the token" }).click();
      await card.getByText(token, { exact: true }).waitFor();
      await card.getByRole("button", { name: "New token" }).click();
      await card.getByRole("status").filter({ hasText: "New token made: download the config again." }).waitFor();
      // The open setup shows the new token (and a config file with it), not the old one.
      await card.getByRole("button", { name: "Show the token" }).click();
      const shown = card.locator("dd code").nth(1);
      await shown.waitFor();
      const fresh = (await shown.textContent())!;
      expect(fresh).not.toBe(token);
      const refused = await post(token);
      expect(refused.status).toBe(401);
      expect(refused.text).toContain("token mismatch");
      expect((await post(fresh)).status).toBe(200);
      token = fresh;

      // Recording: on, a payload is written; off, nothing more is.
      await card.getByRole("button", { name: "Record payloads" }).click();
      await card.getByRole("status").filter({ hasText: "Recording payloads." }).waitFor();
      await card.getByRole("button", { name: "Stop recording" }).waitFor();
      expect((await api("GET", `/api/v1/integrations/${integrationId}`)).body.record).toBe(true);
      expect((await post(token)).status).toBe(200);
      const recording = (await api("GET", `/api/v1/integrations/${integrationId}/status`)).body.recording;
      expect(recording.file).toStartWith(join(dir, "recordings"));
      const lines = () => readFileSync(recording.file, "utf8").trim().split("\n");
      expect(lines().length).toBe(1);
      expect(lines()[0]).toContain("de_mirage");
      await card.getByRole("button", { name: "Stop recording" }).click();
      await card.getByRole("status").filter({ hasText: "Recording stopped." }).waitFor();
      await card.getByRole("button", { name: "Record payloads" }).waitFor();
      expect((await api("GET", `/api/v1/integrations/${integrationId}`)).body.record).toBe(false);
      expect((await post(token)).status).toBe(200);
      expect((await api("GET", `/api/v1/integrations/${integrationId}/status`)).body.recording).toBe(null);
      expect(lines().length).toBe(1);

      // The game's test event: a CS2 kill, seen on the canvas.
      const { lastSeq } = (await api("GET", "/api/v1/state")).body.events;
      await card.getByRole("button", { name: "Test events" }).click();
      await waitPixel(30, NOT_WHITE);
      const flashed = await watchPixel(30, WHITE);
      await card.getByRole("button", { name: "kill", exact: true }).click();
      await flashed();
      await card.getByRole("status").filter({ hasText: "Sent kill." }).waitFor();
      const recent = (await api("GET", `/api/v1/events/recent?since=${lastSeq}`)).body as { event: Record<string, unknown> }[];
      expect(recent.map((r) => r.event)).toContainEqual(expect.objectContaining({ type: "kill", game: "cs2", source: "web" }));
      expect(pageErrors).toEqual([]);
    });
  });
}
