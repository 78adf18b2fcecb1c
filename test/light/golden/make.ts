// Golden-frame fixture generator.
//
//   npx bun test/light/golden/make.ts        (from the repository root)
//
// Run it ONLY when a change to rendering is intended (an effect, the compositor, the pipeline),
// then review the diff of test/light/golden/*.json by eye before committing: every changed
// byte must be explained by the change you meant. golden.test.ts compares the engine's frame
// bytes against these files exactly; golden-formulas.test.ts recomputes every stored frame from
// the documented formulas, and the analytic tests in effects.test.ts, segment.test.ts,
// pipeline.test.ts and meter.test.ts check the same behaviour from first principles, so a
// regenerated fixture is never the only thing standing behind a rendering change.
//
// Each fixture holds its inputs (settings, timed actions, frame times) as well as its output,
// so the test replays exactly what was generated. Settings are the defaults unless a case says
// otherwise (GRB order, brightness 0.8, gamma 2.2, dithering on, power limit 850 mA).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { replay, type GoldenCase, type GoldenFile } from "./replay.ts";

const FPS = 60;
/** Frames at the given engine times, with the frame index the running clock would give them. */
const at = (...ts: number[]) => ts.map((t) => ({ t, frame: Math.round((t * FPS) / 1000) }));
const range = (from: number, to: number, step: number) => at(...Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, k) => from + k * step));
const OFF = { at: 0, base: { on: false, transitionMs: 0 } };

export const CASES: GoldenCase[] = [
  {
    name: "flash",
    about: "Orange flash, 400 ms with a 300 ms linear fade-out, on black; ends at 400 (exclusive).",
    settings: { strip: { ledCount: 8 } },
    actions: [OFF, { at: 0, trigger: { effect: "flash", colors: ["#ff8000"], durationMs: 400, fadeOutMs: 300 } }],
    frames: at(0, 50, 100, 150, 200, 250, 300, 350, 390, 399, 400, 500),
  },
  {
    name: "pulse",
    about: "Two-colour pulse at 2 Hz for 1 s (beats alternate red / green), 100 ms fade-out.",
    settings: { strip: { ledCount: 6 } },
    actions: [OFF, { at: 100, trigger: { effect: "pulse", colors: ["#ff0000", "#00ff40"], hz: 2, durationMs: 1000, fadeOutMs: 100 } }],
    frames: at(0, 100, 150, 225, 349, 350, 475, 600, 850, 1000, 1050, 1099, 1100),
  },
  {
    name: "sweep",
    about: "Sweep cyan→magenta, 30% wide, once over 600 ms on segment a; reversed at 2 Hz on b.",
    settings: {
      strip: { ledCount: 20 },
      segments: [{ name: "a", start: 0, length: 10 }, { name: "b", start: 10, length: 10 }],
    },
    actions: [
      OFF,
      { at: 0, trigger: { effect: "sweep", segment: "a", colors: ["#00ffff", "#ff00ff"], width: 0.3, durationMs: 600 } },
      { at: 0, trigger: { effect: "sweep", segment: "b", colors: ["#ffffff"], width: 0.2, hz: 2, reverse: true, durationMs: 1000 } },
    ],
    frames: range(0, 600, 75),
  },
  {
    name: "color_shift",
    about: "Red→green→blue→green→red loop at 1 Hz for 2 s, 200 ms fade-in, 300 ms fade-out.",
    settings: { strip: { ledCount: 4 } },
    actions: [OFF, { at: 0, trigger: { effect: "color_shift", colors: ["#ff0000", "#00ff00", "#0000ff"], hz: 1, durationMs: 2000, fadeInMs: 200, fadeOutMs: 300 } }],
    frames: range(0, 2000, 125),
  },
  {
    name: "breathing",
    about: "Blue breathing at 0.5 Hz for 4 s with the default 200 ms fades.",
    settings: { strip: { ledCount: 4 } },
    actions: [OFF, { at: 0, trigger: { effect: "breathing", colors: ["#0066ff"], hz: 0.5, durationMs: 4000 } }],
    frames: range(0, 4000, 250),
  },
  {
    name: "strobe",
    about: "White/red strobe at 3 Hz (the guard's default cap) for 1 s; a strobe asking 12 Hz is capped to 3 Hz but rejected (budget spent).",
    settings: { strip: { ledCount: 4 } },
    actions: [
      OFF,
      { at: 0, trigger: { effect: "strobe", colors: ["#ffffff", "#ff0000"], hz: 3, durationMs: 1000 } },
      { at: 10, trigger: { effect: "strobe", hz: 12, durationMs: 500 }, expect: "rejected" },
    ],
    frames: range(0, 1000, 83),
  },
  {
    name: "meter",
    about: "Meters forward / reverse / centre (with a background) on three segments, 150 ms smoothing, 2 s timeout.",
    settings: {
      strip: { ledCount: 30 },
      segments: [
        { name: "hp", start: 0, length: 10 },
        { name: "ammo", start: 10, length: 10 },
        { name: "mid", start: 20, length: 9 },
      ],
    },
    actions: [
      OFF,
      { at: 0, meter: { name: "health", spec: { segment: "hp", timeoutMs: 2000 }, value: 1 } },
      { at: 0, meter: { name: "ammo", spec: { segment: "ammo", direction: "reverse", gradient: ["#ffffff"], smoothingMs: 0 }, value: 0.45 } },
      { at: 0, meter: { name: "mid", spec: { segment: "mid", direction: "center", gradient: ["#00ff00"], background: "#100000", smoothingMs: 0 }, value: 0.5 } },
      { at: 500, meter: { name: "health", spec: { segment: "hp", timeoutMs: 2000 }, value: 0.35 } },
      { at: 500, meter: { name: "mid", spec: { segment: "mid", direction: "center", gradient: ["#00ff00"], background: "#100000", smoothingMs: 0 }, value: 0 } },
    ],
    frames: at(0, 75, 150, 450, 500, 650, 1000, 2500, 2650, 4000),
  },
  {
    name: "blend",
    about: "Base #204060 at level 1; flashes at intensity 0.6 in normal / add / max on three segments, and two equal-priority normal flashes stacked on a fourth.",
    // Five flashes start within 100 ms: the photosensitivity guard is off for this case.
    settings: {
      strip: { ledCount: 8 },
      safety: { flashGuard: false },
      segments: [
        { name: "n", start: 0, length: 2 },
        { name: "a", start: 2, length: 2 },
        { name: "m", start: 4, length: 2 },
        { name: "s", start: 6, length: 2 },
      ],
    },
    actions: [
      { at: 0, base: { colors: ["#204060"], level: 1, transitionMs: 0 } },
      { at: 0, trigger: { effect: "flash", segment: "n", colors: ["#ff8000"], intensity: 0.6, durationMs: 400, fadeOutMs: 200 } },
      { at: 0, trigger: { effect: "flash", segment: "a", colors: ["#ff8000"], intensity: 0.6, blend: "add", durationMs: 400, fadeOutMs: 200 } },
      { at: 0, trigger: { effect: "flash", segment: "m", colors: ["#ff8000"], intensity: 0.6, blend: "max", durationMs: 400, fadeOutMs: 200 } },
      { at: 0, trigger: { effect: "flash", segment: "s", colors: ["#ff0000"], durationMs: 400, fadeOutMs: 0 } },
      { at: 100, trigger: { effect: "flash", segment: "s", colors: ["#0000ff"], intensity: 0.5, durationMs: 200, fadeOutMs: 0 } },
    ],
    frames: at(0, 100, 200, 250, 300, 350, 400),
  },
  {
    name: "priority",
    about: "Low-priority breathing under a high-priority flash: the flash hides it, then it shows again; a pulse of the same low priority blends with it.",
    settings: { strip: { ledCount: 4 } },
    actions: [
      OFF,
      { at: 0, trigger: { effect: "breathing", colors: ["#00ff00"], priority: 10, hz: 1, durationMs: 2000, fadeInMs: 0, fadeOutMs: 0 } },
      { at: 200, trigger: { effect: "flash", colors: ["#ff0000"], priority: 90, durationMs: 300, fadeOutMs: 0 } },
      { at: 1000, trigger: { effect: "pulse", colors: ["#0000ff"], priority: 10, blend: "add", hz: 1, durationMs: 500, fadeOutMs: 0 } },
    ],
    frames: at(100, 200, 350, 499, 500, 750, 1000, 1250, 1500, 2000),
  },
  {
    name: "transition",
    about: "Base crossfade from the default orange to a blue gradient over 1 s, then switched off over 400 ms.",
    settings: { strip: { ledCount: 5 } },
    actions: [
      { at: 0, base: { effect: "gradient", colors: ["#0000ff", "#00ffff"], level: 0.5, transitionMs: 1000 } },
      { at: 2000, base: { on: false, transitionMs: 400 } },
    ],
    frames: at(0, 250, 500, 750, 1000, 2000, 2200, 2400),
  },
  {
    name: "rgbw_power",
    about: "RGBW (GRBW, white subtracted) rainbow base at full level and brightness 1, 60 LEDs on a 1 A budget: limited and dithered.",
    settings: {
      strip: { ledCount: 60, ledType: "rgbw", colorOrder: "GRBW" },
      light: { brightness: 1, power: { budgetMa: 1000 } },
    },
    actions: [
      { at: 0, base: { effect: "rainbow", colors: ["#ffffff"], level: 1, hz: 0.5, transitionMs: 0 } },
      { at: 0, trigger: { effect: "flash", colors: ["#ffffff"], intensity: 0.5, durationMs: 200, fadeOutMs: 0 } },
    ],
    frames: at(0, 16.666666666666668, 100, 250, 1000),
  },
];

export function fixture(c: GoldenCase): GoldenFile {
  return { generatedBy: "test/light/golden/make.ts — regenerate only for an intended rendering change, and review the diff", ...c, output: replay(c) };
}

/** One line per top-level field and per output frame, so a diff shows which frames changed. */
export function format(f: GoldenFile): string {
  const fields = Object.entries(f).map(([k, v]) =>
    k === "output"
      ? `  "output": [\n${(v as unknown[]).map((fr) => "    " + JSON.stringify(fr)).join(",\n")}\n  ]`
      : `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  return `{\n${fields.join(",\n")}\n}\n`;
}

if (import.meta.main) {
  for (const c of CASES) {
    const file = join(import.meta.dir, `${c.name}.json`);
    writeFileSync(file, format(fixture(c)));
    console.log("wrote", file);
  }
}
