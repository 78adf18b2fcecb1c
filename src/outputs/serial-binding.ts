// A serialport binding that works under Bun: the stock native binding's open() aborts the
// process there (uv_poll_init is unsupported). The line is set up with the kernel's termios2
// ioctls through bun:ffi; the fd is non-blocking: reads come from Bun's own event-loop stream
// over it (no thread-pool thread parked in read(), which would starve other file I/O), writes
// go straight to the kernel's tty buffer. Ports are listed by serialport's Linux binding,
// which works under Bun.
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { discardOutput, makeRaw, setLowLatency } from "./libc.ts";

// serialport's BindingInterface, written out: its package's "exports" hide the types from tsc.
interface OpenOptions {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  lock?: boolean;
  stopBits?: 1 | 1.5 | 2;
  parity?: string;
  rtscts?: boolean;
  xon?: boolean;
  xoff?: boolean;
  xany?: boolean;
  hupcl?: boolean;
}
interface PortStatus {
  cts: boolean;
  dsr: boolean;
  dcd: boolean;
}

/** A device that takes no byte for this long has stopped reading (a tty drains at least a byte per ms at 9600 baud). */
const WRITE_STALL_MS = 2000;

class Canceled extends Error {
  readonly canceled = true;
}

export class FfiPort {
  isOpen = true;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pending: Uint8Array | null = null;

  /**
   * @param lowLatencyErrno 0 when the adapter answers without its latency timer's delay, else
   *   why it would not (errno of TIOCGSERIAL/TIOCSSERIAL)
   */
  constructor(readonly fd: number, readonly openOptions: Required<OpenOptions>, readonly lowLatencyErrno: number) {
    this.reader = Bun.file(fd).stream().getReader();
  }

  /** At least one byte, as serialport's bindings promise; a device that went away is an error. */
  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.pending) {
      const r = await this.reader.read().catch((err) => {
        throw this.isOpen ? err : new Canceled("port closed");
      });
      if (!this.isOpen) throw new Canceled("port closed");
      if (r.done) throw new Error("the device went away");
      this.pending = r.value;
    }
    const chunk = this.pending;
    const n = Math.min(length, chunk.length);
    buffer.set(chunk.subarray(0, n), offset);
    this.pending = n < chunk.length ? chunk.subarray(n) : null;
    return { buffer, bytesRead: n };
  }

  async write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    let progressAt = performance.now();
    while (done < bytes.length) {
      if (!this.isOpen) throw new Canceled("port closed");
      try {
        done += writeSync(this.fd, bytes, done, bytes.length - done);
        progressAt = performance.now();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        // The tty's buffer is full: it drains at the baud rate, unless the device stopped reading.
        if (performance.now() - progressAt > WRITE_STALL_MS) throw new Error(`${this.openOptions.path} took no data for ${WRITE_STALL_MS / 1000} s (the device stopped reading)`);
        await Bun.sleep(1);
      }
    }
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    await this.reader.cancel().catch(() => {});
    discardOutput(this.fd); // else close() can block the loop until a stalled device drains it
    try {
      closeSync(this.fd);
    } catch {}
  }

  async update(options: { baudRate: number }): Promise<void> {
    makeRaw(this.fd, options.baudRate);
    this.openOptions.baudRate = options.baudRate;
  }

  async set(): Promise<void> {}
  async get(): Promise<PortStatus> {
    return { cts: false, dsr: false, dcd: false };
  }
  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }
  async flush(): Promise<void> {}
  async drain(): Promise<void> {}
}

export const FfiBinding = {
  async list(): Promise<{ path: string }[]> {
    const { autoDetect } = await import("@serialport/bindings-cpp");
    return autoDetect().list();
  },
  async open(options: OpenOptions): Promise<FfiPort> {
    const fd = openSync(options.path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      makeRaw(fd, options.baudRate);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const full: Required<OpenOptions> = {
      dataBits: 8, lock: false, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: false, ...options,
    };
    return new FfiPort(fd, full, setLowLatency(fd));
  },
};
