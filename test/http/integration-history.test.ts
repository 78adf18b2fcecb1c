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

test("a GSI payload's auth block is redacted, a payload nested past any game's depth is cut in the history, and one past 64 levels is refused", async () => {
  const { id, token } = await createIntegration(t, { name: "redact-cs2", type: "cs2" });
  expect((await postToIntegration(t, id, { ...cs2, auth: { token } })).status).toBe(200);
  const hook = await createIntegration(t, { name: "deep", type: "webhook", config: { rules: [{ event: "custom", on: "always", fields: { name: "deep" } }] } });
  const nest = (levels: number) => {
    let deep: unknown = { token: "deepest-secret" };
    for (let i = 0; i < levels; i++) deep = [deep];
    return { nest: deep };
  };
  const auth = { authorization: `Bearer ${hook.token}` };
  // Past the 64 levels any JSON from the LAN may nest: refused before parsing, kept out of the history.
  const refused = await postToIntegration(t, hook.id, nest(5000), auth);
  expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: expect.stringMatching(/^malformed payload: not valid JSON \(nested deeper than 64 levels at character \d+\)$/) });
  // Within them but past the history's 32: taken, and cut where the history stops.
  expect((await postToIntegration(t, hook.id, nest(60), auth)).status).toBe(200);

  const gsi = await call(t.url, "GET", `/api/v1/integrations/${id}/events`);
  expect(gsi.text).not.toContain(token);
  expect(gsi.body.payloads[0].body.auth).toBe("(redacted)");
  expect(gsi.body.payloads[0].body.provider.steamid).toBe(cs2.provider.steamid);
  const nested = await call(t.url, "GET", `/api/v1/integrations/${hook.id}/events`);
  expect(nested.status).toBe(200);
  expect(nested.text).toContain("(too deep)");
  expect(nested.text).not.toContain("deepest-secret");
});
