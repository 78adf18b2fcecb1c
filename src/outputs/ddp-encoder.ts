// DDP (Distributed Display Protocol, http://3waylabs.com/ddp/), as WLED and LedFx speak it.
//
// Wire format: one frame = ceil(bytes / 1440) UDP packets to port 4048, each
//   0     flags: 0x40 (version 1) | 0x01 PUSH on the frame's last packet only
//   1     sequence 1–15, the same for every packet of a frame (WLED drops stale ones)
//   2     data type: 0x0B RGB 8-bit, 0x1B RGBW 8-bit
//   3     destination 1 (the display)
//   4–7   offset of this packet's data in the frame, in bytes, big-endian
//   8–9   data length in bytes, big-endian
//   10…   pixels, logical R G B (W) order
// 1440 bytes = 480 RGB or 360 RGBW pixels per packet, so a packet never straddles a pixel.

import { copyBytes } from "./order.ts";

export const DDP_HEADER = 10;
export const DDP_MAX_DATA = 1440;

export class DdpEncoder {
  /** One preallocated buffer per packet of a frame. */
  readonly packets: Uint8Array[];
  private seq = 0;

  constructor(readonly frameBytes: number, readonly bytesPerLed: 3 | 4) {
    const count = Math.ceil(frameBytes / DDP_MAX_DATA);
    this.packets = Array.from({ length: count }, (_, i) => {
      const len = Math.min(DDP_MAX_DATA, frameBytes - i * DDP_MAX_DATA);
      const p = new Uint8Array(DDP_HEADER + len);
      const dv = new DataView(p.buffer);
      p[0] = 0x40 | (i === count - 1 ? 0x01 : 0);
      p[2] = bytesPerLed === 4 ? 0x1b : 0x0b;
      p[3] = 1;
      dv.setUint32(4, i * DDP_MAX_DATA);
      dv.setUint16(8, len);
      return p;
    });
  }

  /** Fills the packets with a frame (logical bytes) under the next sequence number. */
  encode(frame: Uint8Array): void {
    this.seq = (this.seq % 15) + 1;
    for (let i = 0, at = 0; i < this.packets.length; i++) {
      const p = this.packets[i];
      p[1] = this.seq;
      copyBytes(frame, at, p, DDP_HEADER, p.length - DDP_HEADER);
      at += p.length - DDP_HEADER;
    }
  }
}
