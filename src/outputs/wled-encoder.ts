// WLED UDP realtime (port 21324), https://kno.wled.ge/interfaces/udp-realtime/.
//
// Wire format, byte 0 = protocol, byte 1 = timeout in seconds after which WLED returns to
// its own effects (255 = never), then:
//   DRGB   (2): R G B from LED 0 — used when the whole frame fits one packet (≤ 490 LEDs)
//   DRGBW  (3): R G B W from LED 0 (≤ 367 LEDs)
//   DNRGB  (4): start index (2 bytes, big-endian), then R G B — up to 489 LEDs per packet
//   DNRGBW (5): start index, then R G B W — up to 367 LEDs per packet
// Pixels are in logical order; WLED applies its own colour order.

import { copyBytes } from "./order.ts";

const ONE_PACKET = { 3: 490, 4: 367 } as const;
const PER_PACKET = { 3: 489, 4: 367 } as const;

export interface WledPacket {
  bytes: Uint8Array;
  /** Offset of the pixel data in bytes, first LED, LED count. */
  dataAt: number;
  first: number;
  count: number;
}

export function wledPackets(ledCount: number, bytesPerLed: 3 | 4, timeoutS: number): WledPacket[] {
  const rgbw = bytesPerLed === 4;
  if (ledCount <= ONE_PACKET[bytesPerLed]) {
    const bytes = new Uint8Array(2 + ledCount * bytesPerLed);
    bytes[0] = rgbw ? 3 : 2;
    bytes[1] = timeoutS;
    return [{ bytes, dataAt: 2, first: 0, count: ledCount }];
  }
  const per = PER_PACKET[bytesPerLed];
  const packets: WledPacket[] = [];
  for (let first = 0; first < ledCount; first += per) {
    const count = Math.min(per, ledCount - first);
    const bytes = new Uint8Array(4 + count * bytesPerLed);
    bytes[0] = rgbw ? 5 : 4;
    bytes[1] = timeoutS;
    bytes[2] = first >> 8;
    bytes[3] = first & 0xff;
    packets.push({ bytes, dataAt: 4, first, count });
  }
  return packets;
}

/** Fills the packets with a frame (logical bytes). */
export function encodeWled(packets: WledPacket[], frame: Uint8Array, bytesPerLed: 3 | 4): void {
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    copyBytes(frame, p.first * bytesPerLed, p.bytes, p.dataAt, p.count * bytesPerLed);
  }
}
