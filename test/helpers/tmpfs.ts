// A small disk of our own to fill up, as an SD card fills: a tmpfs of a few MB mounted on a
// temporary folder (needs root, or CAP_SYS_ADMIN in a container). Where it cannot be mounted the
// tests are skipped with the reason printed, unless LEDBOX_REQUIRE_ALL=1 makes that a failure.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireAll } from "./requires.ts";

export interface SmallDisk {
  /** The mount point. */
  dir: string;
  /** Writes a filler file until the disk refuses another byte. */
  fill(): void;
  /** Deletes the filler. */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeKb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), "ledbox-disk-"));
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${sizeKb}k,mode=0755`, "tmpfs", dir]);
  if (r.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs on ${dir}: ${r.stderr.toString().trim() || `mount exited ${r.exitCode}`}`);
  }
  const filler = join(dir, "filler");
  return {
    dir,
    fill() {
      const fd = openSync(filler, "a");
      try {
        for (const size of [1 << 16, 4096, 512, 1]) {
          const chunk = Buffer.alloc(size);
          try {
            for (;;) writeSync(fd, chunk);
          } catch (err) {
            if ((err as { code?: string }).code !== "ENOSPC") throw err;
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount() {
      Bun.spawnSync(["umount", "-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether tmpfs tests run here: probed once, the reason printed when they are skipped. */
export const smallDisks = (() => {
  let reason: string | null = null;
  try {
    mountSmallDisk(64).unmount();
  } catch (err) {
    reason = (err as Error).message;
  }
  const skip = reason !== null && !requireAll;
  if (skip) console.warn(`[full-disk tests] SKIPPED: ${reason}; set LEDBOX_REQUIRE_ALL=1 to make this a failure`);
  return {
    skip,
    assert() {
      if (reason !== null) throw new Error(`${reason} and LEDBOX_REQUIRE_ALL=1`);
    },
  };
})();
