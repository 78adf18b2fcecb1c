// Guessing the password or the setup code in bulk, against a real ledbox: concurrent guesses
// from one address, from many (loopback has all of 127.0.0.0/8 as source addresses), and the
// password checks they cause (each an argon2id hash: 64 MiB and a core for a moment on a Pi).
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { HASH_CHECKS_AT_ONCE, SETUP_GUESSES_BURST, SETUP_GUESSES_PER_S } from "../../src/auth/service.ts";
import { ADMIN_PASSWORD, startBox, until, type TestBox } from "../helpers/box.ts";
import { rawRequest } from "../helpers/raw.ts";

setDefaultTimeout(60_000);

const json = { "content-type": "application/json" };
const post = (t: TestBox, path: string, body: unknown, localAddress?: string) =>
  rawRequest(t.url, { method: "POST", path, body: JSON.stringify(body), headers: json, localAddress });
/** 127.0.x.y for the n-th client (n from 0), away from 127.0.0.1 which the tests themselves use. */
const address = (n: number) => `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;

/** Counts the password checks the server really makes, and the most at once. */
function watchChecks(t: TestBox) {
  const repo = t.box.auth.repo;
  const check = repo.checkPassword.bind(repo);
  const seen = { calls: 0, inFlight: 0, most: 0 };
  repo.checkPassword = async (password: string) => {
    seen.calls++;
    seen.most = Math.max(seen.most, ++seen.inFlight);
    try {
      return await check(password);
    } finally {
      seen.inFlight--;
    }
  };
  return seen;
}

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

describe("login", () => {
  test("200 concurrent wrong passwords from one address: 10 are checked, 190 refused before any hashing", async () => {
    const t = await startBox();
    try {
      await t.admin();
      const checks = watchChecks(t);
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post(t, "/api/v1/auth/login", { password: `guess ${i}` }, "127.0.0.9")));
      expect(tally(answers.map((a) => a.status))).toEqual({ 401: 10, 429: 190 });
      expect(checks.calls).toBe(10);
      expect(answers.find((a) => a.status === 429)!.body.error).toMatch(/too many failed attempts/);
      // Even the right password now waits its minute from there; the owner's own machine does not.
      expect((await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD }, "127.0.0.9")).status).toBe(429);
      expect((await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD }, "127.0.0.10")).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  test(`guesses from 100 addresses at once: at most ${HASH_CHECKS_AT_ONCE} password checks run at a time, the overflow is told "busy"`, async () => {
    const t = await startBox();
    try {
      await t.admin();
      const checks = watchChecks(t);
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(t, "/api/v1/auth/login", { password: `guess ${i}` }, address(i))));
      const statuses = tally(answers.map((a) => a.status));
      expect(Object.keys(statuses).sort()).toEqual(["401", "429"]);
      expect(checks.most).toBeLessThanOrEqual(HASH_CHECKS_AT_ONCE);
      expect(checks.calls).toBe(statuses[401]);
      expect(answers.find((a) => a.status === 429)!.body.error).toMatch(/busy: too many password checks at once/);
      // Once the burst is over the owner logs in as usual.
      expect((await post(t, "/api/v1/auth/login", { password: ADMIN_PASSWORD }, address(500))).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe("setup code", () => {
  test("1,000 rotating addresses get at most the device-wide allowance of guesses; the owner gets in after", async () => {
    const t = await startBox();
    try {
      const started = performance.now();
      const answers = [];
      // In waves of 100 at once, as fast as the server answers.
      for (let wave = 0; wave < 10; wave++) {
        answers.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => post(t, "/api/v1/auth/setup", { code: "WRONGCDE", password: ADMIN_PASSWORD }, address(wave * 100 + i))))));
      }
      const seconds = (performance.now() - started) / 1000;
      const statuses = tally(answers.map((a) => a.status));
      expect(Object.keys(statuses).sort()).toEqual(["401", "429"]);
      // Each guess that reached the code was one token of the device-wide bucket.
      expect(statuses[401]).toBeLessThanOrEqual(SETUP_GUESSES_BURST + Math.ceil(SETUP_GUESSES_PER_S * seconds));
      expect(answers.find((a) => a.status === 429)!.body.error).toMatch(/too many setup attempts on this device/);
      expect(t.box.auth.repo.hasAdmin()).toBe(false);
      // The owner, from an address never used, gets in once the bucket has a token again.
      const code = t.box.auth.setupCode;
      const ok = await until(async () => {
        const r = await post(t, "/api/v1/auth/setup", { code, password: ADMIN_PASSWORD }, "127.0.200.1");
        return r.status === 429 ? null : r;
      }, "the setup code accepted", 5000, 100);
      expect(ok.status).toBe(201);
      expect(t.box.auth.repo.hasAdmin()).toBe(true);
    } finally {
      await t.stop();
    }
  });

  test("two requests with the right code at once: one claims the device, the other is told it is done", async () => {
    const t = await startBox();
    try {
      const code = t.box.auth.setupCode;
      const [a, b] = await Promise.all(["first password", "second password"].map((password, i) => post(t, "/api/v1/auth/setup", { code, password }, address(i))));
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const winner = a.status === 201 ? "first password" : "second password";
      expect((await post(t, "/api/v1/auth/login", { password: winner }, address(3))).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
