// GET/PUT /api/v1/settings against a real ledbox: partial deep merge, applied live, stored across
// a restart; every invalid document rejected with a 4xx naming the field, nothing stored changes,
// and the loop keeps running untouched.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { rmSync } from "node:fs";
import { call, openLive, startBox, tempDir, until, type TestBox } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const getSettings = async (t: TestBox) => {
  const r = await call(t.url, "GET", "/api/v1/settings");
  expect(r.status).toBe(200);
  return r.body;
};

/** Runs body with a box on a fresh data folder; `restart` stops it and starts a new one on the same data. */
async function withRestartableBox(body: (ctx: { t: () => TestBox; restart: () => Promise<TestBox> }) => Promise<void>) {
  const dir = tempDir();
  let t = await startBox({ dataDir: dir });
  try {
    await body({
      t: () => t,
      restart: async () => {
        await t.stop();
        t = await startBox({ dataDir: dir });
        return t;
      },
    });
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("settings", () => {
  test("GET shows the defaults: 150 LEDs, 60 fps, virtual output, and the data folder in use", async () => {
    const t = await startBox();
    try {
      const s = await getSettings(t);
      expect(s.strip).toMatchObject({ ledCount: 150, ledType: "rgb", colorOrder: "GRB" });
      expect(s.render.fps).toBe(60);
      expect(s.outputs).toEqual([{ driver: "virtual", start: 0 }]);
      expect(s.light.power.budgetMa).toBe(850);
      expect(s.dataDir).toBe(t.dataDir);
    } finally {
      await t.stop();
    }
  });

  test("PUT merges a partial document deeply, replaces arrays whole, applies live and survives a restart", async () => {
    await withRestartableBox(async ({ t, restart }) => {
      const cookie = await t().admin();
      const a = await call(t().url, "PUT", "/api/v1/settings", { light: { brightness: 0.5 } }, { cookie });
      expect(a.status).toBe(200);
      expect(a.body.restartRequired).toEqual([]);
      expect(a.body.settings.light).toMatchObject({ brightness: 0.5, gamma: 2.2, dithering: true });
      const b = await call(t().url, "PUT", "/api/v1/settings", { light: { power: { budgetMa: 2000 } }, render: { fps: 30 } }, { cookie });
      expect(b.status).toBe(200);
      expect(b.body.settings.light.brightness).toBe(0.5);
      expect(b.body.settings.light.power).toMatchObject({ budgetMa: 2000, enabled: true, idleMaPerLed: 1 });
      expect(b.body.settings.strip.ledCount).toBe(150);

      // Arrays are replaced, not merged.
      const segs = [{ name: "left", start: 0, length: 75 }, { name: "right", start: 75, length: 75, reversed: true }];
      expect((await call(t().url, "PUT", "/api/v1/settings", { segments: segs }, { cookie })).status).toBe(200);
      const c = await call(t().url, "PUT", "/api/v1/settings", { segments: [{ name: "all", start: 0, length: 150 }] }, { cookie });
      expect(c.body.settings.segments.map((s: { name: string }) => s.name)).toEqual(["all"]);

      // Applied live.
      const state = await call(t().url, "GET", "/api/v1/state");
      expect(state.body.stats.targetFps).toBe(30);
      expect(state.body.segments.map((s: { name: string }) => s.name)).toEqual(["all"]);
      // The loop runs on at the new rate (targetFps is the clock's own); the rate itself is benchmarked.
      const frames = state.body.stats.frames;
      await until(() => t().box.engine.stats().frames >= frames + 10, "10 frames at 30 fps");

      const before = await getSettings(t());
      await restart();
      expect(await getSettings(t())).toEqual(before);
      expect(t().box.engine.stats().targetFps).toBe(30);
      expect((await call(t().url, "GET", "/api/v1/state")).body.segments[0].name).toBe("all");
    });
  });

  test("a new LED count reaches the live channel", async () => {
    const t = await startBox();
    try {
      const cookie = await t.admin();
      expect((await call(t.url, "PUT", "/api/v1/settings", { strip: { ledCount: 30 } }, { cookie })).status).toBe(200);
      const live = await openLive(t.url);
      try {
        expect(live.hello.ledCount).toBe(30);
        const f = await live.waitFrame(() => true, "a frame");
        expect(f.length).toBe(90);
      } finally {
        await live.close();
      }
    } finally {
      await t.stop();
    }
  });

  test("a settings document read with GET can be PUT back as it is; dataDir cannot be changed", async () => {
    const t = await startBox();
    try {
      const cookie = await t.admin();
      const s = await getSettings(t);
      const r = await call(t.url, "PUT", "/api/v1/settings", { ...s, light: { ...s.light, brightness: 0.6 } }, { cookie });
      expect(r.status).toBe(200);
      expect(r.body.settings.light.brightness).toBe(0.6);
      const d = await call(t.url, "PUT", "/api/v1/settings", { dataDir: "/elsewhere" }, { cookie });
      expect(d.status).toBe(400);
      expect(d.body.error).toMatch(/dataDir/);
    } finally {
      await t.stop();
    }
  });

  test("changing the HTTP port says it needs a restart", async () => {
    const t = await startBox();
    try {
      const r = await call(t.url, "PUT", "/api/v1/settings", { http: { port: 8181 } }, { cookie: await t.admin() });
      expect(r.status).toBe(200);
      expect(r.body.restartRequired).toEqual(["http.port"]);
    } finally {
      await t.stop();
    }
  });

  const invalid: [string, unknown, RegExp][] = [
    ["LED count 0", { strip: { ledCount: 0 } }, /strip\.ledCount: Too small/],
    ["LED count 100000", { strip: { ledCount: 100000 } }, /strip\.ledCount: Too big/],
    ["fps 0", { render: { fps: 0 } }, /render\.fps: Too small/],
    ["fps 241", { render: { fps: 241 } }, /render\.fps: Too big/],
    ["fractional fps", { render: { fps: 29.5 } }, /render\.fps/],
    ["a segment past the strip's end", { segments: [{ name: "tail", start: 100, length: 60 }] }, /segments\.0: segment "tail" ends at LED 160, past the strip's 150 LEDs/],
    ["overlapping segments", { segments: [{ name: "a", start: 0, length: 80 }, { name: "b", start: 70, length: 80 }] }, /segments: segments "a" and "b" overlap/],
    ["duplicate segment names", { segments: [{ name: "a", start: 0, length: 10 }, { name: "a", start: 10, length: 10 }] }, /segments\.1\.name: duplicate/],
    ["a bad segment name", { segments: [{ name: "Left Side", start: 0, length: 10 }] }, /segments\.0\.name/],
    ["an unknown top-level key", { colour: "red" }, /Unrecognized key: "colour"/],
    ["an unknown nested key", { strip: { leds: 10 } }, /strip: Unrecognized key: "leds"/],
    ["an RGBW order on an RGB strip", { strip: { colorOrder: "GRBW" } }, /strip\.colorOrder: an RGB strip needs a 3-letter order/],
    ["an RGB order on an RGBW strip", { strip: { ledType: "rgbw" } }, /strip\.colorOrder: an RGBW strip needs an order ending in W/],
    ["an unknown colour order", { strip: { colorOrder: "RGGB" } }, /strip\.colorOrder/],
    ["brightness above 1", { light: { brightness: 1.5 } }, /light\.brightness/],
    ["a power budget of 0", { light: { power: { budgetMa: 0 } } }, /light\.power\.budgetMa/],
    ["a wrong type", { light: { dithering: "yes" } }, /light\.dithering/],
    ["an output past the strip", { outputs: [{ driver: "virtual", start: 140, length: 20 }] }, /outputs\.0: output range 140\.\.160/],
    ["an unknown driver", { outputs: [{ driver: "laser" }] }, /outputs\.0\.driver/],
    ["not an object", [1, 2], /settings must be a JSON object/],
    ["malformed JSON", '{"render": {"fps": 30}', /malformed body/],
  ];

  test("every invalid document is rejected naming the field; nothing stored changes; the loop keeps its rate", async () => {
    await withRestartableBox(async ({ t, restart }) => {
      const cookie = await t().admin();
      // Something non-default, so "unchanged" cannot be confused with "reset to defaults".
      expect((await call(t().url, "PUT", "/api/v1/settings", { light: { brightness: 0.4 }, segments: [{ name: "main", start: 0, length: 150 }] }, { cookie })).status).toBe(200);
      const before = await getSettings(t());
      const { scene, outputs } = t().box.engine;
      const framesBefore = t().box.engine.stats().frames;
      for (const [what, body, message] of invalid) {
        const r = await call(t().url, "PUT", "/api/v1/settings", body, { cookie });
        expect({ what, status: r.status }).toEqual({ what, status: 400 });
        expect({ what, error: r.body.error }).toEqual({ what, error: expect.stringMatching(message) });
        expect(await getSettings(t())).toEqual(before);
      }
      // The loop never paused: nothing was rebuilt or reopened (a refused document reaches no
      // engine), and frames go on at the same target rate.
      expect(t().box.engine.scene).toBe(scene);
      expect(t().box.engine.outputs[0].driver).toBe(outputs[0].driver);
      await until(() => t().box.engine.stats().frames >= framesBefore + 30, "frames going on");
      expect(t().box.engine.stats()).toMatchObject({ targetFps: 60, frameErrors: 0 });

      await restart();
      expect(await getSettings(t())).toEqual(before);
    });
  });

  test("overlapping segments are allowed with allowOverlappingSegments", async () => {
    const t = await startBox();
    try {
      const segments = [{ name: "a", start: 0, length: 80 }, { name: "b", start: 70, length: 80 }];
      const r = await call(t.url, "PUT", "/api/v1/settings", { allowOverlappingSegments: true, segments }, { cookie: await t.admin() });
      expect(r.status).toBe(200);
      const state = await call(t.url, "GET", "/api/v1/state");
      expect(state.body.segments.map((s: { name: string; start: number }) => [s.name, s.start])).toEqual([["a", 0], ["b", 70]]);
    } finally {
      await t.stop();
    }
  });

  test("RGBW strips accept the RGBW orders", async () => {
    const t = await startBox();
    try {
      const r = await call(t.url, "PUT", "/api/v1/settings", { strip: { ledType: "rgbw", colorOrder: "GRBW" } }, { cookie: await t.admin() });
      expect(r.status).toBe(200);
      expect(t.box.engine.pipeline.bytesPerLed).toBe(4);
      // The preview stays RGB, 3 bytes per LED.
      const live = await openLive(t.url);
      try {
        expect((await live.waitFrame(() => true, "a frame")).length).toBe(150 * 3);
      } finally {
        await live.close();
      }
    } finally {
      await t.stop();
    }
  });

  test("several outputs each get their own range of the strip (R G B bytes: the virtual output keeps no wire order)", async () => {
    const t = await startBox({
      settings: {
        strip: { ledCount: 30 },
        segments: [{ name: "left", start: 0, length: 15 }, { name: "right", start: 15, length: 15 }],
        outputs: [{ driver: "virtual", start: 0, length: 15 }, { driver: "virtual", start: 15 }],
      },
    });
    try {
      const cookie = await t.admin();
      await call(t.url, "PUT", "/api/v1/scene/base", { segment: "left", colors: ["#00ff00"], level: 1, transitionMs: 0 }, { cookie });
      await call(t.url, "PUT", "/api/v1/scene/base", { segment: "right", colors: ["#ff0000"], level: 1, transitionMs: 0 }, { cookie });
      const [a, b] = t.box.engine.outputs.map((o) => (o.driver as unknown as { last: Uint8Array }).last);
      expect([a.length, b.length]).toEqual([45, 45]);
      const leds = (x: Uint8Array) => Array.from({ length: x.length / 3 }, (_, i) => [x[i * 3], x[i * 3 + 1], x[i * 3 + 2]]);
      await until(() => leds(a).every(([r, g, bl]) => g > 100 && r === 0 && bl === 0), "the first output all green");
      await until(() => leds(b).every(([r, g, bl]) => g === 0 && r > 100 && bl === 0), "the second output all red");
      expect((await call(t.url, "GET", "/api/v1/health")).body.outputs).toHaveLength(2);
    } finally {
      await t.stop();
    }
  });
});
