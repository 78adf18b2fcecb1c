// Serial frame encoders: the ledbox bridge protocol (firmware-bridge/PROTOCOL.md), Adalight
// and AWA. Each writes into a buffer allocated once for the output's LED count.
//
// ledbox v1, host → bridge (all multi-byte fields big-endian):
//   0–1 magic 'L' 'B' · 2 version 1 · 3 type 'F' (frame), 'C' (config) or 'Q' (query) · 4 sequence ·
//   5–6 LED count · 7 flags (bit 0: 4 bytes per LED) · payload · CRC-16/CCITT-FALSE of bytes 2…end of payload
//   'F' payload: count × 3 (or 4) bytes, each LED's in the strip's colour order. 'C' payload: silence ms (u16),
//   count 0. 'Q': no payload, count 0.
// Adalight: 'A' 'd' 'a', (count−1) hi, lo, hi ^ lo ^ 0x55, then R G B per LED.
// AWA: 'A' 'w' 'a', (count−1) hi, lo, hi ^ lo ^ 0x55, R G B per LED, then Fletcher f1, f2,
//   fExt over the payload (fExt sent as 0xAA when it would be 0x41, an 'A').

export const LB_HEADER = 8;
export const LB_VERSION = 1;
const FLAG_RGBW = 0x01;

/** CRC-16/CCITT-FALSE, a byte at a time without a table (the firmware's lb_crc_step). */
export function crc16(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0xffff;
  for (let i = from; i < to; i++) {
    crc = ((crc >> 8) | (crc << 8)) & 0xffff;
    crc ^= bytes[i];
    crc ^= (crc & 0xff) >> 4;
    crc ^= (crc << 12) & 0xffff;
    crc ^= (crc & 0xff) << 5;
  }
  return crc;
}

function lbHeader(out: Uint8Array, type: number, seq: number, count: number, flags: number): void {
  out[0] = 0x4c;
  out[1] = 0x42;
  out[2] = LB_VERSION;
  out[3] = type;
  out[4] = seq & 0xff;
  out[5] = count >> 8;
  out[6] = count & 0xff;
  out[7] = flags;
}

function lbSeal(out: Uint8Array, payloadEnd: number): void {
  const crc = crc16(out, 2, payloadEnd);
  out[payloadEnd] = crc >> 8;
  out[payloadEnd + 1] = crc & 0xff;
}

export const lbFrameBytes = (ledBytes: number): number => LB_HEADER + ledBytes + 2;

/** A frame message: `frame` (logical bytes) into `out` (lbFrameBytes long), in the order `channels` gives (wireChannels). */
export function encodeLbFrame(frame: Uint8Array, channels: Int32Array, seq: number, out: Uint8Array): void {
  const bpl = channels.length;
  lbHeader(out, 0x46, seq, frame.length / bpl, bpl === 4 ? FLAG_RGBW : 0);
  for (let led = 0, o = LB_HEADER; led < frame.length; led += bpl) for (let p = 0; p < bpl; p++) out[o++] = frame[led + channels[p]];
  lbSeal(out, LB_HEADER + frame.length);
}

export function encodeLbConfig(silenceMs: number, seq: number): Uint8Array {
  const out = new Uint8Array(LB_HEADER + 4);
  lbHeader(out, 0x43, seq, 0, 0);
  out[8] = silenceMs >> 8;
  out[9] = silenceMs & 0xff;
  lbSeal(out, LB_HEADER + 2);
  return out;
}

/** Asks the bridge to announce itself again (its boot announcement may have been missed). */
export function encodeLbQuery(seq: number): Uint8Array {
  const out = new Uint8Array(LB_HEADER + 2);
  lbHeader(out, 0x51, seq, 0, 0);
  lbSeal(out, LB_HEADER);
  return out;
}

const ADA_HEADER = 6;
export const adalightBytes = (count: number): number => ADA_HEADER + count * 3;
export const awaBytes = (count: number): number => ADA_HEADER + count * 3 + 3;

/** The 'Ada'/'Awa' header; the RGB payload follows at byte 6. */
export function adaHeader(out: Uint8Array, second: number, count: number): void {
  const hi = (count - 1) >> 8, lo = (count - 1) & 0xff;
  out[0] = 0x41;
  out[1] = second;
  out[2] = 0x61;
  out[3] = hi;
  out[4] = lo;
  out[5] = hi ^ lo ^ 0x55;
}

/** AWA's checksum over the payload at 6…6+len, written after it. */
export function awaSeal(out: Uint8Array, len: number): void {
  let f1 = 0, f2 = 0, fx = 0;
  for (let p = 0; p < len; p++) {
    const b = out[ADA_HEADER + p];
    f1 = (f1 + b) % 255;
    f2 = (f2 + f1) % 255;
    fx = (fx + (b ^ (p & 0xff))) % 255;
  }
  const end = ADA_HEADER + len;
  out[end] = f1;
  out[end + 1] = f2;
  out[end + 2] = fx === 0x41 ? 0xaa : fx;
}

export const ADA_PAYLOAD_AT = ADA_HEADER;
