// An integration's payload history (GET …/events) is readable without login: every field that
// looks like a credential is redacted at any depth, whatever the adapter, and the rest stays.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { call, createIntegration, postToIntegration, startBox, type TestBox } from "../helpers/box.ts";
import { loadFixture } from "../games/fixture.ts";

setDefaultTimeout(20_000);

let t: TestBox;
beforeAll(async () => {
  t = await startBox();
});
afterAll(() => t.stop());

const cs2 = loadFixture("cs2-round.json").steps[0].payload as { provider: { steamid: string } };
const SECRETS = ["hunter2-pw", "sk-live-123", "bearer-abc", "deep-secret", "ya29.token", "db-pass"];

test("a webhook payload's secrets are redacted however deep, in objects and arrays; the other fields stay", async () => {
  const { id, token } = await createIntegration(t, {
    name: "redact", type: "webhook",
    config: { rules: [{ event: "health", path: "player.hp", on: "always" }] },
  });
  const payload = {
    player: { hp: 42, name: "alice", account: { password: SECRETS[0], apiKey: SECRETS[1] } },
    Authorization: SECRETS[2],
    servers: [{ host: "10.0.0.2", credentials: [{ client_secret: SECRETS[3] }] }],
    session: { refresh_TOKEN: SECRETS[4] },
    db: { dbPassword: SECRETS[5] },
  };
  const r = await postToIntegration(t, id, payload, { authorization: `Bearer ${token}` });
  expect(r.status).toBe(200);
  const history = await call(t.url, "GET", `/api/v1/integrations/${id}/events`); // no credential
  expect(history.status).toBe(200);
  for (const s of [...SECRETS, token]) expect(history.text).not.toContain(s);
  const seen = history.body.payloads.at(-1).body;
  expect(seen).toEqual({
    player: { hp: 42, name: "alice", account: { password: "(redacted)", apiKey: "(redacted)" } },
    Authorization: "(redacted)",
    servers: [{ host: "10.0.0.2", credentials: [{ client_secret: "(redacted)" }] }],
    session: { refresh_TOKEN: "(redacted)" },
    db: { dbPassword: "(redacted)" },
  });
  expect(history.body.events.at(-1)).toMatchObject({ type: "health", value: 42 });
});

test("a GSI payload's auth block is redacted, and a payload nested past any game's depth is cut, not a crash", async () => {
  const { id, token } = await createIntegration(t, { name: "redact-cs2", type: "cs2" });
  expect((await postToIntegration(t, id, { ...cs2, auth: { token } })).status).toBe(200);
  const hook = await createIntegration(t, { name: "deep", type: "webhook", config: { rules: [{ event: "custom", on: "always", fields: { name: "deep" } }] } });
  let deep: unknown = { token: "deepest-secret" };
  for (let i = 0; i < 5000; i++) deep = [deep];
  expect((await postToIntegration(t, hook.id, { nest: deep }, { authorization: `Bearer ${hook.token}` })).status).toBe(200);

  const gsi = await call(t.url, "GET", `/api/v1/integrations/${id}/events`);
  expect(gsi.text).not.toContain(token);
  expect(gsi.body.payloads[0].body.auth).toBe("(redacted)");
  expect(gsi.body.payloads[0].body.provider.steamid).toBe(cs2.provider.steamid);
  const nested = await call(t.url, "GET", `/api/v1/integrations/${hook.id}/events`);
  expect(nested.status).toBe(200);
  expect(nested.text).toContain("(too deep)");
  expect(nested.text).not.toContain("deepest-secret");
});
