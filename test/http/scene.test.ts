// The scene endpoints against a real ledbox: the base layer fades over its transition (seen in
// live frames), targets segments, survives a restart; unknown segments and bad input are refused.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { rmSync } from "node:fs";
import { call, led, openLive, startBox, tempDir, until } from "../helpers/box.ts";

// Real servers, argon2 password hashing and waits for timed messages: more than the 5 s default under load.
setDefaultTimeout(20_000);

const ledsOf = (f: Uint8Array) => Array.from({ length: f.length / 3 }, (_, i) => led(f, i));
// 30 LEDs keep the power limiter out of the way: full red previews as 255 × brightness 0.8 = 204.
const SMALL = { strip: { ledCount: 30 } };

describe("scene base layer", () => {
  test("PUT with a transition fades the strip from the old base to the new one", async () => {
    const t = await startBox({ settings: SMALL });
    try {
      const cookie = await t.admin();
      const live = await openLive(t.url);
      try {
        // The default base: a dim solid colour with little red.
        const dim = (f: Uint8Array) => ledsOf(f).every((c) => c.join() === led(f, 0).join() && c[0] < 20);
        await live.waitFrame(dim, "the dim default base");
        const from = live.mark();
        const r0 = led(live.frames[from - 1].data, 0)[0];
        // The engine's own frames, with their times: the fade is checked against its formula.
        const engine = t.box.engine;
        const rendered: { t: number; red: number; blue: number }[] = [];
        const off = engine.onFrame((e) => void rendered.push({ t: e.lastFrameMs, red: e.pipeline.preview[0], blue: e.pipeline.preview[2] }));
        const sentAt = engine.now();
        const r = await call(t.url, "PUT", "/api/v1/scene/base", { effect: "solid", colors: ["#ff0000"], level: 1, transitionMs: 600 }, { cookie });
        const answeredAt = engine.now();
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ segments: ["main"] });
        const full = (f: Uint8Array) => ledsOf(f).every(([r, g, b]) => r === 204 && g === 0 && b === 0);
        await live.waitFrame(full, "full red after the transition", { from, timeoutMs: 2000 });
        off();
        // A linear crossfade over 600 ms from when the change was made (between sending and the
        // answer): red goes from r0 to 204 (full red at brightness 0.8), ±1.5 for byte rounding.
        const u = (ms: number) => Math.min(1, Math.max(0, ms / 600));
        for (const f of rendered) {
          const lo = r0 + (204 - r0) * u(f.t - answeredAt) - 1.5, hi = r0 + (204 - r0) * u(f.t - sentAt) + 1.5;
          expect({ t: f.t - sentAt, red: f.red, ok: f.red >= lo && f.red <= hi }).toEqual({ t: f.t - sentAt, red: f.red, ok: true });
        }
        // On the live channel: intermediate levels, never falling, every LED alike (solid).
        const reds = live.frames.slice(from).map((f) => led(f.data, 0)[0]);
        const end = reds.indexOf(204);
        const during = reds.slice(0, end);
        expect(during.some((v) => v > r0 + 2 && v < 202)).toBe(true);
        for (let i = 1; i < during.length; i++) expect(during[i]).toBeGreaterThanOrEqual(during[i - 1]);
        const mid = live.frames.slice(from)[Math.floor(end / 2)].data;
        expect(new Set(ledsOf(mid).map((c) => c.join())).size).toBe(1);
        expect(live.invalid).toEqual([]);

        // transitionMs 0 changes at once: every frame the engine renders after the answer is blue.
        const from2 = live.mark();
        const after: number[] = [];
        const off2 = engine.onFrame((e) => void after.push(e.pipeline.preview[2]));
        expect((await call(t.url, "PUT", "/api/v1/scene/base", { colors: ["#0000ff"], transitionMs: 0 }, { cookie })).status).toBe(200);
        after.length = 0;
        const blue = (f: Uint8Array) => ledsOf(f).every(([r, g, b]) => r === 0 && g === 0 && b === 204);
        await live.waitFrame(blue, "full blue", { from: from2 });
        await until(() => after.length >= 3, "three frames after the change");
        off2();
        expect(after.slice(0, 3)).toEqual([204, 204, 204]);
      } finally {
        await live.close();
      }
    } finally {
      await t.stop();
    }
  });

  test("targets one segment by name; an unknown segment is 404 and changes nothing; the base survives a restart", async () => {
    const dir = tempDir();
    let t = await startBox({ dataDir: dir, settings: { strip: { ledCount: 30 }, segments: [{ name: "left", start: 0, length: 15 }, { name: "right", start: 15, length: 15 }] } });
    try {
      const cookie = await t.admin();
      const live = await openLive(t.url);
      try {
        const r = await call(t.url, "PUT", "/api/v1/scene/base", { segment: "left", colors: ["#00ff00"], level: 1, transitionMs: 0 }, { cookie });
        expect(r.body).toEqual({ segments: ["left"] });
        const f = await live.waitFrame((f) => led(f, 0)[1] === 204, "the left half green");
        expect(ledsOf(f).slice(0, 15).every(([r, g, b]) => r === 0 && g === 204 && b === 0)).toBe(true);
        expect(ledsOf(f).slice(15).every((c) => Math.max(...c) < 100)).toBe(true);
      } finally {
        await live.close();
      }
      const before = (await call(t.url, "GET", "/api/v1/state")).body.segments.map((s: { base: unknown }) => s.base);
      const missing = await call(t.url, "PUT", "/api/v1/scene/base", { segment: "middle", colors: ["#ff0000"] }, { cookie });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatch(/no segment named "middle"/);
      for (const [body, field] of [
        [{ level: 2 }, /level/],
        [{ colors: ["#red"] }, /colors\.0/],
        [{ effect: "lava" }, /effect/],
        [{ segment: "Left Side" }, /segment/],
        [{ transitionMs: -1 }, /transitionMs/],
        [{ sparkle: true }, /sparkle/],
      ] as [unknown, RegExp][]) {
        const bad = await call(t.url, "PUT", "/api/v1/scene/base", body, { cookie });
        expect(bad.status).toBe(400);
        expect(bad.body.error).toMatch(field);
      }
      expect((await call(t.url, "GET", "/api/v1/state")).body.segments.map((s: { base: unknown }) => s.base)).toEqual(before);

      await t.stop();
      t = await startBox({ dataDir: dir });
      const after = (await call(t.url, "GET", "/api/v1/state")).body.segments;
      expect(after.map((s: { base: unknown }) => s.base)).toEqual(before);
      expect(after[0].base).toMatchObject({ colors: ["#00ff00"], level: 1 });
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scene effects", () => {
  test("POST plays an effect; unknown segment and the flash guard say why not", async () => {
    const t = await startBox({ settings: SMALL });
    try {
      const cookie = await t.admin();
      const ok = await call(t.url, "POST", "/api/v1/scene/effects", { effect: "sweep", colors: ["#00ffff"], durationMs: 2000 }, { cookie });
      expect(ok.status).toBe(201);
      expect(ok.body).toEqual({ ok: true, segments: ["main"] });
      const state = await call(t.url, "GET", "/api/v1/state");
      expect(state.body.segments[0].effects).toEqual([expect.objectContaining({ effect: "sweep", priority: 50, blend: "normal" })]);

      const nowhere = await call(t.url, "POST", "/api/v1/scene/effects", { effect: "flash", segment: "ceiling" }, { cookie });
      expect(nowhere.status).toBe(404);
      expect(nowhere.body.error).toMatch(/no segment named "ceiling"/);
      const bad = await call(t.url, "POST", "/api/v1/scene/effects", { effect: "flash", durationMs: 10 }, { cookie });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/durationMs/);

      // Three full flashes a second at most (WCAG 2.3.1), by default.
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await call(t.url, "POST", "/api/v1/scene/effects", { effect: "flash" }, { cookie })).status);
      expect(codes).toEqual([201, 201, 201, 409]);
    } finally {
      await t.stop();
    }
  });
});
