// A damaged database against a real ledbox: a file that cannot be used (empty, not a database,
// a damaged page) is kept aside with a timestamp and the device starts afresh, saying so in the
// log and in health; one damaged row never stops a start — it is left out and reported, and
// everything else loads.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { closeSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_PASSWORD, call, startBox, tempDir } from "../helpers/box.ts";

setDefaultTimeout(30_000);

/** A device that was set up and used: a password, a mapping, an integration, a base colour, a setting. */
async function usedDevice(dir: string) {
  const t = await startBox({ dataDir: dir });
  const cookie = await t.admin();
  const mapping = (await call(t.url, "POST", "/api/v1/mappings", { name: "door", event: "custom", action: { kind: "effect", effect: "pulse" } }, { cookie })).body.id;
  const integration = (await call(t.url, "POST", "/api/v1/integrations", { name: "hook", type: "webhook" }, { cookie })).body.id;
  expect((await call(t.url, "PUT", "/api/v1/scene/base", { colors: ["#00ff00"], transitionMs: 0 }, { cookie })).status).toBe(200);
  expect((await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.42 }, render: { fps: 50 } }, { cookie })).status).toBe(200);
  for (let i = 0; i < 100; i++) await call(t.url, "POST", "/api/v1/mappings", { name: `m${i}`.padEnd(60, "x"), event: "kill", action: { kind: "effect", effect: "flash" } }, { cookie });
  await t.stop();
  return { mapping, integration };
}

const health = async (url: string) => (await call(url, "GET", "/api/v1/health")).body;
const asideFiles = (dir: string) => readdirSync(dir).filter((f) => /^ledbox\.db\.damaged-\d{4}-\d\d-\d\dT[\d-]+Z$/.test(f));

describe("a database that cannot be used", () => {
  const cases: [string, (file: string) => void][] = [
    ["an empty file (what a crash during a write on some cards leaves)", (file) => writeFileSync(file, "")],
    ["a file that is not a database", (file) => writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a))],
    ["another program's SQLite database (rollback journal, no ledbox data)", (file) => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
      const other = new Database(file);
      other.exec("PRAGMA journal_mode = DELETE; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not ledbox');");
      other.close();
    }],
    ["a database with a damaged page", (file) => {
      const fd = openSync(file, "r+");
      const pages = statSync(file).size / 4096;
      writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(pages * 0.75) * 4096);
      closeSync(fd);
    }],
  ];
  for (const [what, damage] of cases) {
    test(`${what} is kept aside with a timestamp, said in the log and health, and the device starts afresh`, async () => {
      const dir = tempDir();
      try {
        await usedDevice(dir);
        damage(join(dir, "ledbox.db"));
        const damaged = readFileSync(join(dir, "ledbox.db"));
        const t = await startBox({ dataDir: dir });
        try {
          const [aside] = asideFiles(dir);
          expect(aside).toBeDefined();
          const said = t.logs.find((l) => l.includes(aside))!;
          expect(said).toMatch(new RegExp(`^\\[store\\] the database .*ledbox\\.db could not be used \\(.+\\): it was kept as ${aside.replace(/\./g, "\\.")} and ledbox started afresh`));
          const h = await health(t.url);
          expect(h.storage.notices).toContain(said.replace("[store] ", ""));
          // Afresh: a new setup code, default settings; the damaged file is kept beside it byte for byte.
          expect(t.box.auth.setupCode).toMatch(/^[A-Z0-9]{8}$/);
          expect(t.box.settings.get().light.brightness).toBe(0.8);
          const kept = readFileSync(join(dir, aside));
          expect(kept.length).toBe(damaged.length);
          expect(kept.equals(damaged)).toBe(true);
        } finally {
          await t.stop();
        }
        // The next start finds the new database sound: nothing more is set aside.
        const again = await startBox({ dataDir: dir });
        expect(asideFiles(dir)).toHaveLength(1);
        expect((await health(again.url)).storage.notices).toEqual([]);
        await again.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("a sound database is neither set aside nor reported, and keeps everything", async () => {
    const dir = tempDir();
    try {
      const { mapping } = await usedDevice(dir);
      const t = await startBox({ dataDir: dir });
      try {
        expect(asideFiles(dir)).toEqual([]);
        expect((await health(t.url)).storage).toMatchObject({ ok: true, problem: null, notices: [] });
        expect(t.box.auth.setupCode).toBeNull();
        expect(t.box.settings.get().light.brightness).toBe(0.42);
        expect((await call(t.url, "GET", `/api/v1/mappings/${mapping}`)).status).toBe(200);
      } finally {
        await t.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("one damaged row", () => {
  test("in integrations, settings, scene bases, mappings or the admin password: left out and reported; the rest loads", async () => {
    const dir = tempDir();
    try {
      const { mapping, integration } = await usedDevice(dir);
      const db = new Database(join(dir, "ledbox.db"));
      const other = db.query("SELECT id FROM mappings WHERE id != ? LIMIT 1").get(mapping) as { id: string };
      db.query("UPDATE integrations SET config = '{\"rules\": [' WHERE id = ?").run(integration);
      db.query("UPDATE mappings SET json = 'null' WHERE id = ?").run(mapping);
      db.query("UPDATE scene_base SET json = '{\"level\": \"bright\"}'").run();
      // One bad section, one unknown key; the rest of the document as stored.
      const settings = JSON.parse((db.query("SELECT json FROM settings").get() as { json: string }).json);
      db.query("UPDATE settings SET json = ?").run(JSON.stringify({ ...settings, light: { ...settings.light, gamma: 99 }, colour: "red" }));
      db.query("UPDATE admin SET password_hash = '$argon2id$v=19$m=65536,t=2,p=1$trunc'").run();
      db.close();

      const t = await startBox({ dataDir: dir });
      try {
        const notices: string[] = (await health(t.url)).storage.notices;
        expect(notices).toEqual(expect.arrayContaining([
          `integration ${integration} left out: its stored config is damaged`,
          `mapping ${mapping} left out: its stored JSON is damaged`,
          "the base layer of segment main left out: its stored base layer is damaged",
          expect.stringMatching(/^setting "light" left out: light\.gamma: .*; it starts from its default$/),
          expect.stringMatching(/^setting "colour" left out: Unrecognized key: "colour"; it starts from its default$/),
          "the admin password left out: its stored hash is damaged; a new setup code is in the log",
        ]));
        for (const n of notices) expect(t.logs).toContain(`[store] ${n}`);
        // The rest as stored: the other settings, the other mappings; a damaged password asks for setup again.
        expect(t.box.settings.get().render.fps).toBe(50);
        expect(t.box.settings.get().light.gamma).toBe(2.2);
        expect((await call(t.url, "GET", `/api/v1/mappings/${other.id}`)).status).toBe(200);
        expect((await call(t.url, "GET", "/api/v1/mappings")).body.some((m: { id: string }) => m.id === mapping)).toBe(false);
        expect((await call(t.url, "GET", "/api/v1/integrations")).body).toEqual([]);
        expect(t.logs.some((l) => l.includes(`first-run setup code: ${t.box.auth.setupCode}`))).toBe(true);
        // Reads of the damaged rows do not repeat the notice.
        for (let i = 0; i < 3; i++) await call(t.url, "GET", "/api/v1/mappings");
        expect((await health(t.url)).storage.notices).toEqual(notices);
        // The owner claims the device again with the new code, and the password works.
        const cookie = await t.admin();
        expect((await call(t.url, "PUT", "/api/v1/settings", { light: { gamma: 2.4 } }, { cookie })).status).toBe(200);
        expect(t.box.auth.repo.hasAdmin()).toBe(true);
        expect((await call(t.url, "POST", "/api/v1/auth/login", { password: ADMIN_PASSWORD })).status).toBe(200);
      } finally {
        await t.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
