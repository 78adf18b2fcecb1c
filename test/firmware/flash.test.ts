// The firmware's flash command (firmware-bridge/Makefile), dry-run: avrdude talks to the board's
// bootloader at its rate — Optiboot (Uno, newer Nanos) at 115200, the old Nano bootloader at 57600.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { avrTools, FIRMWARE_DIR } from "./sim.ts";

const flash = (...vars: string[]) => spawnSync("make", ["-n", "-C", FIRMWARE_DIR, "flash", "PORT=/dev/ttyUSB7", ...vars], { encoding: "utf8" });
const avrdude = (out: string) => out.split("\n").find((l) => l.startsWith("avrdude "));

describe.skipIf(avrTools.skip)("flashing the bridge", () => {
  test("Optiboot by default at 115200; BOOTLOADER=old at 57600", () => {
    expect(avrdude(flash().stdout)).toBe("avrdude -p atmega328p -c arduino -P /dev/ttyUSB7 -b 115200 -U flash:w:build/bridge.hex:i");
    expect(avrdude(flash("BOOTLOADER=old").stdout)).toBe("avrdude -p atmega328p -c arduino -P /dev/ttyUSB7 -b 57600 -U flash:w:build/bridge.hex:i");
  });

  test("an unknown bootloader is refused before avrdude runs", () => {
    const r = spawnSync("make", ["-C", FIRMWARE_DIR, "flash", "PORT=/dev/null", "BOOTLOADER=new"], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("BOOTLOADER is optiboot or old, not new");
    expect(r.stdout + r.stderr).not.toContain("avrdude -p");
  });
});
