// A full disk, on a real small tmpfs filled to the last byte: a change that cannot be stored is
// not applied either and the error says the storage is full; a start on a full disk runs, with
// the reason in health (not a stack trace), and takes changes again once there is room.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { apiToken, call, startBox } from "../helpers/box.ts";
import { startProcess } from "../helpers/process.ts";
import { mountSmallDisk, smallDisks } from "../helpers/tmpfs.ts";

setDefaultTimeout(60_000);

const health = async (url: string) => (await call(url, "GET", "/api/v1/health")).body;

describe.skipIf(smallDisks.skip)("a full disk", () => {
  test("a settings change that cannot be stored is not applied: 503 saying the storage is full, the device runs as stored", async () => {
    smallDisks.assert();
    const disk = mountSmallDisk(4096);
    try {
      const dataDir = join(disk.dir, "data");
      const t = await startBox({ dataDir });
      try {
        const cookie = await t.admin();
        const mappings = (await call(t.url, "GET", "/api/v1/mappings")).body;
        disk.fill();

        const light = await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.3 } }, { cookie });
        expect(light.status).toBe(503);
        expect(light.body.error).toMatch(/^could not store the change: the storage is full \(/);
        // A change that rebuilds the strip is rolled back too.
        const strip = await call(t.url, "PUT", "/api/v1/settings", { strip: { ledCount: 60 } }, { cookie });
        expect(strip.status).toBe(503);
        for (const s of [t.box.settings.get(), t.box.engine.settings, (await call(t.url, "GET", "/api/v1/settings")).body]) {
          expect(s.light.brightness).toBe(0.8);
          expect(s.strip.ledCount).toBe(150);
        }
        expect((await call(t.url, "GET", "/api/v1/state")).body.segments[0].length).toBe(150);
        // Any other change the same way, nothing changed.
        const mapping = await call(t.url, "POST", "/api/v1/mappings", { name: "x", event: "kill", action: { kind: "effect", effect: "flash" } }, { cookie });
        expect(mapping.status).toBe(503);
        expect(mapping.body.error).toMatch(/the storage is full/);
        expect((await call(t.url, "GET", "/api/v1/mappings")).body).toEqual(mappings);
        expect((await health(t.url)).storage).toMatchObject({ ok: false, problem: expect.stringMatching(/^the disk holding .* is full \(\d+ bytes free\): changes cannot be stored$/) });

        disk.free();
        expect((await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.3 } }, { cookie })).status).toBe(200);
        expect((await health(t.url)).storage.ok).toBe(true);
      } finally {
        await t.stop();
      }
      const again = await startBox({ dataDir });
      expect(again.box.settings.get().light.brightness).toBe(0.3);
      await again.stop();
    } finally {
      disk.unmount();
    }
  });

  test("a device started on a full disk runs and says why in health; changes are refused until there is room, then taken without a restart", async () => {
    smallDisks.assert();
    const disk = mountSmallDisk(4096);
    try {
      const dataDir = join(disk.dir, "data");
      const first = await startBox({ dataDir });
      const { authorization } = await apiToken(first);
      expect((await call(first.url, "PUT", "/api/v1/settings", { light: { brightness: 0.42 } }, { authorization })).status).toBe(200);
      await first.stop();
      disk.fill();

      const box = await startProcess(dataDir);
      try {
        const h = await health(box.url);
        expect(h.ok).toBe(true); // the light runs
        expect(h.storage).toMatchObject({ ok: false, freeBytes: expect.any(Number), problem: expect.stringMatching(/is full/) });
        expect(box.err()).toBe("");
        expect((await call(box.url, "GET", "/api/v1/settings")).body.light.brightness).toBe(0.42);
        const refused = await call(box.url, "PUT", "/api/v1/settings", { light: { brightness: 0.1 } }, { authorization });
        expect(refused.status).toBe(503);
        expect(refused.body.error).toMatch(/the storage is full/);
        expect((await call(box.url, "GET", "/api/v1/settings")).body.light.brightness).toBe(0.42);

        disk.free();
        expect((await call(box.url, "PUT", "/api/v1/settings", { light: { brightness: 0.1 } }, { authorization })).status).toBe(200);
        expect((await health(box.url)).storage).toMatchObject({ ok: true, problem: null });
      } finally {
        expect(await box.stop()).toBe(0);
      }
    } finally {
      disk.unmount();
    }
  });

  test("a first start on a full disk runs from memory and says so; with room, the next start is an ordinary first run", async () => {
    smallDisks.assert();
    const disk = mountSmallDisk(4096);
    try {
      const dataDir = join(disk.dir, "data");
      disk.fill();
      const box = await startProcess(dataDir);
      try {
        const h = await health(box.url);
        expect(h.storage.problem).toMatch(/^the storage is full at start: running from a copy in memory of what is stored, and changes last only until ledbox stops; free space in .* and restart$/);
        expect(box.out()).toContain(`[store] ${h.storage.problem}`);
        expect(box.err()).toBe("");
        // It works meanwhile, for as long as it runs.
        const cookie = await box.admin();
        expect((await call(box.url, "PUT", "/api/v1/settings", { light: { brightness: 0.5 } }, { cookie })).status).toBe(200);
      } finally {
        expect(await box.stop()).toBe(0);
      }
      // Nothing half-made was left behind to be taken for a damaged database.
      expect(existsSync(join(dataDir, "ledbox.db"))).toBe(false);
      disk.free();
      const next = await startProcess(dataDir);
      try {
        expect(next.out()).toMatch(/first-run setup code/);
        expect((await health(next.url)).storage).toMatchObject({ ok: true, notices: [] });
        expect(readdirSync(dataDir).filter((f) => f.includes("damaged"))).toEqual([]);
      } finally {
        await next.stop();
      }
    } finally {
      disk.unmount();
    }
  });
});
