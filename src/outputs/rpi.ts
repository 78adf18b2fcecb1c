// What a Raspberry Pi says about itself in its device tree (`/proc/device-tree`; callers take the
// root as a parameter so tests can hand them a fake one), and what its revision code means.
//
// Revision codes (the official "revision codes" documentation): old-style 0002–0015 are all
// BCM2835 boards; a new-style code has bit 23 set and reads NOQuuuWuFMMMCCCCPPPPTTTTTTTTRRRR —
// W warranty (bit 25), F new-style (23), MMM memory (20–22), CCCC manufacturer (16–19),
// PPPP processor (12–15), TTTTTTTT type (4–11), RRRR revision (0–3).
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The appliance's command that writes the boot configuration SPI and PIO need. */
export const SETUP_PI = "on the appliance run `sudo ledbox setup-pi`, then reboot";

export const DEVICE_TREE = "/proc/device-tree";

const PROCESSORS = ["BCM2835", "BCM2836", "BCM2837", "BCM2711", "BCM2712"] as const;
export type Processor = (typeof PROCESSORS)[number];

const TYPES: Record<number, string> = {
  0x00: "A", 0x01: "B", 0x02: "A+", 0x03: "B+", 0x04: "2B", 0x05: "Alpha", 0x06: "CM1", 0x08: "3B", 0x09: "Zero",
  0x0a: "CM3", 0x0c: "Zero W", 0x0d: "3B+", 0x0e: "3A+", 0x10: "CM3+", 0x11: "4B", 0x12: "Zero 2 W", 0x13: "400",
  0x14: "CM4", 0x15: "CM4S", 0x17: "5", 0x18: "CM5", 0x19: "500", 0x1a: "CM5 Lite", 0x1b: "CM0",
};
const MEMORY = ["256MB", "512MB", "1GB", "2GB", "4GB", "8GB", "16GB"];
/** Old-style codes: model and board revision. */
const OLD_STYLE: Record<number, string> = {
  0x02: "B 1.0", 0x03: "B 1.0", 0x04: "B 2.0", 0x05: "B 2.0", 0x06: "B 2.0", 0x07: "A 2.0", 0x08: "A 2.0", 0x09: "A 2.0",
  0x0d: "B 2.0", 0x0e: "B 2.0", 0x0f: "B 2.0", 0x10: "B+ 1.2", 0x11: "CM1 1.0", 0x12: "A+ 1.1", 0x13: "B+ 1.2",
  0x14: "CM1 1.0", 0x15: "A+ 1.1",
};

export interface Board {
  processor: Processor;
  /** e.g. "4B 1.5 8GB" */
  model: string;
}

/** The board a revision code names, or null for a code that is not one. */
export function decodeRevision(code: number): Board | null {
  if (!(code & (1 << 23))) {
    const old = OLD_STYLE[code & 0xffff]; // higher up: the warranty bit (24) of an old-style code
    return old ? { processor: "BCM2835", model: old } : null;
  }
  const processor = PROCESSORS[(code >> 12) & 0xf];
  const type = TYPES[(code >> 4) & 0xff];
  if (!processor || type === undefined) return null;
  const memory = MEMORY[(code >> 20) & 7];
  return { processor, model: `${type} 1.${code & 0xf}${memory ? ` ${memory}` : ""}` };
}

/** A property of 32-bit big-endian cells, or null when it is absent. */
export function readCells(path: string): number[] | null {
  try {
    const b = readFileSync(path);
    return Array.from({ length: b.length >> 2 }, (_, i) => b.readUInt32BE(i * 4));
  } catch {
    return null;
  }
}

/** A string property (NUL-terminated), or null when it is absent. */
export function readString(path: string): string | null {
  try {
    return readFileSync(path, "latin1").replace(/\0[\s\S]*$/, "");
  } catch {
    return null;
  }
}

/**
 * This machine's board from the revision code the firmware puts in the device tree, and its
 * model line ("Raspberry Pi 5 Model B Rev 1.0"); null off a Raspberry Pi.
 */
export function thisBoard(dt = DEVICE_TREE): (Board & { name: string }) | null {
  const [code] = readCells(join(dt, "system/linux,revision")) ?? [];
  const board = code === undefined ? null : decodeRevision(code);
  return board && { ...board, name: readString(join(dt, "model")) ?? `Raspberry Pi ${board.model}` };
}
