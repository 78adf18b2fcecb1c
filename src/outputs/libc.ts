// The few libc calls Node's fs cannot make: ioctl (spidev) and termios (serial lines).
// Both take the plain numeric fds that node:fs hands out, so reads and writes stay in fs.
import { dlopen, FFIType, ptr, read } from "bun:ffi";

const { symbols: c } = dlopen("libc.so.6", {
  ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  tcgetattr: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  tcsetattr: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  cfmakeraw: { args: [FFIType.ptr], returns: FFIType.void },
  cfsetispeed: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  cfsetospeed: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  tcflush: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
});

const errno = () => read.i32(c.__errno_location()!, 0);

function check(rc: number, what: string): void {
  if (rc < 0) throw new Error(`${what} failed (errno ${errno()})`);
}

/** ioctl with a pointer to a small integer argument (spidev's _IOW calls). */
export function ioctlInt(fd: number, request: number, value: number, bytes: 1 | 4): void {
  const arg = bytes === 1 ? new Uint8Array([value]) : new Uint32Array([value]);
  check(c.ioctl(fd, request, ptr(arg)), `ioctl 0x${request.toString(16)}`);
}

// Linux termios (x86_64 and aarch64 share it): c_cflag at 8, c_cc at 17; struct is 60 bytes.
const C_CFLAG = 8, C_CC = 17, VTIME = 5, VMIN = 6;
const CLOCAL = 0o4000, CREAD = 0o200, CRTSCTS = 0o20000000000, HUPCL = 0o2000;
/** termios speed constants: the B-numbers for the rates a LED bridge uses. */
const SPEEDS: Record<number, number> = {
  9600: 0o15, 19200: 0o16, 38400: 0o17, 57600: 0o10001, 115200: 0o10002, 230400: 0o10003,
  460800: 0o10004, 500000: 0o10005, 576000: 0o10006, 921600: 0o10007, 1000000: 0o10010,
  1152000: 0o10011, 1500000: 0o10012, 2000000: 0o10013, 2500000: 0o10014, 3000000: 0o10015,
};
export const BAUD_RATES = Object.keys(SPEEDS).map(Number);

/** Raw 8N1 at `baud`, no flow control, no hang-up on close (the fd is read non-blocking). */
export function makeRaw(fd: number, baud: number): void {
  const speed = SPEEDS[baud];
  if (speed === undefined) throw new Error(`baud ${baud} is not supported (one of ${BAUD_RATES.join(", ")})`);
  const t = new Uint8Array(64);
  check(c.tcgetattr(fd, ptr(t)), "tcgetattr (not a serial port?)");
  c.cfmakeraw(ptr(t));
  const dv = new DataView(t.buffer);
  const cflag = (dv.getUint32(C_CFLAG, true) | CLOCAL | CREAD) & ~CRTSCTS & ~HUPCL;
  dv.setUint32(C_CFLAG, cflag, true);
  t[C_CC + VMIN] = 1;
  t[C_CC + VTIME] = 0;
  check(c.cfsetispeed(ptr(t), speed), "cfsetispeed");
  check(c.cfsetospeed(ptr(t), speed), "cfsetospeed");
  check(c.tcsetattr(fd, 0, ptr(t)), "tcsetattr");
  c.tcflush(fd, 2); // TCIOFLUSH: drop whatever was queued before we took the line
}

/** The speed the line is set to, read back (tests compare it with what was asked). */
export function lineBaud(fd: number): number {
  const t = new Uint8Array(64);
  check(c.tcgetattr(fd, ptr(t)), "tcgetattr");
  const cbaud = new DataView(t.buffer).getUint32(C_CFLAG, true) & 0o10017;
  const hit = Object.entries(SPEEDS).find(([, v]) => v === cbaud);
  return hit ? Number(hit[0]) : 0;
}
