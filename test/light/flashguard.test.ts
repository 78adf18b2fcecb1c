// Photosensitivity guard: at most N full-segment flashes a second (default 3, WCAG 2.3.1; fractional limits as a rate),
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

  test("other limits: 5 per second allows five at once; 2.5 per second allows two at once, not three", () => {
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

  /** Offers one flash every 10 ms for 20 s, each at its own time on the guard's clock; returns those admitted. */
  const greedy = (limit: number) => {
    const g = new FlashGuard(true, limit);
    const admitted: number[] = [];
    for (let t = 0; t < 20_000; t += 10) if (g.admit([t], t)) admitted.push(t);
    return admitted;
  };
  /** The most flashes in any window [t, t + ms) (windows starting at a flash hold the most). */
  const mostIn = (times: number[], ms: number) => Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + ms).length));

  test("fractional limits hold as a rate: 2.5 per second is 5 in any 2 s, 50 in 20 s, never 3 within 0.8 s", () => {
    const got = greedy(2.5);
    expect(got.length).toBe(50);
    expect(mostIn(got, 2000)).toBe(5);
    expect(mostIn(got, 800)).toBe(2);
    // 3 = ceil(2.5): a strobe at 2.5 Hz has three "on"s in 0.8 s (0, 400, 800), and that is allowed.
    expect(mostIn(got, 1000)).toBe(3);
    // After the burst at the start, flashes come at exactly the rate.
    expect(got.slice(0, 6)).toEqual([0, 10, 800, 1200, 1600, 2000]);
  });

  test("0.5 and 3 per second, offered as fast as possible: 10 and 60 flashes in 20 s, each window at its limit", () => {
    const half = greedy(0.5);
    expect(half.length).toBe(10);
    expect(mostIn(half, 2000)).toBe(1);
    const three = greedy(3);
    expect(three.length).toBe(60);
    expect(mostIn(three, 1000)).toBe(3);
  });

  test("a strobe's flashes at exactly the limit's rate are admitted, for 0.5, 2.5 and 3 per second", () => {
    for (const limit of [0.5, 2.5, 3]) {
      const g = new FlashGuard(true, limit);
      expect(g.capHz(30)).toBe(limit);
      // 300 s at the capped rate, booked in one request (as the scene books a strobe).
      const times = Array.from({ length: 300 * limit }, (_, k) => (k * 1000) / limit);
      expect({ limit, admitted: g.admit(times, 0) }).toEqual({ limit, admitted: true });
      // Booked: one more flash between two of them does not fit.
      expect({ limit, extra: g.admit([500 / limit], 0) }).toEqual({ limit, extra: false });
    }
  });

  test("a limit finer than tenths is rounded down for the cap and the booking alike", () => {
    const g = new FlashGuard(true, 2.57);
    expect(g.capHz(10)).toBe(2.5);
    expect(g.admit([0, 400, 800, 1200, 1600], 0)).toBe(true);
    expect(g.admit([1900], 1900)).toBe(false);
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

  /** Rising edges of LED 0 (sampled every millisecond) between from and to. */
  const onsets = (sc: Scene, from: number, to: number) => {
    const at: number[] = [];
    let prev = 0;
    for (let t = from; t < to; t++) {
      const v = sceneAt(sc, t)[0];
      if (v > 0.5 && prev <= 0.5) at.push(t);
      prev = v;
    }
    return at;
  };

  test("a 2.5 per second limit admits a strobe capped to 2.5 Hz, and books its flashes at that rate", () => {
    const sc = scene({ maxFlashesPerSecond: 2.5 });
    // Asked at 10 Hz: capped to the limit itself, not refused.
    expect(sc.trigger(fx({ effect: "strobe", hz: 10, durationMs: 4000 }), 0).ok).toBe(true);
    expect(sc.segments[0].active(0)[0].params.hz).toBe(2.5);
    expect(onsets(sc, 0, 4000)).toEqual([0, 400, 800, 1200, 1600, 2000, 2400, 2800, 3200, 3600]);
    // Every flash of it is booked: nothing fits between them, and the next comes at the rate.
    expect(sc.trigger(fx({ effect: "flash" }), 3900).ok).toBe(false);
    expect(sc.trigger(fx({ effect: "flash" }), 4000).ok).toBe(true);
    expect(sc.guard.blocked).toBe(1);
  });

  test("at 2.5 per second, a strobe at 2.5 Hz or faster of the default second is admitted, not refused outright", () => {
    for (const hz of [2.5, 3, 10, 30]) {
      const sc = scene({ maxFlashesPerSecond: 2.5 });
      expect({ hz, ok: sc.trigger(fx({ effect: "strobe", hz }), 0).ok }).toEqual({ hz, ok: true });
    }
  });

  test("0.5 per second: a strobe is capped to one flash every 2 s, and a flash between its flashes is refused", () => {
    const sc = scene({ maxFlashesPerSecond: 0.5 });
    expect(sc.trigger(fx({ effect: "strobe", hz: 4, durationMs: 4000 }), 0).ok).toBe(true);
    expect(sc.segments[0].active(0)[0].params.hz).toBe(0.5);
    expect(onsets(sc, 0, 4000)).toEqual([0, 2000]);
    expect(sc.trigger(fx({ effect: "flash" }), 3000).ok).toBe(false);
    expect(sc.trigger(fx({ effect: "flash" }), 4000).ok).toBe(true);
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
