// The few libc calls Node's fs cannot make: ioctl for spidev (SPI setup) and for serial lines
// (termios2 line settings, low latency). They take the plain numeric fds node:fs hands out, so
// reads and writes stay in fs.
import { dlopen, FFIType, ptr, read } from "bun:ffi";

const { symbols: c } = dlopen("libc.so.6", {
  ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
});

const errno = () => read.i32(c.__errno_location()!, 0);

function ioctl(fd: number, request: number, arg: Uint8Array | Uint32Array | number, what: string): void {
  if (c.ioctl(fd, request, typeof arg === "number" ? arg : ptr(arg)) < 0) throw new Error(`${what} failed (errno ${errno()})`);
}

/** ioctl with a pointer to a small integer argument (spidev's _IOW calls). */
export function ioctlInt(fd: number, request: number, value: number, bytes: 1 | 4): void {
  ioctl(fd, request, bytes === 1 ? new Uint8Array([value]) : new Uint32Array([value]), `ioctl 0x${request.toString(16)}`);
}

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

/**
 * Raw 8N1 at exactly `baud`: no echo, no line editing, no flow control, no hang-up on close.
 * Unless `flush` is false, whatever was queued before we took the line is dropped.
 */
export function makeRaw(fd: number, baud: number, flush = true): void {
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
  if (flush) ioctl(fd, TCFLSH, TCIOFLUSH, "TCFLSH");
}

/** The line's output rate as the kernel holds it. */
export function lineBaud(fd: number): number {
  const t = new Uint8Array(TERMIOS2_BYTES);
  ioctl(fd, TCGETS2, t, "TCGETS2");
  return new DataView(t.buffer).getUint32(C_OSPEED, true);
}

/** Best effort: 0 when the driver took ASYNC_LOW_LATENCY, else its errno (a pty has no such setting: ENOTTY). */
export function setLowLatency(fd: number): number {
  const ss = new Uint8Array(SERIAL_STRUCT_BYTES);
  if (c.ioctl(fd, TIOCGSERIAL, ptr(ss)) < 0) return errno();
  const dv = new DataView(ss.buffer);
  dv.setInt32(SS_FLAGS, dv.getInt32(SS_FLAGS, true) | ASYNC_LOW_LATENCY, true);
  return c.ioctl(fd, TIOCSSERIAL, ptr(ss)) < 0 ? errno() : 0;
}
