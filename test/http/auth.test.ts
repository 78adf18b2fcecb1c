// Admin auth against a real ledbox: first-run setup guarded by the code in the log, password
// rules, login/logout and the session cookie, bearer API tokens, 401 on every changing endpoint
// (and nothing changed), reads behind a credential when configured, and login throttling.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { ADMIN_PASSWORD, apiToken, call, openLive, startBox, type TestBox } from "../helpers/box.ts";
import { rawRequest } from "../helpers/raw.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const json = { "content-type": "application/json" };

const post = (t: TestBox, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(t.url + path, { method: "POST", headers: { ...json, ...headers }, body: JSON.stringify(body) });
const cookieOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0];

describe("first-run setup", () => {
  test("needs the code printed in the log; a wrong code or short password stores nothing", async () => {
    const t = await startBox();
    try {
      const code = t.box.auth.setupCode!;
      expect(code).toMatch(/^[A-Z0-9]{8}$/);
      expect(t.logs.some((l) => l.includes(code))).toBe(true);
      expect((await call(t.url, "GET", "/api/v1/auth")).body).toEqual({ setupRequired: true, authenticated: false });

      // Changing endpoints say what to do before setup.
      const early = await call(t.url, "PUT", "/api/v1/settings", { render: { fps: 30 } });
      expect(early.status).toBe(401);
      expect(early.body.error).toMatch(/first-run setup/);
      // Nor can anyone log in yet.
      expect((await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD })).status).toBe(409);

      const wrong = await post(t, "/api/v1/auth/setup", { code: "AAAAAAAA", password: ADMIN_PASSWORD });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).error).toMatch(/setup code/);
      expect(wrong.headers.get("set-cookie")).toBeNull();
      expect(t.box.auth.repo.hasAdmin()).toBe(false);

      const short = await post(t, "/api/v1/auth/setup", { code, password: "short" });
      expect(short.status).toBe(400);
      expect((await short.json()).error).toMatch(/password: at least 8 characters/);
      expect(t.box.auth.repo.hasAdmin()).toBe(false);

      const missing = await post(t, "/api/v1/auth/setup", { password: ADMIN_PASSWORD });
      expect(missing.status).toBe(400);
      expect((await missing.json()).error).toMatch(/code/);

      // The code is accepted in lower case with spaces around it, as people type it.
      const ok = await post(t, "/api/v1/auth/setup", { code: ` ${code.toLowerCase()} `, password: ADMIN_PASSWORD });
      expect(ok.status).toBe(201);
      expect(t.box.auth.repo.hasAdmin()).toBe(true);
      const cookie = cookieOf(ok);
      expect((await call(t.url, "GET", "/api/v1/auth", undefined, { cookie })).body).toEqual({ setupRequired: false, authenticated: true });
      // The code is spent.
      expect((await post(t, "/api/v1/auth/setup", { code, password: "another password" })).status).toBe(409);
      expect((await call(t.url, "PUT", "/api/v1/settings", { render: { fps: 30 } }, { cookie })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe("sessions and API tokens", () => {
  test("login sets an HttpOnly, SameSite=Strict session cookie; logout ends the session", async () => {
    const t = await startBox();
    try {
      await t.admin();
      const bad = await post(t, "/api/v1/auth/login", { password: "not the password" });
      expect(bad.status).toBe(401);
      expect(bad.headers.get("set-cookie")).toBeNull();

      const res = await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD });
      expect(res.status).toBe(200);
      const set = res.headers.get("set-cookie")!;
      expect(set).toMatch(/^ledbox_session=[A-Za-z0-9_-]{20,};/);
      expect(set).toMatch(/;\s*HttpOnly/i);
      expect(set).toMatch(/;\s*SameSite=Strict/i);
      expect(set).toMatch(/;\s*Path=\//i);
      expect(Number(/Max-Age=(\d+)/i.exec(set)![1])).toBeGreaterThan(0);
      const cookie = cookieOf(res);
      expect((await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.7 } }, { cookie })).status).toBe(200);

      const out = await fetch(`${t.url}/api/v1/auth/logout`, { method: "POST", headers: { cookie } });
      expect(out.status).toBe(200);
      expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/i);
      // The old cookie is dead on the server, not only forgotten by the browser.
      const after = await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.3 } }, { cookie });
      expect(after.status).toBe(401);
      expect(t.box.settings.get().light.brightness).toBe(0.7);
      expect((await call(t.url, "GET", "/api/v1/auth", undefined, { cookie })).body.authenticated).toBe(false);
    } finally {
      await t.stop();
    }
  });

  test("an API token is shown once, listed without its secret, and revoked by delete", async () => {
    const t = await startBox();
    try {
      const cookie = await t.admin();
      expect((await call(t.url, "POST", "/api/v1/auth/tokens", { name: "ha" })).status).toBe(401);
      expect((await call(t.url, "GET", "/api/v1/auth/tokens")).status).toBe(401);
      expect((await call(t.url, "POST", "/api/v1/auth/tokens", { name: "" }, { cookie })).status).toBe(400);

      const createdFrom = Date.now();
      const created = await call(t.url, "POST", "/api/v1/auth/tokens", { name: "home assistant" }, { cookie });
      const createdBy = Date.now();
      expect(created.status).toBe(201);
      const { id, token } = created.body;
      expect(token).toMatch(/^lbx_[A-Za-z0-9_-]{40,}$/);

      const list = await call(t.url, "GET", "/api/v1/auth/tokens", undefined, { cookie });
      expect(list.body).toEqual([{ id, name: "home assistant", createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]);
      // Stamped when it was made (ISO times have whole milliseconds).
      expect(Date.parse(list.body[0].createdAt)).toBeGreaterThanOrEqual(Math.floor(createdFrom / 1000) * 1000);
      expect(Date.parse(list.body[0].createdAt)).toBeLessThanOrEqual(createdBy);
      expect(list.text).not.toContain(token);

      const authorization = `Bearer ${token}`;
      expect((await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.6 } }, { authorization })).status).toBe(200);
      // A token can list tokens too (automation), still without secrets.
      expect((await call(t.url, "GET", "/api/v1/auth/tokens", undefined, { authorization })).text).not.toContain(token);

      expect((await call(t.url, "DELETE", `/api/v1/auth/tokens/${id}`, undefined, { cookie })).status).toBe(200);
      const revoked = await call(t.url, "PUT", "/api/v1/settings", { light: { brightness: 0.2 } }, { authorization });
      expect(revoked.status).toBe(401);
      expect(revoked.body.error).toMatch(/invalid API token/);
      expect(t.box.settings.get().light.brightness).toBe(0.6);
      expect((await call(t.url, "DELETE", `/api/v1/auth/tokens/${id}`, undefined, { cookie })).status).toBe(404);
      expect((await call(t.url, "GET", "/api/v1/auth/tokens", undefined, { cookie })).body).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});

describe("changing endpoints", () => {
  test("every one refuses a missing or wrong credential with 401 and changes nothing", async () => {
    const t = await startBox();
    try {
      const cookie = await t.admin();
      const { authorization } = await apiToken(t);
      const mappingId = (await call(t.url, "GET", "/api/v1/mappings")).body[0].id;
      const mapping = { name: "door", event: "custom", action: { kind: "effect", effect: "pulse", colors: ["#00ff00"] } };
      const requests: [string, string, unknown][] = [
        ["PUT", "/api/v1/settings", { render: { fps: 30 } }],
        ["POST", "/api/v1/mappings", mapping],
        ["PUT", `/api/v1/mappings/${mappingId}`, mapping],
        ["DELETE", `/api/v1/mappings/${mappingId}`, undefined],
        ["POST", "/api/v1/presets/racing/apply", undefined],
        ["PUT", "/api/v1/scene/base", { colors: ["#ff0000"], level: 1, transitionMs: 0 }],
        ["POST", "/api/v1/scene/effects", { effect: "breathing", durationMs: 60_000 }],
        ["POST", "/api/v1/auth/tokens", { name: "sneaky" }],
        ["DELETE", `/api/v1/auth/tokens/${t.box.auth.repo.listApiTokens()[0].id}`, undefined],
      ];
      const snapshot = async () => ({
        settings: (await call(t.url, "GET", "/api/v1/settings")).body,
        mappings: (await call(t.url, "GET", "/api/v1/mappings")).body,
        segments: (await call(t.url, "GET", "/api/v1/state")).body.segments,
        tokens: t.box.auth.repo.listApiTokens(),
      });
      const before = await snapshot();
      expect(before.segments[0].effects).toEqual([]);
      const bad: Record<string, Record<string, string>> = {
        none: {},
        "wrong token": { authorization: "Bearer lbx_wrong" },
        "not bearer": { authorization: `Basic ${btoa(`admin:${ADMIN_PASSWORD}`)}` },
        "forged cookie": { cookie: "ledbox_session=forged" },
      };
      for (const [method, path, body] of requests) {
        for (const [what, headers] of Object.entries(bad)) {
          const r = await call(t.url, method, path, body, headers);
          expect({ method, path, what, status: r.status }).toEqual({ method, path, what, status: 401 });
          expect(typeof r.body.error).toBe("string");
        }
      }
      expect(await snapshot()).toEqual(before);

      // The same requests with a real credential go through: the 401s were about the credential.
      for (const [i, [method, path, body]] of requests.entries()) {
        if (path.startsWith("/api/v1/auth/tokens/")) continue; // would revoke the token in use
        const r = await call(t.url, method, path, body, i % 2 ? { cookie } : { authorization });
        expect({ method, path, ok: r.status >= 200 && r.status < 300 }).toEqual({ method, path, ok: true });
      }
      const after = await snapshot();
      expect(after.settings.render.fps).toBe(30);
      expect(after.segments[0].effects.length).toBe(1);
    } finally {
      await t.stop();
    }
  });
});

describe("reads", () => {
  test('are open by default and need a credential with http.reads = "token"', async () => {
    const t = await startBox();
    try {
      const reads = ["/api/v1/state", "/api/v1/health", "/api/v1/settings", "/api/v1/mappings", "/api/v1/events/recent"];
      for (const p of reads) expect({ p, status: (await call(t.url, "GET", p)).status }).toEqual({ p, status: 200 });
      const live = await openLive(t.url);
      await live.close();

      const cookie = await t.admin();
      const { authorization } = await apiToken(t);
      expect((await call(t.url, "PUT", "/api/v1/settings", { http: { reads: "token" } }, { cookie })).status).toBe(200);
      for (const p of reads) {
        expect({ p, status: (await call(t.url, "GET", p)).status }).toEqual({ p, status: 401 });
        expect({ p, status: (await call(t.url, "GET", p, undefined, { authorization: "Bearer lbx_wrong" })).status }).toEqual({ p, status: 401 });
        expect({ p, status: (await call(t.url, "GET", p, undefined, { authorization })).status }).toEqual({ p, status: 200 });
        expect({ p, status: (await call(t.url, "GET", p, undefined, { cookie })).status }).toEqual({ p, status: 200 });
      }
      await expect(openLive(t.url)).rejects.toThrow();
      for (const headers of [{ authorization }, { cookie }] as Record<string, string>[]) {
        const ok = await openLive(t.url, { headers });
        expect(ok.hello.ledCount).toBe(150);
        await ok.close();
      }
      // The login page must still work for a logged-out browser, and ingest is its own switch.
      expect((await call(t.url, "GET", "/api/v1/auth")).status).toBe(200);
      expect((await call(t.url, "POST", "/api/v1/events", { type: "kill" })).status).toBe(202);
    } finally {
      await t.stop();
    }
  });
});

describe("login throttling", () => {
  test("after 10 failures in a minute even the right password gets 429", async () => {
    const t = await startBox();
    try {
      await t.admin();
      for (let i = 0; i < 10; i++) {
        const r = await post(t, "/api/v1/auth/login", { password: `guess ${i}` });
        expect(r.status).toBe(401);
      }
      const blocked = await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD });
      expect(blocked.status).toBe(429);
      expect((await blocked.json()).error).toMatch(/too many/);
      expect(blocked.headers.get("set-cookie")).toBeNull();
    } finally {
      await t.stop();
    }
  });

  test("failures are counted per client address: a guesser cannot lock the owner out", async () => {
    const t = await startBox();
    try {
      await t.admin();
      for (let i = 0; i < 10; i++) expect((await post(t, "/api/v1/auth/login", { password: `guess ${i}` })).status).toBe(401);
      expect((await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD })).status).toBe(429);
      // The owner's machine: another loopback address, the same server.
      const owner = await rawRequest(t.url, { method: "POST", path: "/api/v1/auth/login", body: JSON.stringify({ password: ADMIN_PASSWORD }), headers: json, localAddress: "127.0.0.2" });
      expect(owner.status).toBe(200);
      expect(owner.headers["set-cookie"]).toMatch(/^ledbox_session=/);
    } finally {
      await t.stop();
    }
  });

  test("wrong setup codes are throttled too", async () => {
    const t = await startBox();
    try {
      for (let i = 0; i < 10; i++) expect((await post(t, "/api/v1/auth/setup", { code: `WRONG${i}`, password: ADMIN_PASSWORD })).status).toBe(401);
      const blocked = await post(t, "/api/v1/auth/setup", { code: t.box.auth.setupCode, password: ADMIN_PASSWORD });
      expect(blocked.status).toBe(429);
      expect(t.box.auth.repo.hasAdmin()).toBe(false);
    } finally {
      await t.stop();
    }
  });
});
