import { expect, test } from "bun:test";
import { call, startBox } from "./helpers/box.ts";

test("a started ledbox answers health and ingests an event", async () => {
  const t = await startBox();
  try {
    const h = await call(t.url, "GET", "/api/v1/health");
    expect(h.status).toBe(200);
    expect(h.body.ok).toBe(true);
    const r = await call(t.url, "POST", "/api/v1/events", { type: "kill" });
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(1);
    const cookie = await t.admin();
    const s = await call(t.url, "PUT", "/api/v1/settings", { render: { fps: 30 } }, { cookie });
    expect(s.status).toBe(200);
    expect(s.body.settings.render.fps).toBe(30);
  } finally {
    await t.stop();
  }
});
