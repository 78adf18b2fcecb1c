// The bridge firmware in simavr behind a pseudo-terminal (firmware-bridge/test/harness.c), for
// the firmware tests and the bridge benchmark (not a test file itself).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { requires } from "../helpers/requires.ts";

export const FIRMWARE_DIR = join(import.meta.dir, "../../firmware-bridge");
const BUILD = join(FIRMWARE_DIR, "build");

export const avrTools = requires(
  "firmware tests",
  ["avr-gcc", "make", "cc", "/usr/lib/avr/include/avr/io.h", "/usr/include/simavr/sim_avr.h", "/usr/include/libelf.h"],
  "apt-get install -y gcc-avr avr-libc simavr libsimavr-dev libelf-dev make gcc",
);

/** Builds the firmware, the harness and the host decoder test (make: only what changed). */
export function buildFirmware(): void {
  avrTools.assert();
  const r = spawnSync("make", ["-C", FIRMWARE_DIR, "build/bridge.elf", "build/harness", "build/host_decoder_test"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`firmware build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface SimFrame {
  n: number;
  bytes: Uint8Array;
  t0h: [number, number];
  t1h: [number, number];
  tlowMax: number;
  latchNs: number;
  lag: number;
  /** Simulated cycle of the frame's first edge (16 per µs). */
  at: number;
  /** ns from the first edge to the last. */
  showNs: number;
  /** Simulated cycle of the first start bit of the bytes that brought the frame. */
  from: number;
  /** Bytes that arrived during the show and the latch, when the firmware cannot read them. */
  rxInShow: number;
}

/** A burst of back-to-back bytes from the host, once the firmware has read them all. */
export interface SimBurst {
  bytes: number;
  /** Overruns: bytes that completed while two were unread. */
  lost: number;
  /** Bytes sent at a rate more than 2% off the AVR's (or before its receiver was on). */
  noise: number;
  from: number;
  /** Cycles the firmware spent on them (waiting for the line excluded), per byte read. */
  cyclesPerByte: number;
}

export interface Sim {
  pty: string;
  frames: SimFrame[];
  bursts: SimBurst[];
  /** The line rates as the harness saw them change: the host's (read from its end of the pty) and the AVR's. */
  lines: { host: number; avr: number }[];
  stop(): Promise<void>;
}

const FRAME = /^FRAME (\d+) (\d+) (\S+) t0h=(\d+)-(\d+) t1h=(\d+)-(\d+) tlow_max=(\d+) latch=(\d+) lag=(\d+) at=(\d+) show=(\d+) from=(\d+) rx_in_show=(\d+)$/;
const RX = /^RX bytes=(\d+) lost=(\d+) noise=(\d+) from=(\d+) busy=\d+ cpb=([\d.]+)$/;
const LINE = /^LINE host=(\d+) avr=(\d+)$/;

export async function startSim(simSeconds = 60): Promise<Sim> {
  const proc = Bun.spawn([join(BUILD, "harness"), join(BUILD, "bridge.elf"), String(simSeconds)], { stdout: "pipe", stderr: "inherit" });
  const frames: SimFrame[] = [];
  const bursts: SimBurst[] = [];
  const lines: Sim["lines"] = [];
  const { promise: ptyReady, resolve: resolvePty } = Promise.withResolvers<string>();
  void (async () => {
    let text = "";
    for await (const chunk of proc.stdout) {
      text += new TextDecoder().decode(chunk);
      let nl;
      while ((nl = text.indexOf("\n")) >= 0) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (line.startsWith("PTY ")) resolvePty(line.slice(4));
        const n = Number;
        let m = FRAME.exec(line);
        if (m) {
          frames.push({
            n: n(m[1]), bytes: m[3] === "-" ? new Uint8Array() : Uint8Array.from(Buffer.from(m[3], "hex")),
            t0h: [n(m[4]), n(m[5])], t1h: [n(m[6]), n(m[7])], tlowMax: n(m[8]), latchNs: n(m[9]), lag: n(m[10]), at: n(m[11]), showNs: n(m[12]),
            from: n(m[13]), rxInShow: n(m[14]),
          });
        }
        if ((m = RX.exec(line))) bursts.push({ bytes: n(m[1]), lost: n(m[2]), noise: n(m[3]), from: n(m[4]), cyclesPerByte: n(m[5]) });
        if ((m = LINE.exec(line))) lines.push({ host: n(m[1]), avr: n(m[2]) });
      }
    }
  })();
  const pty = await Promise.race([ptyReady, Bun.sleep(5000).then(() => { throw new Error("the harness did not print its pty"); })]);
  return {
    pty, frames, bursts, lines,
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}
