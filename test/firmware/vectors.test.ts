// The shared test vectors (firmware-bridge/test/vectors.txt): ledbox's TypeScript encoder must
// still produce exactly those bytes, and the firmware's C decoder, compiled for this machine,
// must decode them (frames, config, query, CRC errors, resync after garbage, too-long frames,
// a message cut short).
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { wireChannels } from "../../src/outputs/order.ts";
import { crc16, encodeLbConfig, encodeLbFrame, encodeLbQuery, lbFrameBytes } from "../../src/outputs/serial-encoders.ts";
import { avrTools, buildFirmware, FIRMWARE_DIR } from "./sim.ts";

const VECTORS = join(FIRMWARE_DIR, "test/vectors.txt");
const lines = readFileSync(VECTORS, "utf8").trim().split("\n").map((l) => {
  const [name, event, seq, count, flags, payload, stream] = l.split(" ");
  const hex = (h: string) => (h === "-" ? new Uint8Array() : Uint8Array.from(Buffer.from(h, "hex")));
  return { name, event, seq: Number(seq), count: Number(count), flags: Number(flags), payload: hex(payload), stream: hex(stream) };
});

describe("shared vectors, TypeScript side", () => {
  test("there are vectors for every message kind and fault", () => {
    expect(new Set(lines.map((v) => v.event))).toEqual(new Set(["K", "Q", "C", "F", "E", "L", "X"]));
  });

  test("CRC-16/CCITT-FALSE check value: '123456789' → 0x29B1", () => {
    const v = lines.find((l) => l.event === "K")!;
    expect(crc16(v.payload, 0, v.payload.length)).toBe(0x29b1);
    expect(Array.from(v.stream)).toEqual([0x29, 0xb1]);
  });

  for (const v of lines.filter((l) => l.event === "F" || l.event === "C" || l.event === "Q")) {
    test(`${v.name}: the encoder produces the vector's message`, () => {
      let msg: Uint8Array;
      if (v.event === "Q") msg = encodeLbQuery(v.seq);
      else if (v.event === "C") msg = encodeLbConfig((v.payload[0] << 8) | v.payload[1], v.seq);
      else {
        msg = new Uint8Array(lbFrameBytes(v.payload.length));
        // The vectors' payloads are wire bytes already: taken as they are.
        encodeLbFrame(v.payload, wireChannels(v.flags & 1 ? "RGBW" : "RGB"), v.seq, msg);
      }
      const tail = v.stream.subarray(v.stream.length - msg.length); // after any leading garbage
      expect(Buffer.from(tail).toString("hex")).toBe(Buffer.from(msg).toString("hex"));
    });
  }
});

describe.skipIf(avrTools.skip)("shared vectors, the firmware's C decoder on the host", () => {
  test("every vector decodes as expected", () => {
    buildFirmware();
    const r = spawnSync(join(FIRMWARE_DIR, "build/host_decoder_test"), [VECTORS], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe(`${lines.length} vectors, 0 failed`);
    expect(r.status).toBe(0);
  });
});
