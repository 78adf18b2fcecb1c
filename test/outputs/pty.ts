// A real pseudo-terminal pair from socat (not a test file itself): bytes written to one end
// arrive at the other, through the kernel's tty layer, as they would from a USB serial chip.
import { constants, existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeRaw } from "../../src/outputs/libc.ts";
import { FfiBinding, FfiPort } from "../../src/outputs/serial-binding.ts";
import { requires } from "../helpers/requires.ts";
import { until } from "../helpers/box.ts";

export const socat = requires("serial tests", ["socat"], "apt-get install -y socat");

export interface PtyPair {
  a: string;
  b: string;
  stop(): Promise<void>;
}

export async function ptyPair(dir = mkdtempSync(join(tmpdir(), "ledbox-pty-")), owned = true): Promise<PtyPair> {
  socat.assert();
  const a = join(dir, "A"), b = join(dir, "B");
  const proc = Bun.spawn(["socat", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stderr: "ignore" });
  await until(() => existsSync(a) && existsSync(b), "socat's pty links", 5000);
  return {
    a, b,
    async stop() {
      proc.kill();
      await proc.exited;
      if (owned) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens one end at 2 Mbaud; a background loop gathers every byte that arrives until the port closes.
 * keepQueued sets the line without flushing what is queued: the simulated bridge boots the moment
 * its port is opened, and its boot announcement can arrive before the driver's flush (which
 * drops it) would run.
 */
/** The port at 2 Mbaud with nothing that arrived before dropped. */
function queuedPort(path: string): FfiPort {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  makeRaw(fd, 2000000, false);
  return new FfiPort(fd, { path, baudRate: 2000000, dataBits: 8, lock: false, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: false }, 0);
}

export async function collectBytes(path: string, opts: { keepQueued?: boolean } = {}): Promise<{ port: FfiPort; bytes: number[] }> {
  const port = opts.keepQueued
    ? queuedPort(path)
    : await FfiBinding.open({ path, baudRate: 2000000 });
  const bytes: number[] = [];
  void (async () => {
    const buf = Buffer.alloc(4096);
    try {
      for (;;) {
        const { bytesRead } = await port.read(buf, 0, buf.length);
        bytes.push(...buf.subarray(0, bytesRead));
      }
    } catch {}
  })();
  return { port, bytes };
}
