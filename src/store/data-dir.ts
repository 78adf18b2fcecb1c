// The data directory: private to the user ledbox runs as (it holds RCON and MQTT passwords, the
// Steam key and integration tokens), and used by one ledbox at a time — two on the same
// database would each overwrite what the other stored. The lock is an exclusive flock(2) on
// <dir>/ledbox.lock held for the process's life: the kernel releases it however the process
// ends (kill -9 included), so a stale lock never keeps the device from starting.
import { dlopen, FFIType, read } from "bun:ffi";
import { chmodSync, closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

const { symbols: libc } = dlopen("libc.so.6", {
  flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
});
const LOCK_EX = 2, LOCK_NB = 4, EWOULDBLOCK = 11;

export const LOCK_FILE = "ledbox.lock";

export interface DataDir {
  /** Lets another ledbox use the directory (the lock goes with the process anyway). */
  release(): void;
}

/**
 * Creates the directory (0700) or makes an existing one private, and takes its lock; throws
 * the reason when another process holds it.
 */
export function claimDataDir(dir: string, log: (msg: string) => void): DataDir {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if (mode & 0o077) {
    try {
      chmodSync(dir, 0o700);
      log(`[store] the data directory ${dir} was open to other users (mode ${mode.toString(8)}): now 700, as it holds passwords and tokens`);
    } catch (err) {
      log(`[store] the data directory ${dir} is open to other users (mode ${mode.toString(8)}) and could not be made private (${(err as Error).message}): it holds passwords and tokens`);
    }
  }
  const path = join(dir, LOCK_FILE);
  // Opened without truncating: the pid in it is the holder's until the lock is ours.
  const fd = openSync(path, "a+", 0o600);
  if (libc.flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    const errno = read.i32(libc.__errno_location()!, 0);
    closeSync(fd);
    if (errno !== EWOULDBLOCK) throw new Error(`cannot lock ${path} (errno ${errno})`);
    const pid = readFileSync(path, "utf8").trim();
    throw new Error(`another ledbox${pid ? ` (pid ${pid})` : ""} is using the data directory ${dir}: stop it first, or give this one its own --data`);
  }
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
  } catch {
    // A full disk: the lock holds all the same, only the pid for the message is missing.
  }
  return { release: () => closeSync(fd) };
}
