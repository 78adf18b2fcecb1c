// A segment's layer stack: base → meters → effects of the top priority, blend modes, the
// bounded instance list, the base crossfade, and reversed / mirrored placement on the strip.
import { describe, expect, test } from "bun:test";
import { Scene } from "../../src/light/scene.ts";
import { envelope, SegmentStack, type Instance } from "../../src/light/segment.ts";
import { baseChange, baseSpec, darkScene, expectFloats, fx, led, meterSpec, plain, sceneAt, solid } from "./util.ts";

const RED = [1, 0, 0], BLUE = [0, 0, 1], GREY = [0.2, 0.2, 0.2];

/** A scene on n LEDs whose base is solid GREY at level 1 (or off). */
function greyScene(n = 4, maxEffects = 8) {
  const sc = new Scene(plain(n, { maxEffects }));
  sc.setBase(baseChange({ colors: ["#333333"], level: 1, transitionMs: 0 }), 0);
  return sc;
}

const flash = (o: Record<string, unknown>) => fx({ effect: "flash", fadeOutMs: 0, durationMs: 1000, ...o });

describe("blend modes", () => {
  test("normal: dst + (colour − dst) × coverage × envelope", () => {
    const sc = greyScene();
    sc.trigger(flash({ colors: ["#ff0000"], intensity: 0.5 }), 0);
    expectFloats(sceneAt(sc, 10), solid(4, [0.6, 0.1, 0.1]));
  });

  test("add: dst + colour × coverage × envelope (may exceed 1; the pipeline clips)", () => {
    const sc = greyScene();
    sc.trigger(flash({ colors: ["#ff0000"], intensity: 0.5, blend: "add" }), 0);
    expectFloats(sceneAt(sc, 10), solid(4, [0.7, 0.2, 0.2]));
    const over = greyScene();
    over.trigger(flash({ colors: ["#ffffff"], blend: "add" }), 0);
    expectFloats(sceneAt(over, 10), solid(4, [1.2, 1.2, 1.2]));
  });

  test("max: per channel, the larger of dst and colour × coverage × envelope", () => {
    const sc = greyScene();
    sc.trigger(flash({ colors: ["#ff0000"], intensity: 0.5, blend: "max" }), 0);
    expectFloats(sceneAt(sc, 10), solid(4, [0.5, 0.2, 0.2]));
    const dim = greyScene();
    dim.trigger(flash({ colors: ["#ffffff"], intensity: 0.1, blend: "max" }), 0);
    expectFloats(sceneAt(dim, 10), solid(4, GREY));
  });

  test("the envelope scales coverage in every mode (a fade-out blends back to what is beneath)", () => {
    for (const [blend, at] of [["normal", [0.6, 0.1, 0.1]], ["add", [0.7, 0.2, 0.2]], ["max", [0.5, 0.2, 0.2]]] as const) {
      const sc = greyScene();
      sc.trigger(flash({ colors: ["#ff0000"], durationMs: 1000, fadeOutMs: 1000, blend }), 0);
      expectFloats(sceneAt(sc, 500), solid(4, at));
      expectFloats(sceneAt(sc, 999.999), solid(4, GREY), 1e-4);
    }
  });

  test("zero coverage leaves what is beneath untouched in every mode", () => {
    for (const blend of ["normal", "add", "max"]) {
      const sc = greyScene(10);
      sc.trigger(fx({ effect: "sweep", colors: ["#ff0000"], width: 0.2, durationMs: 1000, blend }), 0);
      const s = sceneAt(sc, 0); // the band has not entered yet
      expectFloats(s, solid(10, GREY));
    }
  });
});

describe("priorities", () => {
  test("the highest priority active on a segment wins; lower ones are not drawn at all", () => {
    const sc = darkScene(plain(3));
    sc.trigger(flash({ colors: ["#ff0000"], priority: 60, durationMs: 300 }), 0);
    sc.trigger(flash({ colors: ["#0000ff"], priority: 40, durationMs: 1000, blend: "add" }), 0);
    expectFloats(sceneAt(sc, 100), solid(3, RED));
  });

  test("an instance ends by itself and what is beneath shows again: lower priority, then the base", () => {
    const sc = greyScene(3);
    sc.trigger(flash({ colors: ["#ff0000"], priority: 90, durationMs: 300 }), 0);
    sc.trigger(flash({ colors: ["#0000ff"], priority: 10, durationMs: 600 }), 0);
    expectFloats(sceneAt(sc, 299), solid(3, RED));
    expectFloats(sceneAt(sc, 300), solid(3, BLUE));
    expectFloats(sceneAt(sc, 599), solid(3, BLUE));
    expectFloats(sceneAt(sc, 600), solid(3, GREY));
    // Rendering does not consume anything: earlier times still render the same.
    expectFloats(sceneAt(sc, 100), solid(3, RED));
  });

  test("a higher-priority instance that has not started yet hides nothing", () => {
    const sc = darkScene(plain(2));
    sc.trigger(flash({ colors: ["#0000ff"], priority: 10 }), 0);
    sc.trigger(flash({ colors: ["#ff0000"], priority: 90 }), 500);
    expectFloats(sceneAt(sc, 499), solid(2, BLUE));
    expectFloats(sceneAt(sc, 500), solid(2, RED));
  });

  test("equal priorities blend by their modes, in start order", () => {
    const sc = darkScene(plain(2));
    sc.trigger(flash({ colors: ["#ff0000"] }), 0);
    sc.trigger(flash({ colors: ["#0000ff"], intensity: 0.5 }), 0);
    expectFloats(sceneAt(sc, 10), solid(2, [0.5, 0, 0.5]));
    // Reversed start order gives the other result: blue first, then red at 0.5 … and full red over it.
    const other = darkScene(plain(2));
    other.trigger(flash({ colors: ["#0000ff"], intensity: 0.5 }), 0);
    other.trigger(flash({ colors: ["#ff0000"] }), 0);
    expectFloats(sceneAt(other, 10), solid(2, RED));
    // add + max with the same priority stack on each other.
    const mix = darkScene(plain(2));
    mix.trigger(flash({ colors: ["#ff0000"], intensity: 0.4, blend: "add" }), 0);
    mix.trigger(flash({ colors: ["#ff00ff"], intensity: 0.3, blend: "add" }), 0);
    mix.trigger(flash({ colors: ["#00ff00"], intensity: 0.5, blend: "max" }), 0);
    expectFloats(sceneAt(mix, 10), solid(2, [0.7, 0.5, 0.3]));
  });

  test("priority 0 is a real priority (still drawn when alone)", () => {
    const sc = darkScene(plain(1));
    sc.trigger(flash({ colors: ["#ff0000"], priority: 0 }), 0);
    expectFloats(sceneAt(sc, 1), RED);
  });
});

describe("bounded instances per segment", () => {
  const names = (sc: Scene, t = 0) => sc.segments[0].active(t).map((i) => i.params.colors[0].join(","));

  test("when full, the oldest of the lowest priority is evicted first", () => {
    const sc = darkScene(plain(2, { maxEffects: 3 }));
    const c = (k: number) => `#0000${k.toString(16).padStart(2, "0")}`;
    sc.trigger(flash({ colors: [c(1)], priority: 60 }), 0);
    sc.trigger(flash({ colors: [c(2)], priority: 40 }), 0);
    sc.trigger(flash({ colors: [c(3)], priority: 40 }), 0);
    expect(sc.trigger(flash({ colors: [c(4)], priority: 50 }), 0)).toEqual({ ok: true, segments: ["main"], seq: expect.any(Number) });
    const blue = (k: number) => `0,0,${k / 255}`;
    expect(names(sc)).toEqual([blue(1), blue(3), blue(4)]);
    // Same priorities everywhere: plain oldest-first.
    expect(sc.trigger(flash({ colors: [c(5)], priority: 50 }), 0).ok).toBe(true);
    expect(names(sc)).toEqual([blue(1), blue(4), blue(5)]);
    expect(sc.dropped).toBe(0);
  });

  test("a newcomer below everything present is the one dropped, and the caller is told", () => {
    const sc = darkScene(plain(2, { maxEffects: 2 }));
    sc.trigger(flash({ colors: ["#ff0000"], priority: 60 }), 0);
    sc.trigger(flash({ colors: ["#00ff00"], priority: 50 }), 0);
    const r = sc.trigger(flash({ colors: ["#0000ff"], priority: 10 }), 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("full");
    expect(sc.dropped).toBe(1);
    expect(sc.segments[0].active(0).length).toBe(2);
  });

  test("the bound holds under a flood of triggers (capacity from settings)", () => {
    const sc = darkScene(plain(2, { maxEffects: 8 }));
    for (let k = 0; k < 200; k++) sc.trigger(fx({ effect: "pulse", priority: k % 7, durationMs: 5000 }), k);
    expect(sc.segments[0].active(300).length).toBe(8);
    // The survivors are the newest eight of the highest priority seen (6, triggered at k ≡ 6 mod 7).
    expect(sc.segments[0].active(300).map((i) => i.startMs)).toEqual([146, 153, 160, 167, 174, 181, 188, 195]);
    expect(sc.segments[0].active(300).every((i) => i.priority === 6)).toBe(true);
  });

  test("instances that have ended do not take room from new ones", () => {
    const sc = darkScene(plain(2, { maxEffects: 2 }));
    sc.trigger(flash({ priority: 90, durationMs: 300 }), 0);
    sc.trigger(flash({ priority: 90, durationMs: 300 }), 0);
    // Both ended long ago (nothing has pruned them yet, e.g. between frames): a low-priority
    // effect must still be admitted.
    const r = sc.trigger(fx({ effect: "pulse", priority: 10 }), 1000);
    expect(r.ok).toBe(true);
    expectFloats(sceneAt(sc, 1000), solid(2, RED));
  });

  test("prune drops ended instances and keeps start order", () => {
    const sc = darkScene(plain(1));
    sc.trigger(flash({ colors: ["#ff0000"], durationMs: 100 }), 0);
    sc.trigger(flash({ colors: ["#00ff00"], durationMs: 500 }), 0);
    sc.trigger(flash({ colors: ["#0000ff"], durationMs: 200 }), 50);
    sc.prune(150);
    expect(sc.segments[0].active(160).map((i) => i.params.colors[0])).toEqual([[0, 1, 0], [0, 0, 1]]);
    sc.prune(250);
    expect(sc.describe(250)[0].effects.map((e) => e.remainingMs)).toEqual([250]);
  });
});

describe("envelope", () => {
  const inst = (o: Partial<Instance>): Instance =>
    ({ seq: 1, startMs: 0, endMs: 1000, fadeInMs: 0, fadeOutMs: 0, intensity: 1, priority: 50, blend: "normal", ...o }) as Instance;

  test("intensity × linear fade-in × linear fade-out", () => {
    const i = inst({ fadeInMs: 200, fadeOutMs: 500, intensity: 0.8 });
    expect(envelope(i, 0)).toBe(0);
    expect(envelope(i, 100)).toBeCloseTo(0.4, 12);
    expect(envelope(i, 200)).toBeCloseTo(0.8, 12);
    expect(envelope(i, 500)).toBeCloseTo(0.8, 12);
    expect(envelope(i, 750)).toBeCloseTo(0.4, 12);
    expect(envelope(i, 1000)).toBe(0);
    expect(envelope(inst({}), 0)).toBe(1);
    expect(envelope(inst({ intensity: 0 }), 500)).toBe(0);
  });

  test("overlapping fades multiply", () => {
    const i = inst({ fadeInMs: 1000, fadeOutMs: 1000 });
    expect(envelope(i, 500)).toBeCloseTo(0.25, 12);
  });
});

describe("reversed and mirrored", () => {
  /** A forward meter at value v on the given segment, smoothing off, on black. */
  function meterOn(seg: { length: number; reversed?: boolean; mirrored?: boolean; start?: number }, v: number, ledCount = 12) {
    const sc = darkScene(plain(ledCount, { segments: [{ name: "s", start: seg.start ?? 0, length: seg.length, reversed: !!seg.reversed, mirrored: !!seg.mirrored }] }));
    sc.setMeter("m", meterSpec({ gradient: ["#ffffff"], smoothingMs: 0 }), v, 0);
    const s = sceneAt(sc, 0);
    return Array.from({ length: ledCount }, (_, i) => Math.round(s[i * 3] * 1000) / 1000);
  }

  test("plain: pixel i goes to LED start + i", () => {
    expect(meterOn({ length: 10, start: 1 }, 0.35)).toEqual([0, 1, 1, 1, 0.5, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("reversed: pixel i goes to LED start + length − 1 − i", () => {
    expect(meterOn({ length: 10, start: 1, reversed: true }, 0.35)).toEqual([0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1, 0]);
  });

  test("mirrored: half the pixels are rendered, shown from both ends towards the middle", () => {
    expect(meterOn({ length: 10, mirrored: true }, 0.5)).toEqual([1, 1, 0.5, 0, 0, 0, 0, 0.5, 1, 1, 0, 0]);
    // Odd length: the middle LED is the last rendered pixel.
    expect(meterOn({ length: 9, mirrored: true }, 1)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(meterOn({ length: 9, mirrored: true }, 0.8)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0]);
  });

  test("reversed and mirrored together look the same as mirrored (it is symmetric)", () => {
    for (const len of [7, 8]) {
      for (const v of [0.2, 0.55, 0.9]) {
        expect(meterOn({ length: len, mirrored: true, reversed: true }, v)).toEqual(meterOn({ length: len, mirrored: true }, v));
      }
    }
  });

  test("a sweep on a reversed segment enters from the segment's far end", () => {
    const sc = darkScene(plain(10, { segments: [{ name: "r", start: 0, length: 10, reversed: true }] }));
    sc.trigger(fx({ effect: "sweep", colors: ["#ffffff"], width: 0.2, durationMs: 1200 }), 0);
    const s = sceneAt(sc, 150); // band centre at pixel 0.5 → LED 9
    expect(led(s, 9)[0]).toBeCloseTo(1, 5);
    expect(led(s, 0)[0]).toBe(0);
  });

  test("LEDs outside every segment stay dark, and each segment renders only its own range", () => {
    const sc = new Scene(plain(10, { segments: [{ name: "a", start: 1, length: 3 }, { name: "b", start: 6, length: 2 }] }));
    sc.setBase(baseChange({ segment: "a", colors: ["#ff0000"], level: 1, transitionMs: 0 }), 0);
    sc.setBase(baseChange({ segment: "b", colors: ["#0000ff"], level: 1, transitionMs: 0 }), 0);
    const s = sceneAt(sc, 0);
    expectFloats(s, [...solid(1, [0, 0, 0]), ...solid(3, RED), ...solid(2, [0, 0, 0]), ...solid(2, BLUE), ...solid(2, [0, 0, 0])]);
  });
});

describe("layers", () => {
  test("meters draw over the base and under effects", () => {
    const sc = greyScene(4);
    sc.setMeter("hp", meterSpec({ gradient: ["#00ff00"], smoothingMs: 0 }), 0.5, 0);
    expectFloats(sceneAt(sc, 0), [...solid(2, [0, 1, 0]), ...solid(2, GREY)]);
    sc.trigger(flash({ colors: ["#ff0000"], intensity: 0.5 }), 0);
    expectFloats(sceneAt(sc, 1), [...solid(2, [0.5, 0.5, 0]), ...solid(2, [0.6, 0.1, 0.1])]);
  });

  test("a meter with a background covers the base everywhere", () => {
    const sc = greyScene(4);
    sc.setMeter("hp", meterSpec({ gradient: ["#00ff00"], background: "#000033", smoothingMs: 0 }), 0.25, 0);
    expectFloats(sceneAt(sc, 0), [0, 1, 0, ...solid(3, [0, 0, 0.2])]);
  });
});

describe("base layer transitions", () => {
  function sc2() {
    const sc = new Scene(plain(2));
    sc.setBase(baseChange({ colors: ["#ff0000"], level: 1, transitionMs: 0 }), 0);
    return sc;
  }

  test("a change crossfades linearly over transitionMs", () => {
    const sc = sc2();
    sc.setBase(baseChange({ colors: ["#0000ff"], transitionMs: 1000 }), 1000);
    for (const [t, u] of [[500, 0], [1000, 0], [1250, 0.25], [1500, 0.5], [1900, 0.9], [2000, 1], [5000, 1]]) {
      expectFloats(sceneAt(sc, t), solid(2, [1 - u, 0, u]));
    }
  });

  test("transitionMs 0 switches at once; the default is 500 ms", () => {
    const sc = sc2();
    sc.setBase(baseChange({ colors: ["#0000ff"], transitionMs: 0 }), 100);
    expectFloats(sceneAt(sc, 100), solid(2, BLUE));
    expect(baseChange({}).transitionMs).toBe(500);
    const d = sc2();
    d.setBase(baseChange({ colors: ["#0000ff"] }), 0);
    expectFloats(sceneAt(d, 250), solid(2, [0.5, 0, 0.5]));
    expectFloats(sceneAt(d, 500), solid(2, BLUE));
  });

  test("switching off fades to black, switching on fades back up", () => {
    const sc = sc2();
    sc.setBase(baseChange({ on: false, transitionMs: 400 }), 0);
    expectFloats(sceneAt(sc, 100), solid(2, [0.75, 0, 0]));
    expectFloats(sceneAt(sc, 400), solid(2, [0, 0, 0]));
    sc.setBase(baseChange({ on: true, transitionMs: 400 }), 1000);
    expectFloats(sceneAt(sc, 1200), solid(2, [0.5, 0, 0]));
    expect(sc.segments[0].base.colors).toEqual([[1, 0, 0]]);
  });

  test("only the fields given change", () => {
    const sc = sc2();
    sc.setBase(baseChange({ level: 0.5, transitionMs: 0 }), 0);
    expect(sc.segments[0].base).toEqual(baseSpec({ colors: ["#ff0000"], level: 0.5 }));
    expectFloats(sceneAt(sc, 0), solid(2, [0.5, 0, 0]));
  });

  test("a change during a transition starts from the previous target (documented approximation)", () => {
    const sc = sc2();
    sc.setBase(baseChange({ colors: ["#0000ff"], transitionMs: 1000 }), 0);
    sc.setBase(baseChange({ colors: ["#00ff00"], transitionMs: 1000 }), 500);
    expectFloats(sceneAt(sc, 500), solid(2, BLUE));
    expectFloats(sceneAt(sc, 1000), solid(2, [0, 0.5, 0.5]));
    expectFloats(sceneAt(sc, 1500), solid(2, [0, 1, 0]));
  });

  test("SegmentStack can be used on its own: capacity, name, half-size buffers when mirrored", () => {
    const st = new SegmentStack({ name: "x", start: 0, length: 7, reversed: false, mirrored: true }, baseSpec({ colors: ["#ffffff"], level: 1 }), 1);
    expect(st.name).toBe("x");
    expect(st.n).toBe(4);
    const strip = new Float32Array(21);
    st.render(0, strip);
    expectFloats(strip, solid(7, [1, 1, 1]));
  });
});
