// Output drivers: encode cost per frame for every driver at 300 and 1000 LEDs (pure compute on
// the wire bytes the pipeline made, no I/O), the cost of one bun:ffi call (ws281x's per-frame
// overhead beyond packing) and serial throughput through a real pseudo-terminal against the
// 2 Mbaud limit (the firmware bridge has its own bench: bridge.ts). Targets: encoding ≤ 0.5 ms
// per frame at 1000 LEDs (3% of a 60 fps frame); the pty carries ≥ the 200 kB/s that 2 Mbaud can.
//
//   npx bun test/bench/outputs.ts [--quick]
import { dlopen, FFIType } from "bun:ffi";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildWs281x, WS281X_SOURCES } from "../../scripts/build-ws281x.ts";
import { DdpEncoder } from "../../src/outputs/ddp-encoder.ts";
import { wireChannels } from "../../src/outputs/order.ts";
import { encodePio } from "../../src/outputs/pio.ts";
import { FfiBinding } from "../../src/outputs/serial-binding.ts";
import { ADA_PAYLOAD_AT, adaHeader, adalightBytes, awaBytes, awaSeal, encodeLbFrame, lbFrameBytes } from "../../src/outputs/serial-encoders.ts";
import { encodeSpi, spiFrameBytes } from "../../src/outputs/spi-encoder.ts";
import { SPI_DEFAULT_HZ } from "../../src/config/schema.ts";
import { encodeWled, wledPackets } from "../../src/outputs/wled-encoder.ts";
import { packWs281x } from "../../src/outputs/ws281x.ts";
import { ptyPair } from "../outputs/pty.ts";
import { frameFor } from "../outputs/util.ts";
import { atLeast, atMost, header, info, median, options, report, tempDir, type Row } from "./lib.ts";

const opts = options();
header("outputs: encode cost, FFI call, serial over a pty", opts);
const rows: Row[] = [];
const ORDER = "GRB";

/** Median µs per call of fn over several rounds. */
function timeIt(fn: () => void, calls: number): number {
  for (let i = 0; i < Math.min(calls, 200); i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < (opts.quick ? 3 : 9); r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    rounds.push(((performance.now() - t0) * 1000) / calls);
  }
  return median(rounds);
}

function encoders(n: number): Record<string, () => void> {
  const frame = new Uint8Array(n * 3);
  const seed = frameFor(ORDER);
  for (let i = 0; i < frame.length; i++) frame[i] = seed[i % seed.length] ^ (i & 0x3f);
  const channels = wireChannels(ORDER);
  const spi = new Uint8Array(spiFrameBytes(frame.length, SPI_DEFAULT_HZ));
  const pio = new Uint8Array(n * 4);
  const ddp = new DdpEncoder(frame.length, 3);
  const wled = wledPackets(n, 3, 2);
  const ada = new Uint8Array(adalightBytes(n));
  adaHeader(ada, 0x64, n);
  const awa = new Uint8Array(awaBytes(n));
  adaHeader(awa, 0x77, n);
  const lb = new Uint8Array(lbFrameBytes(frame.length));
  const leds = new Uint32Array(n);
  let seq = 0;
  return {
    spi: () => encodeSpi(frame, spi, channels),
    pio: () => encodePio(frame, 3, pio),
    ddp: () => ddp.encode(frame),
    "wled-udp": () => encodeWled(wled, frame, 3),
    "serial adalight": () => ada.set(frame, ADA_PAYLOAD_AT),
    "serial awa": () => {
      awa.set(frame, ADA_PAYLOAD_AT);
      awaSeal(awa, n * 3);
    },
    "serial ledbox": () => encodeLbFrame(frame, channels, (seq = (seq + 1) & 255), lb),
    "ws281x pack": () => packWs281x(frame, leds, 3),
  };
}

console.log("encode cost per frame (µs):");
for (const n of [300, 1000]) {
  for (const [name, fn] of Object.entries(encoders(n))) {
    const us = timeIt(fn, opts.quick ? 200 : 2000);
    console.log(`  ${name.padEnd(16)} ${n} LEDs: ${us.toFixed(2)} µs`);
    rows.push(n === 1000 ? atMost("outputs", `encode ${name}, ${n} LEDs`, us, "µs", 500) : info("outputs", `encode ${name}, ${n} LEDs`, us, "µs"));
  }
}

// ws281x: one ws2811_render per frame through bun:ffi. No Pi here, so time a call into the same
// library of the same shape (pointer-sized argument, immediate return).
if (existsSync(join(WS281X_SOURCES, "ws2811.c")) && Bun.which("cc")) {
  const dir = tempDir("ledbox-bench-ws281x-");
  const lib = join(dir, "libws2811.so");
  buildWs281x(lib);
  const { symbols, close } = dlopen(lib, { ws2811_get_return_t_str: { args: [FFIType.i32], returns: FFIType.ptr } });
  const us = timeIt(() => void symbols.ws2811_get_return_t_str(-3), 100_000);
  close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`  one bun:ffi call into libws2811: ${(us * 1000).toFixed(0)} ns`);
  rows.push(info("outputs", "ws281x: one bun:ffi call into libws2811", us * 1000, "ns", "per frame: this + the pack above; a Node helper would add a pipe write, a context switch and a copy"));
}

// Serial: bytes through a real pty pair with the FFI binding, as fast as it takes them.
{
  const p = await ptyPair();
  const tx = await FfiBinding.open({ path: p.a, baudRate: 2000000 });
  const rx = await FfiBinding.open({ path: p.b, baudRate: 2000000 });
  const total = (opts.quick ? 1 : 4) * 1024 * 1024;
  const chunk = new Uint8Array(lbFrameBytes(450)).fill(0x55);
  let got = 0;
  const reading = (async () => {
    const b = Buffer.alloc(65536);
    while (got < total) got += (await rx.read(b, 0, b.length)).bytesRead;
  })();
  const t0 = performance.now();
  for (let sent = 0; sent < total; sent += chunk.length) await tx.write(chunk.subarray(0, Math.min(chunk.length, total - sent)));
  await reading;
  const kBs = total / 1024 / ((performance.now() - t0) / 1000);
  await tx.close();
  await rx.close();
  await p.stop();
  console.log(`serial over a pty: ${kBs.toFixed(0)} kB/s (2 Mbaud carries 195 kB/s)`);
  rows.push(atLeast("outputs", "serial binding through a pty", kBs, "kB/s", 195, "2 Mbaud = 200,000 bytes/s"));
}

report(rows, opts);
