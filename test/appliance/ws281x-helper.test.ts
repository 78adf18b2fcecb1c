// The ws281x root helper and its client driver over a real unix socket, the helper in its own
// process. Against the real rpi_ws281x (compiled from rpi-ws281x-native's sources) there is no
// Pi here, so ws2811_init's own refusal must reach the client. Frames are checked against a
// stand-in library compiled against the real ws2811.h (so the struct layout is the library's):
// each ws2811_render appends the LEDs' 0xWWRRGGBB words to a file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SettingsSchema, type Ws281xOutput } from "../../src/config/schema.ts";
import { ACK, Ws281xHelperDriver } from "../../src/outputs/ws281x-helper.ts";
import { until } from "../helpers/box.ts";
import { collect } from "../helpers/process.ts";
import { requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const SRC = join(ROOT, "node_modules/rpi-ws281x-native/src/rpi_ws281x");
const tools = requires("ws281x helper", ["cc", join(SRC, "ws2811.h")], "apt-get install -y gcc; npm ci installs rpi-ws281x-native's sources");
const dir = mkdtempSync(join(tmpdir(), "ledbox-ws281x-helper-"));
const renders = join(dir, "renders.txt");

const STAND_IN = `
#include <stdio.h>
#include <stdlib.h>
#include "ws2811.h"
// rpi_ws281x's API as the helper calls it; render appends the used channel's words to a file.
// Like the library, the channel a pin belongs to must be the one used (PWM1's 13 and 19: channel 1).
static ws2811_channel_t *used(ws2811_t *ws) { return ws->channel[1].count ? &ws->channel[1] : &ws->channel[0]; }
ws2811_return_t ws2811_init(ws2811_t *ws) {
  ws2811_channel_t *ch = used(ws);
  int pwm1 = ch->gpionum == 13 || ch->gpionum == 19;
  if (ws->freq != 800000 || ch->count <= 0 || ch->brightness != 255 || pwm1 != (ch == &ws->channel[1])) return WS2811_ERROR_ILLEGAL_GPIO;
  ch->leds = calloc(ch->count, sizeof(ws2811_led_t));
  return WS2811_SUCCESS;
}
ws2811_return_t ws2811_render(ws2811_t *ws) {
  ws2811_channel_t *ch = used(ws);
  FILE *f = fopen(getenv("RENDERS"), "a");
  fprintf(f, "gpio=%d dma=%d type=%08x", ch->gpionum, ws->dmanum, ch->strip_type);
  for (int i = 0; i < ch->count; i++) fprintf(f, " %08x", ch->leds[i]);
  fprintf(f, "\\n");
  fclose(f);
  return WS2811_SUCCESS;
}
void ws2811_fini(ws2811_t *ws) { free(used(ws)->leds); used(ws)->leds = 0; }
const char *ws2811_get_return_t_str(const ws2811_return_t state) { return state ? "stand-in refused" : "ok"; }
`;

const cfg = (o: object = {}) => SettingsSchema.parse({ strip: { ledCount: 3 }, outputs: [{ driver: "ws281x", ...o }] }).outputs[0] as Ws281xOutput;
const ctx = { ledCount: 3, bytesPerLed: 3 as const, colorOrder: "GRB" as const };

async function helper(library: string, socket: string) {
  const proc = Bun.spawn([process.execPath, "src/tools/ws281x-helper.ts", "--socket", socket, "--library", library], {
    cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, RENDERS: renders },
  });
  const out = collect(proc.stdout);
  await until(() => out.text().includes("listening on") || proc.exitCode !== null, "the helper to listen", 15_000);
  return { proc, out };
}

/** A raw client: sends the hello, returns the helper's first line. */
async function hello(socket: string, line: string): Promise<string> {
  let text = "";
  let closed = false;
  await Bun.connect({ unix: socket, socket: { open: (s) => void s.write(line + "\n"), data: (_s, b) => void (text += b.toString()), close: () => void (closed = true) } });
  return until(() => (text.includes("\n") ? text.trim() : closed ? "(closed)" : null), "the helper's answer", 10_000);
}

const build = (out: string, files: string[], extra: string[] = []) => {
  const r = Bun.spawnSync(["cc", "-shared", "-fPIC", "-O2", `-I${SRC}`, "-o", out, ...files, ...extra]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
};

describe.skipIf(tools.skip)("the ws281x root helper", () => {
  const standIn = join(dir, "libstandin.so"), real = join(dir, "libws2811.so");
  let h: Awaited<ReturnType<typeof helper>>;
  const sock = join(dir, "ws281x.sock");
  beforeAll(async () => {
    tools.assert();
    writeFileSync(join(dir, "standin.c"), STAND_IN);
    build(standIn, [join(dir, "standin.c")]);
    build(real, ["ws2811.c", "pwm.c", "pcm.c", "dma.c", "rpihw.c", "mailbox.c"].map((f) => join(SRC, f)));
    h = await helper(standIn, sock);
  }, 120_000);
  afterAll(async () => {
    h?.proc.kill("SIGTERM");
    await h?.proc.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test("frames from the driver reach ws2811_render in the library's word order; closing leaves the strip black", async () => {
    const d = new Ws281xHelperDriver(cfg({ gpio: 13, dma: 11 }), ctx, sock);
    await d.open();
    await until(() => d.health().ok || null, "the driver connected");
    // Logical R G B: LED 0 red, LED 1 green, LED 2 (20, 10, 30); the library orders them for the GRB strip.
    d.write(new Uint8Array([255, 0, 0, 0, 255, 0, 20, 10, 30]));
    await until(() => existsSync(renders) && readFileSync(renders, "utf8").includes("\n"), "a render");
    await d.close();
    await until(() => readFileSync(renders, "utf8").trim().split("\n").at(-1)!.endsWith("00000000 00000000 00000000"), "the black frame");
    const lines = readFileSync(renders, "utf8").trim().split("\n");
    expect(lines[0]).toBe("gpio=13 dma=11 type=00081000 00ff0000 0000ff00 00140a1e");
    expect(d.health().framesWritten).toBeGreaterThanOrEqual(1);
  });

  test("one client at a time; the next is told the helper is busy, and one that follows a closing client is served", async () => {
    const a = new Ws281xHelperDriver(cfg(), ctx, sock);
    await a.open();
    await until(() => a.health().ok || null, "the first client");
    expect(await hello(sock, JSON.stringify({ ledCount: 3, colorOrder: "GRB", gpio: 18, dma: 10 }))).toBe("error busy: another ledbox is connected");
    // As when ledbox reopens its outputs: the new connection comes at once, before the old one is seen to close.
    const b = new Ws281xHelperDriver(cfg(), ctx, sock);
    await Promise.all([a.close(), b.open()]);
    await until(() => b.health().ok || null, "the next client served", 10_000);
    await b.close();
  });

  test("a hello is checked like the settings, and may not name a library", async () => {
    const ok = { ledCount: 3, colorOrder: "GRB", gpio: 18, dma: 10 };
    expect(await hello(sock, JSON.stringify({ ...ok, dma: 5 }))).toStartWith("error dma: DMA 5 corrupts the SD card");
    expect(await hello(sock, JSON.stringify({ ...ok, library: "/tmp/evil.so" }))).toStartWith("error");
    expect(await hello(sock, JSON.stringify({ ...ok, ledCount: 2701 }))).toStartWith("error ledCount");
    expect(await hello(sock, "not json")).toBe("error the hello is not JSON");
  });

  test("one ACK per frame: a raw client sees each frame taken", async () => {
    let acks = 0, text = "";
    const s = await Bun.connect({ unix: sock, socket: { data: (_s, b) => { for (const x of b) if (x === ACK) acks++; text += b.toString(); } } });
    s.write(JSON.stringify({ ledCount: 3, colorOrder: "GRB", gpio: 18, dma: 10 }) + "\n");
    await until(() => text.startsWith("ok\n") || null, "ok");
    // Two frames in one write, then one split in two writes.
    s.write(new Uint8Array(18).fill(1));
    await until(() => acks === 2 || null, "two ACKs");
    s.write(new Uint8Array(4).fill(2));
    s.write(new Uint8Array(5).fill(2));
    await until(() => acks === 3 || null, "the third ACK");
    s.end();
  });

  test("against the real rpi_ws281x (no Pi here) the library's own refusal reaches the driver", async () => {
    const sock2 = join(dir, "real.sock");
    const r = await helper(real, sock2);
    try {
      const d = new Ws281xHelperDriver(cfg(), ctx, sock2);
      await d.open();
      const message = await until(() => d.health().message, "the helper's answer");
      expect(d.health().ok).toBe(false);
      expect(message).toStartWith("the ws281x helper: ws2811_init failed: Hardware revision is not supported");
      await d.close();
    } finally {
      r.proc.kill("SIGTERM");
      await r.proc.exited;
    }
  });

  test("no helper running: the driver says how to start it", async () => {
    const d = new Ws281xHelperDriver(cfg(), ctx, join(dir, "absent.sock"), standIn);
    await d.open();
    const message = await until(() => d.health().message, "the driver's health");
    expect(message).toContain("cannot reach the ws281x helper");
    expect(message).toContain("sudo ledbox setup-pi enables ledbox-ws281x.service");
    await d.close();
  });

  test("no helper running because its library is not built (its unit's condition): the driver says to build it", async () => {
    const d = new Ws281xHelperDriver(cfg(), ctx, join(dir, "absent.sock"), join(dir, "unbuilt/libws2811.so"));
    await d.open();
    const message = await until(() => d.health().message, "the driver's health");
    expect(message).toContain("cannot reach the ws281x helper");
    expect(message).toContain(`it starts once ${join(dir, "unbuilt/libws2811.so")} exists: sudo ledbox build-ws281x`);
    await d.close();
  });

  test("a helper whose library is gone: its refusal reaches the driver's health in words, with the command to build it", async () => {
    const sock3 = join(dir, "nolib.sock"), missing = join(dir, "gone/libws2811.so");
    const r = await helper(missing, sock3);
    try {
      expect(r.out.text()).toContain(`warning: ${missing} not found`);
      const d = new Ws281xHelperDriver(cfg(), ctx, sock3);
      await d.open();
      const message = await until(() => d.health().message, "the helper's answer");
      expect(d.health().ok).toBe(false);
      expect(message).toStartWith(`the ws281x helper: ${missing} not found: the ws281x root helper loads it (build it with sudo ledbox build-ws281x`);
      await d.close();
    } finally {
      r.proc.kill("SIGTERM");
      await r.proc.exited;
    }
  });
});
