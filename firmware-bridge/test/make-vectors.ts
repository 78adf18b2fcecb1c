// Writes test/vectors.txt: messages from ledbox's TypeScript encoder that the C decoder must
// decode (and the TS tests re-encode to the same bytes). Run: bun firmware-bridge/test/make-vectors.ts
// Line: name event seq count flags payload-hex stream-hex ("-" = empty). Events: F frame,
// C config, Q query, E CRC error, L too long, X cut short (the stream stops mid-message: the
// decoder gives up after LB_GAP_TICKS quiet ticks), K the CRC-16 check value of the payload.
import { writeFileSync } from "node:fs";
import { crc16, encodeLbConfig, encodeLbFrame, encodeLbQuery, lbFrameBytes } from "../../src/outputs/serial-encoders.ts";

const hex = (b: Uint8Array | number[]) => (b.length ? Buffer.from(b).toString("hex") : "-");
const lines: string[] = [];
const add = (name: string, ev: string, seq: number, count: number, flags: number, payload: Uint8Array | number[], stream: Uint8Array | number[]) =>
  lines.push([name, ev, seq, count, flags, hex(payload), hex(stream)].join(" "));

function frame(count: number, bpl: 3 | 4, seq: number, fill: (i: number) => number): { payload: Uint8Array; msg: Uint8Array } {
  const payload = Uint8Array.from({ length: count * bpl }, (_, i) => fill(i));
  const msg = new Uint8Array(lbFrameBytes(payload.length));
  encodeLbFrame(payload, bpl, seq, msg);
  return { payload, msg };
}

const check = new TextEncoder().encode("123456789");
add("crc-check-value", "K", 0, 0, 0, check, [crc16(check, 0, check.length) >> 8, crc16(check, 0, check.length) & 255]);
add("query", "Q", 1, 0, 0, [], encodeLbQuery(1));
add("config-2000ms", "C", 2, 0, 0, [2000 >> 8, 2000 & 255], encodeLbConfig(2000, 2));
add("config-60000ms", "C", 3, 0, 0, [60000 >> 8, 60000 & 255], encodeLbConfig(60000, 3));
let f = frame(3, 3, 4, (i) => [255, 0, 0, 0, 255, 0, 0, 0, 255][i]);
add("frame-3-rgb", "F", 4, 3, 0, f.payload, f.msg);
f = frame(2, 4, 5, (i) => i * 31);
add("frame-2-rgbw", "F", 5, 2, 1, f.payload, f.msg);
f = frame(512, 3, 255, (i) => (i * 7 + 3) & 255);
add("frame-512-rgb-max", "F", 255, 512, 0, f.payload, f.msg);
f = frame(384, 4, 0, (i) => 255 - (i & 255));
add("frame-384-rgbw-max", "F", 0, 384, 1, f.payload, f.msg);
f = frame(4, 3, 9, (i) => (i === 0 ? 0x4c : i === 1 ? 0x42 : i)); // payload that looks like a magic
add("frame-payload-with-magic", "F", 9, 4, 0, f.payload, f.msg);
f = frame(3, 3, 6, (i) => i + 1);
add("garbage-then-frame", "F", 6, 3, 0, f.payload, [0x00, 0x4c, 0x4c, 0x41, 0x4c, 0x4c, ...f.msg]);
const flipped = f.msg.slice();
flipped[10] ^= 0x10;
add("payload-bit-flipped", "E", 6, 3, 0, [], flipped);
const badCrc = f.msg.slice();
badCrc[badCrc.length - 1] ^= 1;
add("crc-byte-wrong", "E", 6, 3, 0, [], badCrc);
add("frame-cut-short", "X", 6, 3, 0, [], f.msg.subarray(0, f.msg.length - 4));
const tooLong = frame(513, 3, 7, () => 1).msg;
add("frame-513-rgb-too-long", "L", 7, 513, 0, [], tooLong.subarray(0, 8));
const badVersion = encodeLbQuery(8);
badVersion[2] = 2;
add("bad-version-then-query", "Q", 9, 0, 0, [], [...badVersion, ...encodeLbQuery(9)]);

writeFileSync(new URL("./vectors.txt", import.meta.url), lines.join("\n") + "\n");
console.log(`wrote ${lines.length} vectors`);
