// A serialport binding that works under Bun: the stock native binding's open() aborts the
// process there (uv_poll_init is unsupported). The line is set up with the kernel's termios2
// ioctls through bun:ffi; the fd is non-blocking: reads come from Bun's own event-loop stream
// over it (no thread-pool thread parked in read(), which would starve other file I/O), writes
// go straight to the kernel's tty buffer. Ports are listed by serialport's Linux binding,
// which works under Bun.
import { dlopen, FFIType, ptr, read } from "bun:ffi";
import { closeSync, constants, openSync, writeSync } from "node:fs";

const { symbols: c } = dlopen("libc.so.6", {
  ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
});
const errno = () => read.i32(c.__errno_location()!, 0);

// The rate is set as a plain number with TCSETS2 and BOTHER, not a B-code through
// cfsetospeed: glibc 2.42 made those take plain numbers, so B-codes would open 2 Mbaud at
// ~4 kbaud. struct termios2 (asm-generic/termbits.h): c_iflag, c_oflag, c_cflag, c_lflag (u32),
// c_line (u8), c_cc[19], c_ispeed, c_ospeed (u32): 44 bytes. x86_64 and aarch64 both use the
// generic ioctl encoding: TCGETS2 = _IOR('T', 0x2A, struct termios2), TCSETS2 = _IOW('T', 0x2B, …).
const TCGETS2 = 0x802c542a, TCSETS2 = 0x402c542b, TCFLSH = 0x540b, TCIOFLUSH = 2;
const TERMIOS2_BYTES = 44, C_IFLAG = 0, C_OFLAG = 4, C_CFLAG = 8, C_LFLAG = 12, C_CC = 17, C_ISPEED = 36, C_OSPEED = 40;
const VTIME = 5, VMIN = 6;
const CS8 = 0o60, CREAD = 0o200, CLOCAL = 0o4000, BOTHER = 0o10000, IBSHIFT = 16;
// FTDI adapters hold what the device sends for their latency timer, 16 ms by default: with a
// reply per frame that caps the bridge near 40 fps. ASYNC_LOW_LATENCY sets it to 1 ms (any user
// may set it). struct serial_struct is 72 bytes on 64-bit Linux, flags at byte 16.
const TIOCGSERIAL = 0x541e, TIOCSSERIAL = 0x541f, SERIAL_STRUCT_BYTES = 72, SS_FLAGS = 16, ASYNC_LOW_LATENCY = 1 << 13;

function ioctl(fd: number, request: number, arg: Uint8Array | number, what: string): void {
  if (c.ioctl(fd, request, typeof arg === "number" ? arg : ptr(arg)) < 0) throw new Error(`${what} failed (errno ${errno()})`);
}

/** Raw 8N1 at exactly `baud`: no echo, no line editing, no flow control, no hang-up on close. */
function makeRaw(fd: number, baud: number): void {
  if (!Number.isInteger(baud) || baud <= 0) throw new Error(`baud ${baud} is not a rate`);
  const t = new Uint8Array(TERMIOS2_BYTES);
  ioctl(fd, TCGETS2, t, "TCGETS2 (not a serial port?)");
  const dv = new DataView(t.buffer);
  dv.setUint32(C_IFLAG, 0, true);
  dv.setUint32(C_OFLAG, 0, true);
  dv.setUint32(C_LFLAG, 0, true);
  dv.setUint32(C_CFLAG, CS8 | CREAD | CLOCAL | BOTHER | (BOTHER << IBSHIFT), true);
  dv.setUint32(C_ISPEED, baud, true);
  dv.setUint32(C_OSPEED, baud, true);
  t[C_CC + VMIN] = 1;
  t[C_CC + VTIME] = 0;
  ioctl(fd, TCSETS2, t, "TCSETS2");
  ioctl(fd, TCFLSH, TCIOFLUSH, "TCFLSH"); // drop whatever was queued before we took the line
}

/** The line's output rate as the kernel holds it. */
export function lineBaud(fd: number): number {
  const t = new Uint8Array(TERMIOS2_BYTES);
  ioctl(fd, TCGETS2, t, "TCGETS2");
  return new DataView(t.buffer).getUint32(C_OSPEED, true);
}

/** Best effort: 0 when the driver took ASYNC_LOW_LATENCY, else its errno (a pty has no such setting: ENOTTY). */
function setLowLatency(fd: number): number {
  const ss = new Uint8Array(SERIAL_STRUCT_BYTES);
  if (c.ioctl(fd, TIOCGSERIAL, ptr(ss)) < 0) return errno();
  const dv = new DataView(ss.buffer);
  dv.setInt32(SS_FLAGS, dv.getInt32(SS_FLAGS, true) | ASYNC_LOW_LATENCY, true);
  return c.ioctl(fd, TIOCSSERIAL, ptr(ss)) < 0 ? errno() : 0;
}

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
