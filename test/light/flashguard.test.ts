// Photosensitivity guard: at most N full-segment flashes in any one second (default 3, WCAG 2.3.1),
// strobe rates capped, every strobe "on" booked ahead, switchable off.
import { describe, expect, test } from "bun:test";
import { FlashGuard } from "../../src/light/flashguard.ts";
import { Scene } from "../../src/light/scene.ts";
import { baseChange, fx, plain, sceneAt, settings } from "./util.ts";

describe("FlashGuard", () => {
  test("defaults: on, three flashes per second", () => {
    const s = settings({});
    expect(s.safety.flashGuard).toBe(true);
    expect(s.safety.maxFlashesPerSecond).toBe(3);
    const sc = new Scene(s);
    expect(sc.guard.enabled).toBe(true);
    expect(sc.guard.maxPerSecond).toBe(3);
  });

  test("admits three flashes within a second and blocks the fourth, counting it", () => {
    const g = new FlashGuard(true, 3);
    expect(g.admit([0], 0)).toBe(true);
    expect(g.admit([100], 100)).toBe(true);
    expect(g.admit([900], 900)).toBe(true);
    expect(g.admit([999], 999)).toBe(false);
    expect(g.blocked).toBe(1);
  });

  test("the window slides: a flash exactly one second after the first is admitted", () => {
    const g = new FlashGuard(true, 3);
    for (const t of [0, 100, 200]) expect(g.admit([t], t)).toBe(true);
    expect(g.admit([999.9], 999.9)).toBe(false);
    expect(g.admit([1000], 1000)).toBe(true);
    expect(g.admit([1050], 1050)).toBe(false);
    expect(g.admit([1100], 1100)).toBe(true);
  });

  test("a rejected request books nothing", () => {
    const g = new FlashGuard(true, 3);
    expect(g.admit([0, 200], 0)).toBe(true);
    expect(g.admit([300, 400], 300)).toBe(false); // would make four
    expect(g.admit([300], 300)).toBe(true); // the rejected pair left room for one
  });

  test("flashes booked ahead (a strobe's later 'on's) count against flashes that come later", () => {
    const g = new FlashGuard(true, 3);
    expect(g.admit([0, 333, 667], 0)).toBe(true);
    expect(g.admit([500], 500)).toBe(false);
    expect(g.admit([1000], 1000)).toBe(true);
  });

  test("a request that alone exceeds the rate is rejected", () => {
    const g = new FlashGuard(true, 3);
    expect(g.admit([0, 100, 200, 300], 0)).toBe(false);
    expect(g.admit([0, 400, 800], 0)).toBe(true);
  });

  test("capHz caps at the per-second limit; disabled guard passes everything", () => {
    const g = new FlashGuard(true, 3);
    expect(g.capHz(10)).toBe(3);
    expect(g.capHz(2)).toBe(2);
    const off = new FlashGuard(false, 3);
    expect(off.capHz(25)).toBe(25);
    for (let t = 0; t < 100; t++) expect(off.admit([t], t)).toBe(true);
    expect(off.blocked).toBe(0);
  });

  test("other limits: 5 per second allows five; 2.5 per second allows two in any second", () => {
    const five = new FlashGuard(true, 5);
    for (let k = 0; k < 5; k++) expect(five.admit([k * 10], k * 10)).toBe(true);
    expect(five.admit([60], 60)).toBe(false);
    const frac = new FlashGuard(true, 2.5);
    expect(frac.admit([0], 0)).toBe(true);
    expect(frac.admit([10], 10)).toBe(true);
    expect(frac.admit([20], 20)).toBe(false);
  });

  test("a limit below one per second (0.5, the schema's minimum) means one flash per two seconds, not none", () => {
    const g = new FlashGuard(true, 0.5);
    expect(g.admit([0], 0)).toBe(true);
    expect(g.admit([1500], 1500)).toBe(false);
    expect(g.admit([2000], 2000)).toBe(true);
    expect(g.capHz(3)).toBe(0.5);
  });

  test("bookings far in the past are forgotten (a long session keeps working)", () => {
    const g = new FlashGuard(true, 3);
    for (let k = 0; k < 2000; k++) expect(g.admit([k * 400], k * 400)).toBe(true);
    expect(g.blocked).toBe(0);
  });
});

describe("in the scene", () => {
  const scene = (o: Record<string, unknown> = {}) => {
    const s = settings({ strip: { ledCount: 4, colorOrder: "RGB" }, safety: o });
    const sc = new Scene(s);
    sc.setBase(baseChange({ on: false, transitionMs: 0 }), 0);
    return sc;
  };

  test("the fourth full-segment flash within a second is rejected with a reason, and counted", () => {
    const sc = scene();
    for (const t of [0, 250, 500]) expect(sc.trigger(fx({ effect: "flash" }), t).ok).toBe(true);
    const r = sc.trigger(fx({ effect: "flash" }), 750);
    expect(r).toEqual({ ok: false, reason: "photosensitivity guard: flash rate limit reached" });
    expect(sc.guard.blocked).toBe(1);
    expect(sc.trigger(fx({ effect: "flash" }), 1000).ok).toBe(true);
  });

  test("a flash on every segment at once ('*') is one flash; flashes on different segments share the budget", () => {
    const s = plain(4, { guard: true, segments: [{ name: "a", start: 0, length: 2 }, { name: "b", start: 2, length: 2 }] });
    const sc = new Scene(s);
    expect(sc.trigger(fx({ effect: "flash", segment: "*" }), 0)).toEqual({ ok: true, segments: ["a", "b"], seq: expect.any(Number) });
    expect(sc.trigger(fx({ effect: "flash", segment: "a" }), 10).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "flash", segment: "b" }), 20).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "flash", segment: "b" }), 30).ok).toBe(false);
  });

  test("strobe hz is capped: a 10 Hz strobe request blinks at 3 Hz", () => {
    const sc = scene();
    expect(sc.trigger(fx({ effect: "strobe", hz: 10, durationMs: 1000 }), 0).ok).toBe(true);
    expect(sc.segments[0].active(0)[0].params.hz).toBe(3);
    // Count rising edges over the second, sampling every millisecond.
    let ons = 0, prev = 0;
    for (let t = 0; t < 1000; t++) {
      const v = sceneAt(sc, t)[0];
      if (v > 0.5 && prev <= 0.5) ons++;
      prev = v;
    }
    expect(ons).toBe(3);
  });

  test("a strobe books every 'on' of its duration, so a flash during it is rejected", () => {
    const sc = scene();
    expect(sc.trigger(fx({ effect: "strobe", hz: 3, durationMs: 2000 }), 0).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "flash" }), 1500).ok).toBe(false);
    expect(sc.trigger(fx({ effect: "flash" }), 2000).ok).toBe(true);
  });

  test("a strobe whose 'on's would exceed the limit over its duration is rejected as a whole", () => {
    const sc = scene({ maxFlashesPerSecond: 2 });
    // Capped to 2 Hz: two 'on's per second fits; with one flash already there, it does not.
    expect(sc.trigger(fx({ effect: "flash" }), 0).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "strobe", hz: 5, durationMs: 1000 }), 100).ok).toBe(false);
    expect(sc.trigger(fx({ effect: "strobe", hz: 5, durationMs: 1000 }), 1000).ok).toBe(true);
  });

  test("a strobe at 0 Hz (steadily on) is still one flash", () => {
    const sc = scene();
    for (const t of [0, 100, 200]) expect(sc.trigger(fx({ effect: "strobe", hz: 0, durationMs: 50 }), t).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "strobe", hz: 0, durationMs: 50 }), 300).ok).toBe(false);
    expect(sceneAt(sc, 10)[0]).toBeGreaterThan(0.5);
  });

  test("smooth effects are not counted", () => {
    const sc = scene();
    for (let k = 0; k < 10; k++) {
      for (const effect of ["sweep", "breathing", "color_shift"]) expect(sc.trigger(fx({ effect }), k * 10).ok).toBe(true);
    }
    expect(sc.guard.blocked).toBe(0);
    for (const t of [0, 1, 2]) expect(sc.trigger(fx({ effect: "flash" }), t).ok).toBe(true);
  });

  test("a pulse books one flash per beat: 2 Hz for 1 s leaves room for one more flash in that second", () => {
    const sc = scene();
    expect(sc.trigger(fx({ effect: "pulse", hz: 2, durationMs: 1000 }), 0).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "flash" }), 100).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "flash" }), 200).ok).toBe(false);
  });

  test("every periodic effect is capped to the guard's rate, smooth ones too", () => {
    const sc = scene();
    for (const effect of ["pulse", "breathing", "color_shift", "sweep"]) {
      expect(sc.trigger(fx({ effect, hz: 30, durationMs: 300 }), 5000 * (1 + ["pulse", "breathing", "color_shift", "sweep"].indexOf(effect))).ok).toBe(true);
    }
    expect(sc.segments[0].active(20_000).map((i) => i.params.hz)).toEqual([3]);
    expect(sc.segments[0].active(5000).map((i) => i.params.hz)).toEqual([3]);
  });

  test("more flashes than the guard can book are refused with a reason saying so", () => {
    const r = scene().trigger(fx({ effect: "strobe", hz: 3, durationMs: 300_000 }), 0);
    expect(r.ok).toBe(true);
    const off = scene({ maxFlashesPerSecond: 10 }).trigger(fx({ effect: "strobe", hz: 10, durationMs: 300_000 }), 0);
    expect(off).toEqual({ ok: false, reason: expect.stringContaining("more than it can book") });
  });

  test("switched off: any rate goes through and strobes keep their hz", () => {
    const sc = scene({ flashGuard: false });
    for (let t = 0; t < 1000; t += 50) expect(sc.trigger(fx({ effect: "flash" }), t).ok).toBe(true);
    expect(sc.trigger(fx({ effect: "strobe", hz: 20, durationMs: 1000 }), 0).ok).toBe(true);
    expect(sc.segments[0].active(0).at(-1)!.params.hz).toBe(20);
    // More flashes than the guard could book: nothing is booked, so nothing refuses it.
    expect(sc.trigger(fx({ effect: "strobe", hz: 20, durationMs: 300_000 }), 0).ok).toBe(true);
    expect(sc.guard.blocked).toBe(0);
  });
});
