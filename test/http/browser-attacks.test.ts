// What any web page a LAN user opens can make the browser send to the device, sent by hand to a
// real ledbox with the headers a browser puts on it: a plain form (urlencoded, multipart,
// text/plain — the bodies a browser sends cross-site without asking), a changing request or a
// live connection from another origin with the admin's cookie, and requests for a name that
// DNS rebinding pointed at the device. Also over-limit bodies and prototype keys.
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { hostname } from "node:os";
import { apiToken, call, openLive, startBox, type TestBox } from "../helpers/box.ts";
import { rawRequest, wsHandshake } from "../helpers/raw.ts";
import { MAX_BODY } from "../../src/http/body.ts";

setDefaultTimeout(20_000);

let t: TestBox;
let cookie: string;
let authorization: string;
beforeAll(async () => {
  t = await startBox();
  cookie = await t.admin();
  authorization = (await apiToken(t)).authorization;
});
afterAll(() => t.stop());

const lastSeq = () => t.box.ring.lastSeq;
/** Everything a changing request could touch (running effects end by themselves: left out). */
const snapshot = async () => ({
  settings: (await call(t.url, "GET", "/api/v1/settings")).body,
  mappings: (await call(t.url, "GET", "/api/v1/mappings")).body,
  segments: (await call(t.url, "GET", "/api/v1/state")).body.segments.map(({ effects, ...s }: { effects: unknown }) => s),
  tokens: t.box.auth.repo.listApiTokens(),
  servers: (await call(t.url, "GET", "/api/v1/servers")).body,
  integrations: (await call(t.url, "GET", "/api/v1/integrations")).body,
  seq: lastSeq(),
});

describe("CSRF: every body is JSON", () => {
  test("a plain form cannot fire an event: urlencoded, multipart and text/plain get 415 naming JSON", async () => {
    const before = lastSeq();
    const form = new FormData();
    form.set("type", "kill");
    const bodies: [string, RequestInit][] = [
      ["urlencoded", { body: new URLSearchParams({ type: "kill" }) }],
      ["multipart", { body: form }],
      // What fetch(…, {mode: "no-cors"}) sends: a JSON text under a "simple" type.
      ["text/plain", { body: '{"type":"kill"}', headers: { "content-type": "text/plain;charset=UTF-8" } }],
      ["no type", { body: '{"type":"kill"}', headers: { "content-type": "" } }],
    ];
    for (const [what, init] of bodies) {
      const res = await fetch(`${t.url}/api/v1/events`, { method: "POST", ...init });
      const body = await res.json();
      expect({ what, status: res.status }).toEqual({ what, status: 415 });
      expect(body.error).toMatch(/send JSON with Content-Type: application\/json/);
    }
    expect(lastSeq()).toBe(before);
    // The same event as JSON is taken: the 415s were about the type.
    expect((await call(t.url, "POST", "/api/v1/events", { type: "kill" })).status).toBe(202);
    expect(lastSeq()).toBe(before + 1);
    // JSON under its other spellings is JSON too: parameters, any case, a +json suffix.
    for (const type of ["application/json; charset=utf-8", "Application/JSON", "application/vnd.ledbox+json"]) {
      const res = await fetch(`${t.url}/api/v1/events`, { method: "POST", body: '{"type":"kill"}', headers: { "content-type": type } });
      expect({ type, status: res.status }).toEqual({ type, status: 202 });
    }
    expect(lastSeq()).toBe(before + 4);
  });

  test("every changing endpoint refuses a form body with 415 even with the admin's cookie, and nothing changes", async () => {
    const integration = (await call(t.url, "POST", "/api/v1/integrations", { name: "csrf hook", type: "webhook" }, { cookie })).body.id;
    const server = (await call(t.url, "POST", "/api/v1/servers", { name: "csrf srv", kind: "source", host: "127.0.0.1", enabled: false }, { cookie })).body.id;
    const mapping = (await call(t.url, "GET", "/api/v1/mappings")).body[0].id;
    const token = t.box.auth.repo.listApiTokens()[0].id;
    const endpoints: [string, string][] = [
      ["POST", "/api/v1/events"],
      ["PUT", "/api/v1/settings"],
      ["POST", "/api/v1/mappings"],
      ["PUT", `/api/v1/mappings/${mapping}`],
      ["DELETE", `/api/v1/mappings/${mapping}`],
      ["POST", "/api/v1/presets/racing/apply"],
      ["PUT", "/api/v1/scene/base"],
      ["POST", "/api/v1/scene/effects"],
      ["POST", "/api/v1/auth/tokens"],
      ["DELETE", `/api/v1/auth/tokens/${token}`],
      ["POST", "/api/v1/auth/logout"],
      ["POST", "/api/v1/auth/login"],
      ["POST", "/api/v1/servers"],
      ["PUT", `/api/v1/servers/${server}`],
      ["DELETE", `/api/v1/servers/${server}`],
      ["PUT", "/api/v1/servers/options"],
      ["POST", "/api/v1/integrations"],
      ["PUT", `/api/v1/integrations/${integration}`],
      ["DELETE", `/api/v1/integrations/${integration}`],
      ["POST", `/api/v1/integrations/${integration}/event`],
    ];
    const before = await snapshot();
    for (const [method, path] of endpoints) {
      // An empty form too: a form with no fields still says what it is.
      for (const body of ["a=1", ""]) {
        const r = await rawRequest(t.url, { method, path, body, headers: { cookie, "content-type": "application/x-www-form-urlencoded" } });
        expect({ method, path, body, status: r.status }).toEqual({ method, path, body, status: 415 });
        expect(r.body.error).toMatch(/application\/json/);
      }
    }
    expect(await snapshot()).toEqual(before);
    // Without a body and without a type (curl -X POST), a body-less endpoint still works.
    const applied = await rawRequest(t.url, { method: "POST", path: "/api/v1/presets/racing/apply", headers: { cookie } });
    expect(applied.status).toBe(200);
  });
});

describe("CSRF: a changing request or live connection must come from the device's own page", () => {
  test("a cookie-authenticated change from another origin is refused and changes nothing; the page, scripts and tokens pass", async () => {
    const put = (headers: Record<string, string>, brightness: number) =>
      rawRequest(t.url, { method: "PUT", path: "/api/v1/settings", body: JSON.stringify({ light: { brightness } }), headers: { "content-type": "application/json", ...headers } });
    const own = new URL(t.url).origin;
    const before = t.box.settings.get().light.brightness;
    const refused: [string, Record<string, string>][] = [
      ["another origin", { cookie, origin: "http://evil.example" }],
      ["same host, other port (same site: the cookie goes along)", { cookie, origin: `http://127.0.0.1:${Number(new URL(t.url).port) + 1}` }],
      ["a sandboxed frame", { cookie, origin: "null" }],
      ["Sec-Fetch-Site: cross-site", { cookie, "sec-fetch-site": "cross-site", origin: own }],
      ["Sec-Fetch-Site: same-site", { cookie, "sec-fetch-site": "same-site", origin: own }],
    ];
    for (const [what, headers] of refused) {
      const r = await put(headers, 0.11);
      expect({ what, status: r.status }).toEqual({ what, status: 403 });
      expect(r.body.error).toMatch(/cross-site request/);
    }
    expect(t.box.settings.get().light.brightness).toBe(before);
    // A body-less change is refused the same way: the preset stays as it was.
    const mappings = (await call(t.url, "GET", "/api/v1/mappings")).body;
    const apply = await rawRequest(t.url, { method: "POST", path: "/api/v1/presets/generic-alert/apply", headers: { cookie, "sec-fetch-site": "same-site" } });
    expect(apply.status).toBe(403);
    expect((await call(t.url, "GET", "/api/v1/mappings")).body).toEqual(mappings);
    // Logging in from another site is refused too (a login CSRF would sign the owner's browser in).
    expect((await rawRequest(t.url, { method: "POST", path: "/api/v1/auth/login", body: '{"password":"x"}', headers: { "content-type": "application/json", origin: "http://evil.example" } })).status).toBe(403);

    const passed: [string, Record<string, string>, number][] = [
      ["the device's own page (Origin)", { cookie, origin: own }, 0.21],
      ["the device's own page (Sec-Fetch-Site)", { cookie, "sec-fetch-site": "same-origin", origin: own }, 0.22],
      ["typed into the address bar", { cookie, "sec-fetch-site": "none" }, 0.23],
      ["a script (no Origin)", { cookie }, 0.24],
      ["an API token from anywhere", { authorization, origin: "http://evil.example", "sec-fetch-site": "cross-site" }, 0.25],
    ];
    for (const [what, headers, brightness] of passed) {
      const r = await put(headers, brightness);
      expect({ what, status: r.status }).toEqual({ what, status: 200 });
      expect(t.box.settings.get().light.brightness).toBe(brightness);
    }
  });

  test("the live channel refuses a handshake from another origin (cross-site WebSocket hijacking)", async () => {
    expect((await call(t.url, "PUT", "/api/v1/settings", { http: { reads: "token" } }, { cookie })).status).toBe(200);
    try {
      const evil = await wsHandshake(t.url, "/api/v1/live", { cookie, origin: "http://evil.example" });
      expect(evil.status).toBe(403);
      expect(evil.body.error).toMatch(/cross-site request/);
      expect((await wsHandshake(t.url, "/api/v1/live", { cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
      // The device's own page gets through, and so does a script with an API token.
      expect((await wsHandshake(t.url, "/api/v1/live", { cookie, origin: new URL(t.url).origin })).status).toBe(101);
      const live = await openLive(t.url, { headers: { authorization, origin: "http://evil.example" } });
      expect(live.hello.type).toBe("hello");
      await live.close();
    } finally {
      await call(t.url, "PUT", "/api/v1/settings", { http: { reads: "open" } }, { cookie });
    }
  });
});

describe("DNS rebinding: only the device's own names", () => {
  const port = () => new URL(t.url).port;

  test("a request for another name is refused: no state, settings, page or live channel", async () => {
    const host = `rebind.example:${port()}`;
    for (const path of ["/api/v1/settings", "/api/v1/state", "/api/v1/health", "/api/v1/mappings", "/"]) {
      const r = await rawRequest(t.url, { path, headers: { host } });
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
      expect(r.body.error).toMatch(/does not answer to the name "rebind\.example"/);
      expect(r.text).not.toContain("brightness");
    }
    // With the admin's cookie too: the rebinding page is same-origin to itself, so the browser sends it.
    expect((await rawRequest(t.url, { path: "/api/v1/settings", headers: { host, cookie } })).status).toBe(403);
    const before = lastSeq();
    const ingest = await rawRequest(t.url, { method: "POST", path: "/api/v1/events", body: '{"type":"kill"}', headers: { host, "content-type": "application/json" } });
    expect(ingest.status).toBe(403);
    expect(lastSeq()).toBe(before);
    expect((await wsHandshake(t.url, "/api/v1/live", { host })).status).toBe(403);
  });

  test("its own names and any address are served; an API token works from any name; more names can be allowed", async () => {
    const me = hostname().toLowerCase();
    for (const name of ["127.0.0.1", "localhost", me, `${me}.local`, `${me.toUpperCase()}.local.`, "192.168.1.20", "[::1]", "[fe80::1]"]) {
      const r = await rawRequest(t.url, { path: "/api/v1/settings", headers: { host: `${name}:${port()}` } });
      expect({ name, status: r.status }).toEqual({ name, status: 200 });
    }
    // A game on the LAN posting to the device's address is served (here: loopback).
    expect((await rawRequest(t.url, { method: "POST", path: "/api/v1/events", body: '{"type":"kill"}', headers: { host: `10.0.0.7:${port()}`, "content-type": "application/json" } })).status).toBe(202);

    const proxied = { host: "ledbox.proxy.example" };
    expect((await rawRequest(t.url, { path: "/api/v1/settings", headers: { ...proxied, authorization } })).status).toBe(200);
    expect((await rawRequest(t.url, { path: "/api/v1/settings", headers: { ...proxied, authorization: "Bearer lbx_wrong" } })).status).toBe(403);
    expect((await rawRequest(t.url, { path: "/api/v1/settings", headers: proxied })).status).toBe(403);
    const r = await call(t.url, "PUT", "/api/v1/settings", { http: { allowedHosts: ["LEDBOX.proxy.example"] } }, { cookie });
    expect(r.status).toBe(200);
    expect(r.body.settings.http.allowedHosts).toEqual(["ledbox.proxy.example"]);
    expect((await rawRequest(t.url, { path: "/api/v1/settings", headers: proxied })).status).toBe(200);
    const bad = await call(t.url, "PUT", "/api/v1/settings", { http: { allowedHosts: ["evil.example/path"] } }, { cookie });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/http\.allowedHosts\.0: a host name/);
    await call(t.url, "PUT", "/api/v1/settings", { http: { allowedHosts: [] } }, { cookie });
  });
});

describe("bodies", () => {
  test("an over-limit body gets the JSON error naming the limit, whether it says its length or not", async () => {
    const big = JSON.stringify({ light: { brightness: 0.5 } }) + " ".repeat(2 * 1024 * 1024);
    const before = t.box.settings.get();
    const r = await call(t.url, "PUT", "/api/v1/settings", big, { cookie });
    expect(r.status).toBe(413);
    expect(r.body.error).toBe(`body of ${Buffer.byteLength(big)} bytes is over the ${MAX_BODY}-byte limit`);
    const chunked = await fetch(`${t.url}/api/v1/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json", cookie },
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(big)); c.close(); } }),
    });
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error).toContain(`over the ${MAX_BODY}-byte limit`);
    // Far over (what Bun itself used to refuse with an empty 413): the same JSON error, before reading it.
    const huge = await rawRequest(t.url, { method: "POST", path: "/api/v1/mappings", headers: { cookie, "content-type": "application/json", "content-length": String(64 * 1024 * 1024) }, body: "" });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe(`body of ${64 * 1024 * 1024} bytes is over the ${MAX_BODY}-byte limit`);
    expect(t.box.settings.get()).toEqual(before);
    // The largest settings an owner sends, a broker CA at its 64 KiB most, fits.
    const ca = `-----BEGIN CERTIFICATE-----\n${"A".repeat(65_536 - 56)}\n-----END CERTIFICATE-----`;
    const withCa = await call(t.url, "PUT", "/api/v1/settings", { mqtt: { tls: { ca } } }, { cookie });
    expect({ status: withCa.status, error: withCa.body.error }).toEqual({ status: 200, error: undefined });
    await call(t.url, "PUT", "/api/v1/settings", { mqtt: { tls: { ca: "" } } }, { cookie });
  });

  test("a body nested past 64 levels is refused before parsing, with a 400 naming where; nothing changes", async () => {
    const before = { settings: t.box.settings.get(), seq: lastSeq() };
    const deep = `{"type":"kill","x":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    for (const [method, path, headers] of [["POST", "/api/v1/events", {}], ["PUT", "/api/v1/settings", { cookie }]] as const) {
      const r = await call(t.url, method, path, deep, headers);
      expect({ path, status: r.status, error: r.body.error }).toEqual({ path, status: 400, error: "malformed body: expected valid JSON (nested deeper than 64 levels at character 82)" });
    }
    const hook = (await call(t.url, "POST", "/api/v1/integrations", { name: "deep hook", type: "webhook" }, { cookie })).body.id;
    const token = (await call(t.url, "GET", `/api/v1/integrations/${hook}/setup`, undefined, { cookie })).body.token;
    const r = await call(t.url, "POST", `/api/v1/integrations/${hook}/event`, deep, { authorization: `Bearer ${token}` });
    expect({ status: r.status, error: r.body.error }).toEqual({ status: 400, error: "malformed payload: not valid JSON (nested deeper than 64 levels at character 82)" });
    await call(t.url, "DELETE", `/api/v1/integrations/${hook}`, undefined, { cookie });
    expect({ settings: t.box.settings.get(), seq: lastSeq() }).toEqual(before);
  });

  test("prototype keys are refused with a 400 naming the key, in settings, mappings and every stored document", async () => {
    const before = await snapshot();
    const mapping = { name: "x", event: "kill", action: { kind: "effect", effect: "flash" } };
    const cases: [string, string, string, RegExp][] = [
      ["PUT", "/api/v1/settings", '{"__proto__": {"http": {"reads": "open"}}}', /__proto__: this key is not allowed/],
      ["PUT", "/api/v1/settings", '{"light": {"constructor": {"prototype": {"x": 1}}}}', /light\.constructor: this key is not allowed/],
      // Escaped in the text: only the parsed key can be checked.
      ["PUT", "/api/v1/settings", '{"light": {"\\u005f_proto__": {"brightness": 0}}}', /light\.__proto__: this key is not allowed/],
      ["POST", "/api/v1/mappings", JSON.stringify({ ...mapping, match: { constructor: "x" } }), /match\.constructor: this key is not allowed/],
      ["POST", "/api/v1/mappings", JSON.stringify({ ...mapping, action: { ...mapping.action, prototype: 1 } }), /action\.prototype: this key is not allowed/],
      ["POST", "/api/v1/integrations", '{"name": "p", "type": "webhook", "config": {"__proto__": {"rules": []}}}', /config\.__proto__: this key is not allowed/],
      ["POST", "/api/v1/servers", '{"name": "p", "kind": "json", "url": "http://127.0.0.1:1/", "rules": {"players": "n", "events": [{"event": "kill", "fields": {"constructor": 1}}]}}', /rules\.events\.0\.fields\.constructor: this key is not allowed/],
      ["PUT", "/api/v1/scene/base", '{"segment": "*", "__proto__": {"level": 1}}', /__proto__: this key is not allowed/],
    ];
    for (const [method, path, body, error] of cases) {
      const r = await call(t.url, method, path, body, { cookie });
      expect({ path, body, status: r.status }).toEqual({ path, body, status: 400 });
      expect(r.body.error).toMatch(error);
    }
    expect(await snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).http).toBeUndefined();
  });
});
