// Integrations across a restart of a real ledbox on the same data folder: each adapter's state and
// the ids of its recent triggers are kept in SQLite, so what the game resends after the restart
// fires nothing again, and the rest of the game goes on exactly as without the restart.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { call, createIntegration, postToIntegration, startBox, tempDir, type TestBox } from "../helpers/box.ts";
import { loadFixture } from "../games/fixture.ts";

setDefaultTimeout(20_000);
const steps = loadFixture("cs2-round.json").steps;
const payload = (what: string) => steps.find((s) => s.what === what)!.payload;
const withToken = (p: unknown, token: string) => ({ ...(p as object), auth: { token } });

/** Posts one payload and returns the events it published, as the fixtures write them. */
async function fire(t: TestBox, id: string, body: unknown) {
  const r = await postToIntegration(t, id, body);
  expect(r.status).toBe(200);
  const recent = (await call(t.url, "GET", `/api/v1/integrations/${id}/events`)).body.events as Record<string, unknown>[];
  return (r.body.ids as string[]).map((eid) => {
    const { id: _, time, source, game, ...e } = recent.find((x) => x.id === eid)!;
    return e;
  });
}

describe("integrations across a restart", () => {
  test("CS2: the resend after a restart fires no trigger (its values once, for the emptied meters), an older payload nothing, the rest exactly", async () => {
    const dataDir = tempDir();
    let t = await startBox({ dataDir });
    try {
      const { id, token } = await createIntegration(t, { name: "cs2", type: "cs2" });
      const planted = steps.findIndex((s) => s.what === "bomb planted");
      for (const s of steps.slice(0, planted + 1)) await fire(t, id, withToken(s.payload, token));
      await t.stop();

      t = await startBox({ dataDir });
      const resent = withToken(payload("bomb planted"), token);
      expect(await fire(t, id, resent)).toEqual([
        { type: "health", value: 73 }, { type: "armor", value: 88 }, { type: "money", value: 750 }, { type: "flash", value: 0 },
        { type: "custom", name: "smoked", value: 0 }, { type: "custom", name: "burning", value: 0 }, { type: "ammo", value: 15, max: 20 },
      ]);
      expect(await fire(t, id, resent)).toEqual([]);
      for (const s of steps.slice(planted + 1)) expect({ step: s.what, events: await fire(t, id, withToken(s.payload, token)) }).toEqual({ step: s.what, events: s.expect });
      const st = (await call(t.url, "GET", `/api/v1/integrations/${id}/status`)).body;
      expect(st.counts).toMatchObject({ bomb_exploded: 1, round_end: 2, match_end: 1 });
      expect(st.counts.bomb_planted).toBeUndefined();
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("CS2: a trigger the adapter makes again from an old payload after a restart is dropped by the kept ids", async () => {
    const dataDir = tempDir();
    let t = await startBox({ dataDir });
    try {
      const { id, token } = await createIntegration(t, { name: "cs2", type: "cs2" });
      const over = steps.findIndex((s) => s.what.startsWith("round over"));
      for (const s of steps.slice(0, over + 1)) await fire(t, id, withToken(s.payload, token));
      await t.stop();

      t = await startBox({ dataDir });
      // The planted bomb, long after it exploded: the diff says "planted" again, with the same id.
      const late = await postToIntegration(t, id, withToken(payload("bomb planted"), token));
      expect(late.status).toBe(200);
      const ids = late.body.ids as string[];
      expect(ids.some((x) => x.endsWith(":bomb_planted"))).toBe(false);
      const recent = (await call(t.url, "GET", `/api/v1/integrations/${id}/events`)).body.events as { type: string }[];
      expect(recent.filter((e) => e.type === "bomb_planted")).toEqual([]);
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
