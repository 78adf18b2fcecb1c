// ws281x: the C library rpi-ws281x-native bundles, compiled here and called through bun:ffi.
// There is no Pi here, so ws2811_init must come back with the library's own "hardware
// revision is not supported" — proof the call and the struct layout reach it — and the driver
// must turn that into a clear error that points to the spi driver.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SettingsSchema, type Ws281xOutput } from "../../src/config/schema.ts";
import { checkWs281x, Ws281xDriver } from "../../src/outputs/ws281x.ts";
import { requires } from "../helpers/requires.ts";
import { ctxFor } from "./util.ts";

const SRC = join(import.meta.dir, "../../node_modules/rpi-ws281x-native/src/rpi_ws281x");
const FILES = ["ws2811.c", "pwm.c", "pcm.c", "dma.c", "rpihw.c", "mailbox.c"];
const tools = requires("ws281x tests", ["cc", join(SRC, "ws2811.c")], "apt-get install -y gcc; npm ci installs rpi-ws281x-native's sources");
const dir = mkdtempSync(join(tmpdir(), "ledbox-ws281x-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg = (library: string) => SettingsSchema.parse({ outputs: [{ driver: "ws281x", library }] }).outputs[0] as Ws281xOutput;

test("a missing library is refused before applying, naming the path and suggesting spi", () => {
  expect(checkWs281x(cfg("/nonexistent/libws2811.so"))).toBe(
    '/nonexistent/libws2811.so not found (build it: see README, "ws281x"); the spi driver needs no root and works on every Pi',
  );
});

test("DMA defaults to 10, and 5 is refused", () => {
  expect(cfg("/x.so").dma).toBe(10);
  const r = SettingsSchema.safeParse({ outputs: [{ driver: "ws281x", dma: 5 }] });
  expect(r.success).toBe(false);
});

describe.skipIf(tools.skip)("through bun:ffi against the bundled C library", () => {
  test("ws2811_init is reached and reports the unsupported board; the driver says so and suggests spi", async () => {
    tools.assert();
    const lib = join(dir, "libws2811.so");
    const r = spawnSync("cc", ["-shared", "-fPIC", "-O2", "-o", lib, ...FILES.map((f) => join(SRC, f))], { encoding: "utf8" });
    expect(r.stderr).not.toContain("error");
    expect(r.status).toBe(0);
    expect(checkWs281x(cfg(lib))).toBeNull();
    const d = new Ws281xDriver(cfg(lib), ctxFor(30));
    await d.open();
    const h = d.health();
    expect(h.ok).toBe(false);
    expect(h.message).toStartWith("ws2811_init failed: Hardware revision is not supported");
    expect(h.message).toContain("the spi driver needs no root and works on every Pi; retrying in 0.5 s");
    d.write(new Uint8Array(90)); // never throws, never blocks
    await d.close();
  });
});
