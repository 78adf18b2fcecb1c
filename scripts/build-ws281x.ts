// Builds rpi_ws281x (the C sources rpi-ws281x-native bundles) into build/libws2811.so for the
// ws281x output, with a board table that knows every current Raspberry Pi. The bundled copy
// (2021) lacks the Pi 4 rev 1.5, Zero 2 W, 3B+ a020d4, 3A+ 1.1, Pi 400 1.1 and newer CM4s, and
// its ws2811_init fails on them with "Hardware revision is not supported". Only rpihw.c's
// rpi_hw_info[] is replaced, in upstream's own format; the rest is compiled as bundled. Run by
// `npm ci` (prepare) and `npm run build:ws281x`; it downloads nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { decodeRevision, type Processor } from "../src/outputs/rpi.ts";
import { WS281X_DEFAULT_LIBRARY } from "../src/outputs/ws281x.ts";

const ROOT = join(import.meta.dir, "..");
export const WS281X_SOURCES = join(ROOT, "node_modules/rpi-ws281x-native/src/rpi_ws281x");
const C_FILES = ["ws2811.c", "pwm.c", "pcm.c", "dma.c", "mailbox.c"];

/**
 * Every revision code in the official list, and those upstream rpi_ws281x added from boards in
 * the wild (a03112, a03115, c03131, a02083, 9200c1, CM4 1.1). The Pi 5 family (BCM2712) is
 * listed but left out of the table: rpi_ws281x cannot drive it, and must not mistake it for a Pi 4.
 */
export const REVISIONS = [
  0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0008, 0x0009, 0x000d, 0x000e, 0x000f, 0x0010, 0x0011, 0x0012, 0x0013,
  0x0014, 0x0015,
  0x900021, 0x900032, 0xa01040, 0xa01041, 0xa21041, 0xa02042, 0xa22042, 0x900061, 0xa02082, 0xa22082, 0xa32082, 0xa52082,
  0xa22083, 0x900092, 0x920092, 0x900093, 0x920093, 0xa020a0, 0xa220a0, 0x9000c1, 0xa020d3, 0xa020d4, 0x9020e0, 0x9020e1,
  0xa02100, 0xa03111, 0xb03111, 0xc03111, 0xb03112, 0xc03112, 0xb03114, 0xc03114, 0xd03114, 0xb03115, 0xc03115, 0xd03115,
  0x902120, 0xc03130, 0xa03140, 0xb03140, 0xc03140, 0xd03140,
  0xb04170, 0xc04170, 0xd04170, 0xa04171, 0xb04171, 0xc04171, 0xd04171, 0xe04171, 0xb04180, 0xc04180, 0xd04180, 0xe04180,
  0xd04190, 0xe04190, 0xb041a0, 0xc041a0, 0xd041a0, 0xe041a0,
  // upstream rpi_ws281x only
  0xa03112, 0xa03115, 0xc03131, 0xa03141, 0xb03141, 0xc03141, 0xd03141, 0x9200c1, 0xa02083,
];

/** rpihw.c's hardware type and register bases per processor (its own macros). */
const HW: Partial<Record<Processor, [type: string, periph: string, videocore: string]>> = {
  BCM2835: ["RPI_HWVER_TYPE_PI1", "PERIPH_BASE_RPI", "VIDEOCORE_BASE_RPI"],
  BCM2836: ["RPI_HWVER_TYPE_PI2", "PERIPH_BASE_RPI2", "VIDEOCORE_BASE_RPI2"],
  BCM2837: ["RPI_HWVER_TYPE_PI2", "PERIPH_BASE_RPI2", "VIDEOCORE_BASE_RPI2"],
  BCM2711: ["RPI_HWVER_TYPE_PI4", "PERIPH_BASE_RPI4", "VIDEOCORE_BASE_RPI2"],
};

/** The initialisers of rpi_hw_info[]: one per revision code of a processor rpi_ws281x drives. */
export function boardTable(codes: readonly number[] = REVISIONS): string {
  return codes
    .flatMap((code) => {
      const board = decodeRevision(code);
      if (!board) throw new Error(`0x${code.toString(16)} is not a revision code`);
      const hw = HW[board.processor];
      if (!hw) return [];
      const [type, periph, videocore] = hw;
      return [`    { .hwver = 0x${code.toString(16).padStart(4, "0")}, .type = ${type}, .periph_base = ${periph}, .videocore_base = ${videocore}, .desc = "${board.model}" },`];
    })
    .join("\n");
}

/** rpihw.c with its board table replaced. */
export function rpihwWithTable(source: string, table = boardTable()): string {
  const re = /(static const rpi_hw_t rpi_hw_info\[\] = \{\n)[\s\S]*?\n\};/;
  if (!re.test(source)) throw new Error("rpihw.c has no rpi_hw_info[] table where expected (the bundled rpi_ws281x changed?)");
  return source.replace(re, (_, head: string) => `${head}${table}\n};`);
}

/**
 * Compiles the library to `out`, its rpihw.c (with the new table) written beside it. `extra`
 * goes on the compiler's command line after the sources (the tests add their seams there).
 */
export function buildWs281x(out = WS281X_DEFAULT_LIBRARY, extra: string[] = [], rpihw = rpihwWithTable(readFileSync(join(WS281X_SOURCES, "rpihw.c"), "utf8"))): void {
  mkdirSync(dirname(out), { recursive: true });
  const generated = join(dirname(out), "rpihw.c");
  writeFileSync(generated, rpihw);
  const args = ["-shared", "-fPIC", "-O2", "-I", WS281X_SOURCES, "-o", out, ...C_FILES.map((f) => join(WS281X_SOURCES, f)), generated, ...extra];
  const r = spawnSync("cc", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cc ${args.join(" ")} failed:\n${r.stderr || r.error}`);
}

if (import.meta.main) {
  // Missing parts are not an error: the package is optional (it installs only on Linux) and a
  // machine without a C compiler simply has no ws281x output.
  if (!existsSync(join(WS281X_SOURCES, "rpihw.c"))) console.log("ws281x: rpi-ws281x-native is not installed; the ws281x output is unavailable");
  else if (!Bun.which("cc")) console.log("ws281x: no C compiler (apt-get install gcc); the ws281x output is unavailable");
  else {
    buildWs281x();
    console.log(`ws281x: built ${relative(ROOT, WS281X_DEFAULT_LIBRARY)} (${boardTable().split("\n").length} board revisions)`);
  }
}
