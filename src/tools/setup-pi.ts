// `sudo ledbox setup-pi`: the boot configuration the LED outputs need, written only when the
// owner asks, with a backup of each file it changes and an undo (`--undo`).
//   - every model: SPI on (dtparam=spi=on) and spidev.bufsiz in cmdline.txt, so one SPI transfer
//     holds a whole strip (spidev's 4096-byte default is 333 RGB LEDs);
//   - Pi 3 and Zero 2 W: core_freq=250, Pi 4: core_freq=500 and core_freq_min=500 — else the
//     SPI clock follows the CPU's and the strip flashes; the Pi 5's SPI clock is fixed;
//   - Pi 5: the kernel's ws2812-pio overlay (/dev/leds0) sized for the `pio` output;
//   - a ws281x output on a PWM pin: analogue audio off (it shares the PWM hardware).
// config.txt gets one marked block, under the model's own [filter] so a card moved to another
// Pi does not apply it there; cmdline.txt is one line, so what it held before is noted in that
// block for the undo. Nothing takes effect before a reboot.
//
//   bun src/tools/setup-pi.ts [--undo] [--settings FILE|-] [--gpio N] [--boot DIR] [--model FILE]
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SettingsSchema, type Settings } from "../config/schema.ts";
import { outputContexts } from "../outputs/index.ts";
import { spiFrameBytes } from "../outputs/spi-encoder.ts";

export type Model = "pi3" | "pi02" | "pi4" | "pi5";

const BEGIN = "# ledbox: begin (added by `sudo ledbox setup-pi`; `sudo ledbox setup-pi --undo` takes it out)";
const END = "# ledbox: end";
const WAS = "# ledbox: cmdline.txt spidev.bufsiz was ";
/** Enough for 5,400 RGB LEDs on one SPI output; more only if the settings need it. */
const MIN_BUFSIZ = 65536;

/** The config.txt filter for a /proc/device-tree/model string, or null for a board ledbox does not know. */
export function modelOf(model: string): Model | null {
  const m = model.replace(/\0/g, "");
  if (/Raspberry Pi (5|500)\b|Compute Module 5/.test(m)) return "pi5";
  if (/Raspberry Pi (4|400)\b|Compute Module 4/.test(m)) return "pi4";
  if (/Raspberry Pi Zero 2/.test(m)) return "pi02";
  if (/Raspberry Pi 3\b|Compute Module 3/.test(m)) return "pi3";
  return null;
}

export interface Plan {
  model: Model | null;
  bufsiz: number;
  /** The ws2812-pio overlay's LED count and type (Pi 5 only). */
  pio: { leds: number; rgbw: boolean; gpio: number } | null;
  /** A ws281x output drives PWM (GPIO 12, 13, 18, 19), which the analogue audio also uses. */
  audioOff: boolean;
}

/** What the boot files should hold for these settings on this board. */
export function plan(model: Model | null, s: Settings, gpio = 18): Plan {
  const outs = outputContexts(s);
  const spiNeed = Math.max(0, ...outs.map(({ cfg, ctx }) => (cfg.driver === "spi" ? spiFrameBytes(ctx.ledCount * ctx.bytesPerLed, cfg.speedHz) : 0)));
  const pio = outs.find((o) => o.cfg.driver === "pio");
  return {
    model,
    bufsiz: Math.max(MIN_BUFSIZ, Math.ceil(spiNeed / 4096) * 4096),
    pio: model === "pi5" ? { leds: pio?.ctx.ledCount ?? s.strip.ledCount, rgbw: s.strip.ledType === "rgbw", gpio } : null,
    audioOff: s.outputs.some((o) => o.driver === "ws281x" && o.gpio !== 21),
  };
}

const CORE_FREQ: Partial<Record<Model, string[]>> = {
  pi3: ["core_freq=250"],
  pi02: ["core_freq=250"],
  pi4: ["core_freq=500", "core_freq_min=500"],
};

/** The marked block for config.txt; `was` is cmdline.txt's spidev.bufsiz before ledbox set it. */
export function configBlock(p: Plan, was: string): string[] {
  const own = [...(p.model ? CORE_FREQ[p.model] ?? [] : [])];
  if (p.pio) own.push(`dtoverlay=ws2812-pio,gpio=${p.pio.gpio},num_leds=${p.pio.leds}${p.pio.rgbw ? ",rgbw" : ""}`);
  const all = ["dtparam=spi=on", ...(p.audioOff ? ["dtparam=audio=off"] : [])];
  return [BEGIN, `${WAS}${was}`, "[all]", ...all, ...(own.length ? [`[${p.model}]`, ...own, "[all]"] : []), END];
}

/** config.txt without ledbox's block, and the cmdline value the block noted ("none" if none). */
export function withoutBlock(config: string): { text: string; was: string | null } {
  const lines = config.split("\n");
  const b = lines.indexOf(BEGIN), e = lines.indexOf(END, b);
  if (b < 0 || e < 0) return { text: config, was: null };
  const was = lines.slice(b, e).find((l) => l.startsWith(WAS))?.slice(WAS.length) ?? "none";
  return { text: [...lines.slice(0, b), ...lines.slice(e + 1)].join("\n"), was };
}

const BUFSIZ = /(^|\s)spidev\.bufsiz=(\S*)/;

/** cmdline.txt (one line) with spidev.bufsiz set to `value`, or taken out for null. */
export function setBufsiz(cmdline: string, value: string | null): string {
  const line = cmdline.replace(/\n+$/, "");
  const rest = line.replace(BUFSIZ, "").replace(/\s+/g, " ").trim();
  return `${value === null ? rest : `${rest} spidev.bufsiz=${value}`.trim()}\n`;
}

export interface Change {
  file: string;
  before: string;
  after: string;
}

/** The edits setting up (or, with undo, taking out) ledbox's boot configuration. */
export function edits(config: string, cmdline: string, p: Plan | "undo"): { config: string; cmdline: string } {
  const { text, was } = withoutBlock(config);
  if (p === "undo") return { config: text, cmdline: was === null ? cmdline : setBufsiz(cmdline, was === "none" ? null : was) };
  // A block already there noted the value from before ledbox; keep that, not ledbox's own.
  const before = was ?? BUFSIZ.exec(cmdline)?.[2] ?? "none";
  const block = configBlock(p, before).join("\n");
  return { config: `${text}${text.endsWith("\n") || !text ? "" : "\n"}${block}\n`, cmdline: setBufsiz(cmdline, String(p.bufsiz)) };
}

/** Writes each changed file, after keeping what it held as `<file>.ledbox-bak`. */
export function apply(changes: Change[]): Change[] {
  const changed = changes.filter((c) => c.before !== c.after);
  for (const c of changed) {
    writeFileSync(`${c.file}.ledbox-bak`, c.before);
    // Written beside it and renamed over it, so a power cut leaves the old file or the new one.
    writeFileSync(`${c.file}.ledbox-new`, c.after);
    renameSync(`${c.file}.ledbox-new`, c.file);
  }
  return changed;
}

function main(argv: string[]): number {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? undefined : argv[i + 1];
  };
  const boot = flag("boot") ?? "/boot/firmware";
  const config = join(boot, "config.txt"), cmdline = join(boot, "cmdline.txt");
  for (const f of [config, cmdline]) {
    if (!existsSync(f)) {
      console.error(`setup-pi: ${f} not found: this is not Raspberry Pi OS (Bookworm or later keeps the boot files in /boot/firmware)`);
      return 1;
    }
  }
  const current = { config: readFileSync(config, "utf8"), cmdline: readFileSync(cmdline, "utf8") };
  let next: { config: string; cmdline: string };
  if (argv.includes("--undo")) {
    next = edits(current.config, current.cmdline, "undo");
  } else {
    const modelFile = flag("model") ?? "/proc/device-tree/model";
    const modelText = existsSync(modelFile) ? readFileSync(modelFile, "utf8").replace(/\0/g, "") : "an unknown board";
    const model = modelOf(modelText);
    const settingsFile = flag("settings");
    const settings = SettingsSchema.parse(settingsFile ? JSON.parse(readFileSync(settingsFile === "-" ? 0 : settingsFile, "utf8")) : {});
    const gpio = Number(flag("gpio") ?? 18);
    if (!Number.isInteger(gpio) || gpio < 0 || gpio > 27) {
      console.error(`setup-pi: --gpio ${flag("gpio")} is not a GPIO from 0 to 27`);
      return 1;
    }
    const p = plan(model, settings, gpio);
    console.log(`setup-pi: ${modelText}${model ? ` ([${model}])` : ": SPI only, no core clock or PIO settings known for it"}`);
    if (p.pio) console.log(`setup-pi: ws2812-pio overlay on GPIO ${p.pio.gpio} for ${p.pio.leds} ${p.pio.rgbw ? "RGBW" : "RGB"} LEDs (/dev/leds0)`);
    next = edits(current.config, current.cmdline, p);
  }
  const changed = apply([
    { file: config, before: current.config, after: next.config },
    { file: cmdline, before: current.cmdline, after: next.cmdline },
  ]);
  if (!changed.length) {
    console.log("setup-pi: nothing to change");
    return 0;
  }
  for (const c of changed) console.log(`setup-pi: changed ${c.file} (what it held is in ${c.file}.ledbox-bak)`);
  console.log("setup-pi: reboot for it to take effect (sudo reboot)");
  return 0;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
