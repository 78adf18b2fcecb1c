// systemd's notify protocol (sd_notify(3)) for the appliance's unit (Type=notify, WatchdogSec=):
// READY=1 once outputs are open and HTTP listens, WATCHDOG=1 while the render loop delivers
// frames, STOPPING=1 on the way out. The protocol is one AF_UNIX datagram to $NOTIFY_SOCKET;
// Bun has no unix datagram socket (Bun.udpSocket and node:dgram are IP only), so socket(2) and
// sendto(2) are called in libc through bun:ffi.
import { dlopen, FFIType, ptr } from "bun:ffi";

/** Generic Linux values, the same on x86_64 and aarch64. */
const AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0o2000000, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
/** struct sockaddr_un: sa_family_t (u16) then sun_path[108]. */
const SUN_PATH = 2, SUN_PATH_MAX = 108;

let libc: ReturnType<typeof openLibc> | null = null;
function openLibc() {
  return dlopen("libc.so.6", {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    sendto: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  }).symbols;
}

/**
 * The sockaddr_un for $NOTIFY_SOCKET, or null when it is unset or not a unix socket name.
 * A leading '@' names an abstract socket: its first byte is NUL and the address length counts
 * the name exactly (no terminating NUL); a path is NUL-terminated.
 */
export function notifyAddress(socket: string | undefined): Uint8Array | null {
  if (!socket || !(socket.startsWith("/") || socket.startsWith("@"))) return null;
  const name = new TextEncoder().encode(socket);
  const abstract = name[0] === 0x40;
  if (name.length + (abstract ? 0 : 1) > SUN_PATH_MAX) return null;
  const addr = new Uint8Array(SUN_PATH + name.length + (abstract ? 0 : 1));
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  addr.set(name, SUN_PATH);
  if (abstract) addr[SUN_PATH] = 0;
  return addr;
}

/** One datagram socket to the service manager, kept for the process's life. */
export class Notifier {
  private fd = -1;

  constructor(private readonly addr: Uint8Array) {}

  /** Sends newline-separated KEY=VALUE assignments; false when the manager did not take them. */
  send(state: string): boolean {
    libc ??= openLibc();
    if (this.fd < 0) this.fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (this.fd < 0) return false;
    const msg = new TextEncoder().encode(state);
    // MSG_DONTWAIT: a manager that is not reading must never stall the process it supervises.
    return Number(libc.sendto(this.fd, ptr(msg), msg.length, MSG_DONTWAIT | MSG_NOSIGNAL, ptr(this.addr), this.addr.length)) === msg.length;
  }

  close(): void {
    if (this.fd >= 0) libc?.close(this.fd);
    this.fd = -1;
  }
}

/** The watchdog interval systemd set for this process, in ms, or null when there is none for it. */
export function watchdogMs(env: Record<string, string | undefined>, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  // WATCHDOG_PID names the process the interval is meant for; a child that inherited it is not.
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return usec / 1000;
}

/**
 * When to send WATCHDOG=1: at half the interval (sd_notify(3)), and only if the render loop has
 * finished a frame since the previous one. A loop that stalls — its clock left stopped, a driver
 * call that never returns, the event loop blocked — stops the pings, and systemd restarts ledbox
 * one interval later. `beat` is an engine frame listener; it only counts, as it runs every frame.
 */
export class LoopWatchdog {
  private beats = 0;
  private seen = 0;
  private lastPing: number;

  constructor(readonly intervalMs: number, private readonly now: () => number) {
    this.lastPing = now();
  }

  readonly beat = (): void => {
    this.beats++;
  };

  /** True when a ping is due now (and counts it as sent). */
  due(): boolean {
    const t = this.now();
    if (t - this.lastPing < this.intervalMs / 2 || this.beats === this.seen) return false;
    this.seen = this.beats;
    this.lastPing = t;
    return true;
  }
}

/** The process's side of its unit: readiness, the loop-driven watchdog, stopping. */
export class Systemd {
  private timer: ReturnType<typeof setInterval> | null = null;
  readonly watchdog: LoopWatchdog | null;

  private constructor(private readonly notifier: Notifier, intervalMs: number | null, private readonly log: (msg: string) => void) {
    this.watchdog = intervalMs ? new LoopWatchdog(intervalMs, () => performance.now()) : null;
  }

  /** Null when not started by systemd with Type=notify (e.g. `npm start`). */
  static fromEnv(log: (msg: string) => void, env: Record<string, string | undefined> = process.env): Systemd | null {
    const addr = notifyAddress(env.NOTIFY_SOCKET);
    return addr ? new Systemd(new Notifier(addr), watchdogMs(env), log) : null;
  }

  /** Frame listener for the engine; does nothing without a watchdog. */
  readonly beat = (): void => this.watchdog?.beat();

  ready(status: string): void {
    if (!this.notifier.send(`READY=1\nSTATUS=${status}`)) this.log("[systemd] could not send READY=1 to $NOTIFY_SOCKET");
    const wd = this.watchdog;
    if (wd && !this.timer) {
      // Checked four times per interval, so a ping goes out soon after half of it has passed.
      this.timer = setInterval(() => {
        if (wd.due()) this.notifier.send("WATCHDOG=1");
      }, wd.intervalMs / 4);
    }
  }

  status(status: string): void {
    this.notifier.send(`STATUS=${status}`);
  }

  stopping(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.notifier.send("STOPPING=1\nSTATUS=blacking out and stopping");
  }
}
