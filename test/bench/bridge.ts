// The bridge firmware in simavr (firmware-bridge/test/harness.c) at its default 2 Mbaud, with the
// ATmega328P's real receive depth (two unread bytes: one more is lost), driven by ledbox's serial
// driver through the pty: frames per second at 60 / 150 / 300 RGB LEDs against the wire limit
// (transfer at 10 bits per byte + WS2812 show + 300 µs latch), and the bytes lost on the way.
// Targets: ≥ 95% of the wire limit; every byte received (none lost, none arriving during a show).
//
// A frame's time is taken in simulated cycles, from the first start bit of its message to the
// bridge's ack: transfer, receive and CRC, show and latch — the rate a host that answers at once
// gets. The host's own round trip (here the pty and Bun, on a board the USB adapter) comes on
// top; the rate through the pty is printed beside it.
//
//   npx bun test/bench/bridge.ts [--quick]
import { SettingsSchema, type SerialOutput } from "../../src/config/schema.ts";
import { lbFrameBytes } from "../../src/outputs/serial-encoders.ts";
import { SerialDriver } from "../../src/outputs/serial.ts";
import { ws2812WireLimitFps } from "../../src/outputs/ws2812.ts";
import { until } from "../helpers/box.ts";
import { avrTools, buildFirmware, startSim } from "../firmware/sim.ts";
import { ctxFor } from "../outputs/util.ts";
import { atLeast, header, info, median, options, report, type Row } from "./lib.ts";

const opts = options();
header("bridge: the firmware in simavr at 2 Mbaud, the chip's receive depth", opts);
const rows: Row[] = [];
const BAUD = 2_000_000;
const CYCLES_PER_S = 16e6;

if (avrTools.skip) {
  console.log("bridge in simavr: skipped (AVR toolchain or simavr missing)");
} else {
  buildFirmware();
  for (const n of [60, 150, 300]) {
    const sim = await startSim(120);
    const cfg = SettingsSchema.parse({ outputs: [{ driver: "serial", device: sim.pty, baud: BAUD }] }).outputs[0] as SerialOutput;
    const d = new SerialDriver(cfg, ctxFor(n));
    await d.open();
    await until(() => d.health().ok, "the handshake with the simulated bridge", 10_000);
    const firstBurst = sim.bursts.length, firstFrame = sim.frames.length; // (a query sent before the firmware ran is noise, as on a board)
    const want = opts.quick ? 20 : 100;
    const f = new Uint8Array(n * 3);
    const deadline = performance.now() + 30_000;
    for (let k = 0; d.health().framesWritten < want; k++) { // faster than the bridge shows: newest wins
      if (performance.now() > deadline) throw new Error(`${d.health().framesWritten} of ${want} frames acknowledged in 30 s (${d.health().message})`);
      f.fill(k & 255);
      d.write(f);
      await Bun.sleep(1);
    }
    await until(() => sim.frames.length - firstFrame >= want, "the frames on the pin", 5000);
    await d.close();
    await sim.stop();

    const frames = sim.frames.slice(firstFrame, firstFrame + want);
    const bursts = sim.bursts.slice(firstBurst);
    const msg = lbFrameBytes(n * 3);
    const ackCycles = frames.map((x) => x.at - x.from + ((x.showNs + x.latchNs) * CYCLES_PER_S) / 1e9);
    const fps = CYCLES_PER_S / median(ackCycles);
    const limit = 1 / ((msg * 10) / BAUD + 1 / ws2812WireLimitFps(n * 3));
    const throughPty = ((frames.length - 1) * CYCLES_PER_S) / (frames.at(-1)!.at - frames[0].at);
    const sent = bursts.reduce((s, b) => s + b.bytes, 0);
    const lost = bursts.reduce((s, b) => s + b.lost + b.noise, 0);
    const inShow = frames.reduce((s, x) => s + x.rxInShow, 0);
    const cpb = median(bursts.filter((b) => b.bytes === msg).map((b) => b.cyclesPerByte));
    console.log(
      `${n} LEDs: ${fps.toFixed(1)} fps (${((100 * fps) / limit).toFixed(1)}% of the wire limit ${limit.toFixed(1)}) from ${frames.length} frames; ` +
        `${throughPty.toFixed(1)} fps through the pty; receive ${cpb.toFixed(1)} cycles per byte of the line's ${(CYCLES_PER_S * 10) / BAUD}; ` +
        `${sent} bytes, ${lost} lost, ${inShow} arrived during a show`,
    );
    rows.push(atLeast("bridge", `${n} RGB LEDs at 2 Mbaud, firmware-bound`, fps, "fps", 0.95 * limit, `wire limit ${limit.toFixed(1)} fps; a USB adapter adds its round trip (FTDI: latency timer 1 ms)`));
    rows.push(atLeast("bridge", `${n} LEDs: bytes received (none lost, none during a show)`, (100 * (sent - lost - inShow)) / sent, "%", 100, `${sent} bytes`));
    rows.push(info("bridge", `${n} LEDs through the pty with ledbox's driver`, throughPty, "fps", "the pty's and Bun's round trip per frame on top of the bridge's time"));
    rows.push(info("bridge", `${n} LEDs: receive cost per byte`, cpb, "cycles", "the line brings a byte every 80 cycles; waiting excluded"));
  }
}

report(rows, opts);
