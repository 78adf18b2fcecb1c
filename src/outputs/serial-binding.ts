// A serialport binding that works under Bun: the stock native binding's open() aborts the
// process there (uv_poll_init is unsupported). The line is set up with termios through
// bun:ffi; bytes move through node:fs on the plain fd, in Bun's thread pool. Reads block for
// at most 100 ms (VTIME), so a closed port is noticed promptly. Ports are listed by
// serialport's own Linux binding, which works under Bun.
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { makeRaw } from "./libc.ts";

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

class Canceled extends Error {
  readonly canceled = true;
}

export class FfiPort {
  isOpen = true;

  constructor(private readonly fh: FileHandle, readonly openOptions: Required<OpenOptions>) {}

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      if (!this.isOpen) throw new Canceled("port closed");
      const { bytesRead } = await this.fh.read(buffer, offset, length, null).catch((err) => {
        if (!this.isOpen) throw new Canceled("port closed");
        throw err;
      });
      // 0 bytes: the 100 ms read timeout, or a USB device that went away (then reads keep
      // returning 0 and the owner's answer timeout notices).
      if (bytesRead > 0) return { buffer, bytesRead };
    }
  }

  async write(buffer: Buffer | Uint8Array): Promise<void> {
    if (!this.isOpen) throw new Canceled("port closed");
    let done = 0;
    while (done < buffer.length) done += (await this.fh.write(buffer, done, buffer.length - done, null)).bytesWritten;
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    await this.fh.close().catch(() => {});
  }

  async update(options: { baudRate: number }): Promise<void> {
    makeRaw(this.fh.fd, options.baudRate);
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
    const fh = await open(options.path, constants.O_RDWR | constants.O_NOCTTY);
    try {
      makeRaw(fh.fd, options.baudRate);
    } catch (err) {
      await fh.close();
      throw err;
    }
    const full: Required<OpenOptions> = {
      dataBits: 8, lock: false, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: false, ...options,
    };
    return new FfiPort(fh, full);
  },
};
