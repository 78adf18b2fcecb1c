// ws281x: rpi_ws281x as ledbox builds it (scripts/build-ws281x.ts: the bundled C sources with a
// current board table), called through bun:ffi. Off a Pi the real build must stop at its own
// board check ("Hardware revision is not supported") and the driver must say so. A second build
// links two seams (ws281x-seams.c): /proc read from a fake root, so the library's own
// rpi_hw_detect meets the revision codes a test writes, on its 32-bit path (/proc/cpuinfo) and
// its 64-bit one (the device tree); and a mailbox that fails — the first hardware step after
// ws2811_init has checked the board and the pins — so the pin check is reached and no test
// touches hardware. The Pi 5 refusal reads a fake device tree.
import { dlopen, FFIType, ptr, read } from "bun:ffi";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWs281x, REVISIONS, WS281X_SOURCES } from "../../scripts/build-ws281x.ts";
import { SettingsSchema, type Ws281xOutput } from "../../src/config/schema.ts";
import { checkOutputs } from "../../src/outputs/index.ts";
import { decodeRevision } from "../../src/outputs/rpi.ts";
import { checkWs281x, Ws281xDriver, ws281xStruct } from "../../src/outputs/ws281x.ts";
import { WS281X_HELPER_LIBRARY, WS281X_HELPER_SOCKET, WS281X_HELPER_UNIT, ws281xViaHelper } from "../../src/outputs/ws281x-helper.ts";
import { until } from "../helpers/box.ts";
import { requires } from "../helpers/requires.ts";
import { ctxFor } from "./util.ts";

const tools = requires("ws281x tests", ["cc", join(WS281X_SOURCES, "ws2811.c")], "apt-get install -y gcc; npm ci installs rpi-ws281x-native's sources");
const dir = mkdtempSync(join(tmpdir(), "ledbox-ws281x-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg = (o: Partial<Ws281xOutput> = {}) => SettingsSchema.parse({ outputs: [{ driver: "ws281x", ...o }] }).outputs[0] as Ws281xOutput;
const PINS = [12, 13, 18, 19, 21] as const;

/** A device tree with this revision code (a big-endian cell, as the firmware writes it) and model. */
function fakeDeviceTree(code: number, model: string): string {
  const dt = mkdtempSync(join(dir, "dt-"));
  mkdirSync(join(dt, "system"));
  const cell = Buffer.alloc(4);
  cell.writeUInt32BE(code);
  writeFileSync(join(dt, "system/linux,revision"), cell);
  writeFileSync(join(dt, "model"), `${model}\0`);
  return dt;
}

test("a missing library is refused before applying, naming the path and how to build it", () => {
  expect(checkWs281x(cfg({ library: "/nonexistent/libws2811.so" }), join(dir, "no-device-tree"))).toBe(
    '/nonexistent/libws2811.so not found (build it with npm run build:ws281x, see README "ws281x"); the spi driver needs no root and works on every Pi',
  );
  // Said so explicitly: null is ledbox driving the strip itself.
  expect(checkWs281x(cfg({ library: "/nonexistent/libws2811.so" }), join(dir, "no-device-tree"), null)).toStartWith("/nonexistent/libws2811.so not found (build it with npm run build:ws281x");
});

describe("through the root helper (the appliance: ledbox unprivileged)", () => {
  const noDt = join(dir, "no-device-tree");
  test("the library in ledbox's tree is not required: the helper's is, and it is there", () => {
    const helperLib = join(dir, "helper-libws2811.so");
    writeFileSync(helperLib, "");
    expect(checkWs281x(cfg(), noDt, helperLib)).toBeNull();
    expect(checkWs281x(cfg({ library: "/nonexistent/libws2811.so" }), noDt, helperLib)).toBeNull();
  });

  test("the helper's library missing: refused, with the appliance's command to build it", () => {
    expect(checkWs281x(cfg(), noDt, "/nonexistent/usr/local/lib/libws2811.so")).toBe(
      '/nonexistent/usr/local/lib/libws2811.so not found: the ws281x root helper loads it (build it with sudo ledbox build-ws281x, see README "ws281x"); the spi driver needs no root and works on every Pi',
    );
  });

  test("a Pi 5 is still refused, before the library", () => {
    const helperLib = join(dir, "helper-libws2811.so");
    writeFileSync(helperLib, "");
    expect(checkWs281x(cfg(), fakeDeviceTree(0xd04170, "Raspberry Pi 5 Model B Rev 1.0"), helperLib)).toStartWith(
      "this is a Raspberry Pi 5 Model B Rev 1.0: rpi_ws281x does not support the Pi 5",
    );
  });

  test("the helper drives the strip when ledbox is not root and the helper runs (its socket) or is installed (its unit)", () => {
    const only = (...paths: string[]) => (p: string) => paths.includes(p);
    expect(ws281xViaHelper(1000, only(WS281X_HELPER_SOCKET))).toBe(true);
    expect(ws281xViaHelper(1000, only(WS281X_HELPER_UNIT))).toBe(true);
    expect(ws281xViaHelper(1000, only())).toBe(false); // a clone run by its user
    expect(ws281xViaHelper(0, only(WS281X_HELPER_SOCKET, WS281X_HELPER_UNIT))).toBe(false); // root drives it itself
    expect(WS281X_HELPER_LIBRARY).toBe("/usr/local/lib/libws2811.so"); // where ledbox-ws281x.service looks
    expect(readFileSync(join(import.meta.dir, "../../systemd/ledbox-ws281x.service"), "utf8")).toContain(`--library ${WS281X_HELPER_LIBRARY}`);
  });
});

test("a driver opened from stored settings (never checked) with no library: health has the check's words, not dlopen's", async () => {
  const d = new Ws281xDriver(cfg({ library: "/nonexistent/libws2811.so" }), ctxFor(30));
  await d.open();
  const message = await until(() => d.health().message, "the driver's health");
  expect(d.health().ok).toBe(false);
  expect(message).toStartWith("/nonexistent/libws2811.so not found (build it with npm run build:ws281x");
  await d.close();
});

test("DMA defaults to 10, and 5 is refused", () => {
  expect(cfg().dma).toBe(10);
  const r = SettingsSchema.safeParse({ outputs: [{ driver: "ws281x", dma: 5 }] });
  expect(r.success).toBe(false);
});

test("a GPIO without PWM or PCM is refused at outputs.0.gpio, naming the pins per channel and the Pi 5", () => {
  const r = SettingsSchema.safeParse({ outputs: [{ driver: "ws281x", gpio: 10 }] });
  expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
    ["outputs.0.gpio", "12 or 18 (PWM0), 13 or 19 (PWM1) or 21 (PCM); rpi_ws281x does not support the Pi 5 (use the pio driver there)"],
  ]);
});

describe("the ws2811_t ledbox hands to ws2811_init", () => {
  // ws2811.h on 64-bit: ws2811_t 112 bytes, freq@24, dmanum@28, channel[0]@32, channel[1]@72;
  // a channel: gpionum@0, count@8, strip_type@12, brightness@24.
  const expectedStruct = (channel: number, gpio: number, dma: number, count: number, stripType: number) => {
    const b = new Uint8Array(112);
    const dv = new DataView(b.buffer);
    const at = channel === 0 ? 32 : 72;
    dv.setUint32(24, 800_000, true);
    dv.setInt32(28, dma, true);
    dv.setInt32(at, gpio, true);
    dv.setInt32(at + 8, count, true);
    dv.setInt32(at + 12, stripType, true);
    dv.setUint8(at + 24, 255);
    return b;
  };
  const CHANNEL = { 12: 0, 13: 1, 18: 0, 19: 1, 21: 0 } as const;

  for (const gpio of PINS) {
    test(`GPIO ${gpio}: channel ${CHANNEL[gpio]} carries the strip, the other channel is empty (GPIO 0, no LEDs)`, () => {
      const bytes = ws281xStruct(cfg({ gpio, dma: 11 }), ctxFor(30, "GRB"));
      expect([...bytes]).toEqual([...expectedStruct(CHANNEL[gpio], gpio, 11, 30, 0x00081000)]);
    });
  }

  test("an RGBW strip's order reaches strip_type (the library's W shift in the top byte)", () => {
    const bytes = ws281xStruct(cfg({ gpio: 19 }), ctxFor(8, "GRBW"));
    expect([...bytes]).toEqual([...expectedStruct(1, 19, 10, 8, 0x18081000)]);
  });
});

describe("the Pi 5 (from a fake device tree)", () => {
  const PI5_FAMILY = [
    [0xd04170, "Raspberry Pi 5 Model B Rev 1.0"],
    [0xe04171, "Raspberry Pi 5 Model B Rev 1.1"],
    [0xd04190, "Raspberry Pi 500 Rev 1.0"],
    [0xc04180, "Raspberry Pi Compute Module 5 Rev 1.0"],
  ] as const;

  for (const [code, model] of PI5_FAMILY) {
    test(`${model} (${code.toString(16)}): ws281x is refused, saying rpi_ws281x does not support it and to use pio`, () => {
      expect(checkWs281x(cfg({ library: "/nonexistent.so" }), fakeDeviceTree(code, model))).toBe(
        `this is a ${model}: rpi_ws281x does not support the Pi 5 (its PWM and PCM sit behind the RP1 chip); use the pio driver`,
      );
    });
  }

  test("a Pi 4, a Zero 2 W or no device tree at all get past it (to the library check)", () => {
    const library = "/nonexistent.so";
    const next = `${library} not found (build it with npm run build:ws281x, see README "ws281x"); the spi driver needs no root and works on every Pi`;
    expect(checkWs281x(cfg({ library }), fakeDeviceTree(0xd03115, "Raspberry Pi 4 Model B Rev 1.5"))).toBe(next);
    expect(checkWs281x(cfg({ library }), fakeDeviceTree(0x902120, "Raspberry Pi Zero 2 W Rev 1.0"))).toBe(next);
    expect(checkWs281x(cfg({ library }), join(dir, "no-device-tree"))).toBe(next);
  });

  test("the settings check refuses it as outputs.N (ws281x), before anything is applied", () => {
    const s = SettingsSchema.parse({ outputs: [{ driver: "virtual", length: 10 }, { driver: "ws281x", start: 10 }] });
    expect(checkOutputs(s, fakeDeviceTree(0xd04170, "Raspberry Pi 5 Model B Rev 1.0"))).toStartWith(
      "outputs.1 (ws281x): this is a Raspberry Pi 5 Model B Rev 1.0: rpi_ws281x does not support the Pi 5",
    );
  });
});

test("revision codes decode to their processor and model (old style, warranty bit, new style, not a code)", () => {
  expect(decodeRevision(0x000e)).toEqual({ processor: "BCM2835", model: "B 2.0" });
  expect(decodeRevision(0x100000e)).toEqual({ processor: "BCM2835", model: "B 2.0" });
  expect(decodeRevision(0x9000c1)).toEqual({ processor: "BCM2835", model: "Zero W 1.1 512MB" });
  expect(decodeRevision(0xa22042)).toEqual({ processor: "BCM2837", model: "2B 1.2 1GB" });
  expect(decodeRevision(0x902120)).toEqual({ processor: "BCM2837", model: "Zero 2 W 1.0 512MB" });
  expect(decodeRevision(0x2d03115)).toEqual({ processor: "BCM2711", model: "4B 1.5 8GB" });
  expect(decodeRevision(0xe04171)).toEqual({ processor: "BCM2712", model: "5 1.1 16GB" });
  expect(decodeRevision(0x0016)).toBeNull();
  expect(decodeRevision(0xa05082)).toBeNull(); // processor 5 does not exist
});

describe.skipIf(tools.skip)("through bun:ffi against the library as built", () => {
  test("the real build stops at the board check here (not a Pi); the driver says so and suggests spi", async () => {
    tools.assert();
    const lib = join(dir, "real/libws2811.so");
    buildWs281x(lib);
    expect(checkWs281x(cfg({ library: lib }), join(dir, "no-device-tree"))).toBeNull();
    const d = new Ws281xDriver(cfg({ library: lib }), ctxFor(30));
    await d.open();
    const h = d.health();
    expect(h.ok).toBe(false);
    expect(h.message).toStartWith("ws2811_init failed: Hardware revision is not supported");
    expect(h.message).toContain("the spi driver needs no root and works on every Pi; retrying in 0.5 s");
    d.write(new Uint8Array(90)); // never throws, never blocks
    await d.close();
  });

  const SEAMS = [join(import.meta.dir, "ws281x-seams.c"), "-Wl,--wrap=fopen,--wrap=mbox_open"];
  const builds = new Map<string, ReturnType<typeof build>>();
  /** A build with the seams (one per variant, shared by the tests); `extra` adds to its compile line. */
  const seamed = (variant: string, extra: string[] = [], rpihw?: string) => builds.get(variant) ?? builds.set(variant, build(variant, extra, rpihw)).get(variant)!;
  function build(variant: string, extra: string[], rpihw?: string) {
    tools.assert();
    const path = join(dir, variant, "libws2811.so");
    buildWs281x(path, [...SEAMS, ...extra], rpihw);
    const lib = dlopen(path, {
      ledbox_fake_root: { args: [FFIType.ptr], returns: FFIType.void },
      rpi_hw_detect: { args: [], returns: FFIType.ptr },
      ws2811_init: { args: [FFIType.ptr], returns: FFIType.i32 },
      ws2811_get_return_t_str: { args: [FFIType.i32], returns: FFIType.cstring },
    });
    const root = join(dir, variant, "root");
    mkdirSync(join(root, "proc/device-tree/system"), { recursive: true });
    lib.symbols.ledbox_fake_root(ptr(Buffer.from(`${root}\0`)));
    return {
      path,
      /** What the library's rpi_hw_detect makes of a board reporting `code`. */
      detect(code: number) {
        writeFileSync(join(root, "proc/cpuinfo"), `processor\t: 0\nHardware\t: BCM2835\nRevision\t: ${code.toString(16).padStart(4, "0")}\n`);
        const cell = Buffer.alloc(4);
        cell.writeUInt32BE(code);
        writeFileSync(join(root, "proc/device-tree/system/linux,revision"), cell);
        const hw = lib.symbols.rpi_hw_detect();
        return hw === null ? null : { type: read.u32(hw, 0), hwver: read.u32(hw, 4), periph: read.u32(hw, 8) };
      },
      init: (struct: Uint8Array) => String(lib.symbols.ws2811_get_return_t_str(lib.symbols.ws2811_init(ptr(struct)))),
    };
  }

  // rpihw.h: PI1 = 1, PI2 = 2 (BCM2836/7), PI4 = 3; each with its peripheral base.
  const PI1 = { type: 1, periph: 0x20000000 }, PI2 = { type: 2, periph: 0x3f000000 }, PI4 = { type: 3, periph: 0xfe000000 };
  /** The boards the bundled 2021 table did not know. */
  const MISSING_BEFORE: [string, number, typeof PI1][] = [
    ["Pi 4B rev 1.5 2GB", 0xb03115, PI4], ["Pi 4B rev 1.5 4GB", 0xc03115, PI4], ["Pi 4B rev 1.5 8GB", 0xd03115, PI4],
    ["Pi 4B rev 1.5 1GB", 0xa03115, PI4], ["Zero 2 W", 0x902120, PI2], ["3B+ rev 1.4", 0xa020d4, PI2],
    ["3A+ rev 1.1", 0x9020e1, PI2], ["Pi 400 rev 1.1", 0xc03131, PI4], ["CM4 8GB", 0xd03140, PI4], ["CM4 rev 1.1", 0xa03141, PI4],
    ["CM3 (Embest)", 0xa220a0, PI2], ["2B with BCM2837 (Sony)", 0xa02042, PI2], ["CM1 (new-style code)", 0x900061, PI1],
  ];
  /** The expected hardware from the processor field alone (old-style codes are all BCM2835). */
  const hwOf = (code: number) => (code & (1 << 23) ? [PI1, PI2, PI2, PI4][(code >> 12) & 0xf] : PI1);
  const PI5_CODES = REVISIONS.filter((c) => ((c >> 12) & 0xf) === 4);

  test("the bundled 2021 table does not know the boards of the issue on 64-bit Pi OS (what the new table fixes)", () => {
    const bundled = seamed("bundled64", ["-D__aarch64__"], readFileSync(join(WS281X_SOURCES, "rpihw.c"), "utf8"));
    for (const [board, code] of MISSING_BEFORE) expect({ board, hw: bundled.detect(code) }).toEqual({ board, hw: null });
    expect(bundled.detect(0xa02082)).toEqual({ hwver: 0xa02082, ...PI2 }); // a Pi 3B it knew
  });

  // The 32-bit path compares codes without the manufacturer and warranty bits (a Stadium-made
  // 3B finds the Sony one's entry); the 64-bit path compares them whole.
  const PATHS = [
    ["32-bit (/proc/cpuinfo)", "current32", [], ~((0x3 << 24) | (0xf << 16))],
    ["64-bit (device tree, exact match)", "current64", ["-D__aarch64__"], ~0],
  ] as const;
  for (const [path, variant, extra, keep] of PATHS) {
    test(`${path}: every listed board is detected as its processor's hardware, and no Pi 5`, () => {
      const lib = seamed(variant, [...extra]);
      const seen = (code: number) => {
        const hw = lib.detect(code);
        return { code: code.toString(16), hw: hw && { ...hw, hwver: (hw.hwver & keep) >>> 0 } };
      };
      const want = (code: number, hw: typeof PI1) => ({ code: code.toString(16), hw: { hwver: (code & keep) >>> 0, ...hw } });
      for (const [, code, hw] of MISSING_BEFORE) expect(seen(code)).toEqual(want(code, hw));
      for (const code of REVISIONS.filter((c) => !PI5_CODES.includes(c))) expect(seen(code)).toEqual(want(code, hwOf(code)));
      expect(PI5_CODES.length).toBe(18);
      for (const code of PI5_CODES) expect(seen(code)).toEqual({ code: code.toString(16), hw: null });
    });
  }

  test("on a Pi 4B rev 1.5, ws2811_init passes the pin check for every allowed pin; 13 and 19 on channel 0 do not", () => {
    const lib = seamed("current32");
    expect(lib.detect(0xd03115)).not.toBeNull();
    for (const gpio of PINS) {
      // The mailbox seam answers right after the pin check: reaching it is passing the check.
      expect({ gpio, rc: lib.init(ws281xStruct(cfg({ gpio }), ctxFor(30))) }).toEqual({ gpio, rc: "Failed to create mailbox device" });
    }
    for (const gpio of [13, 19]) {
      const onChannel0 = ws281xStruct(cfg({ gpio: 18 }), ctxFor(30));
      new DataView(onChannel0.buffer).setInt32(32, gpio, true);
      expect({ gpio, rc: lib.init(onChannel0) }).toEqual({ gpio, rc: "Selected GPIO not possible" });
    }
  });

  test("the driver on GPIO 19 reaches the same point (its struct passes the library's pin check)", async () => {
    const lib = seamed("current32");
    expect(lib.detect(0xc03115)).not.toBeNull();
    const d = new Ws281xDriver(cfg({ gpio: 19, library: lib.path }), ctxFor(30));
    await d.open();
    expect(d.health().message).toStartWith("ws2811_init failed: Failed to create mailbox device");
    await d.close();
  });
});
