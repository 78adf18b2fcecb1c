// The device's own endpoints: password change and recovery, the API docs and page served offline
// (gzip, no CDN), the schemas forms are built from; and in a real process: the log, backup,
// restore (checked before it replaces anything) and restart on the same port.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_PASSWORD, call, startBox, tempDir, until, type TestBox } from "../helpers/box.ts";
import { startProcess } from "../helpers/process.ts";

setDefaultTimeout(30_000);

describe("account", () => {
  let t: TestBox;
  beforeAll(async () => {
    t = await startBox();
  });
  afterAll(() => t.stop());

  test("a password change needs the current one, ends every session and logs in with the new one only", async () => {
    const old = await t.admin();
    const other = (await call(t.url, "POST", "/api/v1/auth/login", { password: ADMIN_PASSWORD })).headers.get("set-cookie")!.split(";")[0];
    const wrong = await call(t.url, "POST", "/api/v1/auth/password", { current: "not it", password: "a new long password" }, { cookie: old });
    expect(wrong).toMatchObject({ status: 401, body: { error: "wrong current password" } });
    const short = await call(t.url, "POST", "/api/v1/auth/password", { current: ADMIN_PASSWORD, password: "short" }, { cookie: old });
    expect(short).toMatchObject({ status: 400, body: { error: "invalid body: password: at least 8 characters" } });
    const ok = await call(t.url, "POST", "/api/v1/auth/password", { current: ADMIN_PASSWORD, password: "a new long password" }, { cookie: old });
    expect(ok.status).toBe(200);
    const fresh = ok.headers.get("set-cookie")!.split(";")[0];
    for (const cookie of [old, other]) expect((await call(t.url, "GET", "/api/v1/auth/tokens", undefined, { cookie })).status).toBe(401);
    expect((await call(t.url, "GET", "/api/v1/auth/tokens", undefined, { cookie: fresh })).status).toBe(200);
    expect((await call(t.url, "POST", "/api/v1/auth/login", { password: ADMIN_PASSWORD })).status).toBe(401);
    expect((await call(t.url, "POST", "/api/v1/auth/login", { password: "a new long password" })).status).toBe(200);
  });

  test("recovery: the reset-password tool on the device makes a new setup code, with no restart", async () => {
    const dir = tempDir();
    const lb = await startProcess(dir);
    try {
      await lb.admin();
      const before = lb.out().match(/setup code: [A-Z0-9]{8}/g)!.length;
      const tool = Bun.spawnSync([process.execPath, "src/tools/reset-password.ts", "--data", dir], { cwd: join(import.meta.dir, "../.."), stdout: "pipe", stderr: "pipe" });
      expect(tool.exitCode).toBe(0);
      expect(tool.stdout.toString()).toContain("prints a new setup code to its log");
      const auth = await call(lb.url, "GET", "/api/v1/auth");
      expect(auth.body).toEqual({ setupRequired: true, authenticated: false });
      const code = await until(() => lb.out().match(/setup code: ([A-Z0-9]{8})/g)!.length > before && /.*setup code: ([A-Z0-9]{8})/s.exec(lb.out())![1], "a new setup code in the log");
      const setup = await call(lb.url, "POST", "/api/v1/auth/setup", { code, password: "recovered password" });
      expect(setup.status).toBe(201);
    } finally {
      await lb.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("served from the device", () => {
  let t: TestBox;
  beforeAll(async () => {
    t = await startBox();
  });
  afterAll(() => t.stop());

  test("the API docs viewer and the page's libraries come from the device, compressed, with no external address", async () => {
    const docs = await fetch(`${t.url}/api/docs`);
    const html = await docs.text();
    expect(docs.status).toBe(200);
    expect(html).toContain('src="/api/docs/assets/swagger-ui-bundle.js"');
    expect(html).not.toMatch(/https?:\/\//);
    for (const path of ["/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/swagger-ui.css", "/web/vendor/preact.js", "/web/vendor/hooks.js", "/web/vendor/htm.js", "/web/app.js"]) {
      const r = await fetch(t.url + path, { headers: { "accept-encoding": "gzip" }, decompress: false } as RequestInit);
      expect({ path, status: r.status, encoding: r.headers.get("content-encoding") }).toEqual({ path, status: 200, encoding: "gzip" });
      const again = await fetch(t.url + path, { headers: { "if-none-match": r.headers.get("etag")! } });
      expect({ path, status: again.status }).toEqual({ path, status: 304 });
    }
    expect((await fetch(`${t.url}/api/docs/json`)).status).toBe(200);
  });

  test("only page files are served: no way out of the web folder", async () => {
    for (const path of ["/web/../ledbox.ts", "/web/%2e%2e/ledbox.ts", "/web/..%2Fmain.ts", "/web/nope.js", "/web/style.css.map", "/api/docs/assets/package.json"]) {
      const r = await fetch(t.url + path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
    }
  });

  test("the schemas are the API's own: what a form sends validates exactly as the API does", async () => {
    const r = await call(t.url, "GET", "/api/v1/schemas");
    expect(Object.keys(r.body).sort()).toEqual(["base", "effect", "integration", "mapping", "schedule", "server", "settings"]);
    expect(r.body.settings.properties.strip.properties.ledCount).toMatchObject({ type: "integer", minimum: 1, maximum: 10_000, default: 150 });
    expect(r.body.settings.properties.outputs.items.oneOf.map((o: { properties: { driver: { const: string } } }) => o.properties.driver.const))
      .toEqual(["virtual", "spi", "pio", "ws281x", "serial", "ddp", "wled-udp"]);
  });
});

describe("backup, restore and restart, in a real process", () => {
  const dir = tempDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a backup restores everything; a bad file changes nothing; restart comes back on the same port", async () => {
    const lb = await startProcess(dir);
    try {
      const cookie = await lb.admin();
      const admin = { cookie };
      await call(lb.url, "PUT", "/api/v1/settings", { strip: { ledCount: 77 } }, admin);
      const mapping = await call(lb.url, "POST", "/api/v1/mappings", { name: "Before backup", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#00ff00"] } }, admin);
      expect(mapping.status).toBe(201);
      const log = await call(lb.url, "GET", "/api/v1/system/log?lines=50", undefined, admin);
      expect(log.body.lines.some((l: string) => l.includes("listening on"))).toBe(true);
      expect((await call(lb.url, "GET", "/api/v1/system/log")).status).toBe(401);

      const res = await fetch(`${lb.url}/api/v1/system/backup`, { headers: admin });
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="ledbox-backup-[\d-]+\.db"$/);
      const backup = new Uint8Array(await res.arrayBuffer());
      expect(new TextDecoder().decode(backup.subarray(0, 15))).toBe("SQLite format 3");

      // After the backup: more changes, which the restore must undo.
      await call(lb.url, "PUT", "/api/v1/settings", { strip: { ledCount: 30 } }, admin);
      await call(lb.url, "DELETE", `/api/v1/mappings/${mapping.body.id}`, undefined, admin);

      const restore = (body: Uint8Array) => fetch(`${lb.url}/api/v1/system/restore`, { method: "POST", headers: { ...admin, "content-type": "application/octet-stream" }, body: body as Uint8Array<ArrayBuffer> });
      const junk = await restore(new TextEncoder().encode("not a database at all, just text that is long enough to look like a header ......................"));
      expect([junk.status, (await junk.json()).error]).toEqual([400, "cannot restore: not a ledbox backup (not a SQLite database); nothing was changed"]);
      const torn = backup.slice(0, 4096 + 100);
      const tornRes = await restore(torn);
      expect(tornRes.status).toBe(400);
      expect((await tornRes.json()).error).toMatch(/^cannot restore: the backup (is damaged|cannot be read)/);
      expect((await call(lb.url, "GET", "/api/v1/settings")).body.strip.ledCount).toBe(30);

      const started = lb.out().split("listening on").length;
      const ok = await restore(backup);
      expect(ok.status).toBe(202);
      await until(() => lb.out().split("listening on").length > started, "the restart");
      expect(lb.out()).toMatch(/backup restored; the previous database is kept as .*ledbox\.db\.before-restore-/);
      const settings = await until(async () => (await call(lb.url, "GET", "/api/v1/settings").catch(() => null))?.body, "the page on the same port");
      expect(settings.strip.ledCount).toBe(77);
      expect((await call(lb.url, "GET", "/api/v1/mappings")).body.map((m: { name: string }) => m.name)).toContain("Before backup");
      // The session in the backup is the one this browser had: still logged in.
      expect((await call(lb.url, "POST", "/api/v1/system/restart", undefined, admin)).status).toBe(202);
      await until(() => lb.out().split("listening on").length > started + 1, "the second restart");
      expect((await until(async () => (await call(lb.url, "GET", "/api/v1/health").catch(() => null))?.body, "health after restart")).ok).toBe(true);
      expect(lb.proc.exitCode).toBeNull();
    } finally {
      expect(await lb.stop()).toBe(0);
    }
  });
});
