// A small bzip2 decompressor, for the rare A2S split replies that are compressed (the reference,
// §1.5: the fragments concatenated form one bzip2 stream). Stream format: "BZh" + level, then
// blocks (magic 0x314159265359, CRC, BWT origin, symbol map, Huffman tables, MTF/RLE symbols)
// up to the end magic 0x177245385090. Checks are left to the caller's CRC32 of the output.
// The work is bounded by the output the caller allows: a block is never read longer than could
// fit (4 of every 5 block bytes at least come out), so a crafted stream costs milliseconds, not
// a frame's worth of the render loop.
import { ProtocolError } from "./reader.ts";

const MAX_CODE_LEN = 20;

class Bits {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  bit(): number {
    const byte = this.pos >>> 3;
    if (byte >= this.buf.length) throw new ProtocolError("bzip2 stream ends early");
    return (this.buf[byte] >>> (7 - (this.pos++ & 7))) & 1;
  }

  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
}

export function bunzip2(data: Uint8Array, maxOut = 1 << 20): Uint8Array {
  const b = new Bits(data);
  if (b.bits(24) !== 0x425a68) throw new ProtocolError("not a bzip2 stream");
  const level = b.bits(8) - 0x30;
  if (level < 1 || level > 9) throw new ProtocolError(`bzip2 block size ${level} outside 1–9`);
  const out = { bytes: new Uint8Array(maxOut), n: 0 };
  for (;;) {
    const magic = b.bits(24) * 0x1000000 + b.bits(24);
    b.bits(32); // block or stream CRC
    if (magic === 0x177245385090) return out.bytes.slice(0, out.n);
    if (magic !== 0x314159265359) throw new ProtocolError("bad bzip2 block magic");
    // A block longer than what may still come out would only be decoded to be refused.
    const fits = Math.ceil(((maxOut - out.n) * 5) / 4) + 5;
    const size = level * 100_000;
    const overflow = size <= fits ? "bzip2 block overflows its size" : `bzip2 output over ${maxOut} bytes`;
    undoRle(inverseBwt(b, Math.min(size, fits), overflow), out, maxOut);
  }
}

/** Reads one block's Huffman-coded MTF/RLE2 symbols and undoes the Burrows–Wheeler transform. */
function inverseBwt(b: Bits, maxBlock: number, overflow: string): Uint8Array {
  if (b.bit()) throw new ProtocolError("randomised bzip2 blocks are not supported");
  const origPtr = b.bits(24);
  const used: number[] = [];
  const groupsUsed = b.bits(16);
  for (let i = 0; i < 16; i++) if (groupsUsed & (0x8000 >> i)) {
    const bits = b.bits(16);
    for (let j = 0; j < 16; j++) if (bits & (0x8000 >> j)) used.push(i * 16 + j);
  }
  if (!used.length) throw new ProtocolError("bzip2 block uses no symbols");
  const alpha = used.length + 2;
  const nGroups = b.bits(3), nSelectors = b.bits(15);
  if (nGroups < 2 || nGroups > 6 || nSelectors < 1) throw new ProtocolError("bad bzip2 Huffman group counts");
  const mtfGroups = Array.from({ length: nGroups }, (_, i) => i);
  const selectors = new Uint8Array(nSelectors);
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (b.bit()) if (++j >= nGroups) throw new ProtocolError("bad bzip2 selector");
    const g = mtfGroups.splice(j, 1)[0];
    mtfGroups.unshift(g);
    selectors[i] = g;
  }
  const tables = Array.from({ length: nGroups }, () => huffmanTable(b, alpha));

  const block = new Uint8Array(maxBlock);
  const mtf = Uint8Array.from({ length: 256 }, (_, i) => i);
  let n = 0, run = 0, runBit = 1, sel = 0, left = 0;
  let table = tables[0];
  const flushRun = () => {
    if (n + run > maxBlock) throw new ProtocolError(overflow);
    block.fill(used[mtf[0]], n, n + run);
    n += run;
    run = 0;
    runBit = 1;
  };
  for (;;) {
    if (left-- === 0) {
      if (sel >= nSelectors) throw new ProtocolError("bzip2 selectors run out");
      table = tables[selectors[sel++]];
      left = 49;
    }
    const sym = table.decode(b);
    if (sym <= 1) {
      run += runBit << sym; // RUNA adds 1×, RUNB 2× the current power of two
      runBit <<= 1;
      if (run > maxBlock) throw new ProtocolError(overflow);
      continue;
    }
    if (run) flushRun();
    if (sym === alpha - 1) break;
    if (n >= maxBlock) throw new ProtocolError(overflow);
    if (sym - 1 >= used.length) throw new ProtocolError("bzip2 symbol outside the block's alphabet");
    const uc = mtf[sym - 1];
    mtf.copyWithin(1, 0, sym - 1);
    mtf[0] = uc;
    block[n++] = used[uc];
  }
  if (origPtr >= n) throw new ProtocolError("bzip2 origin pointer outside the block");
  const start = new Uint32Array(256);
  for (let i = 0; i < n; i++) start[block[i]]++;
  for (let i = 0, sum = 0; i < 256; i++) [start[i], sum] = [sum, sum + start[i]];
  const next = new Uint32Array(n);
  for (let i = 0; i < n; i++) next[start[block[i]]++] = i;
  const out = new Uint8Array(n);
  for (let k = 0, pos = next[origPtr]; k < n; k++) {
    out[k] = block[pos];
    pos = next[pos];
  }
  return out;
}

/** Canonical Huffman decoding as bzip2 builds it: limit/base/perm per code length. */
function huffmanTable(b: Bits, alpha: number) {
  const lens = new Uint8Array(alpha);
  let len = b.bits(5);
  for (let s = 0; s < alpha; s++) {
    for (;;) {
      if (len < 1 || len > MAX_CODE_LEN) throw new ProtocolError("bad bzip2 code length");
      if (!b.bit()) break;
      len += b.bit() ? -1 : 1;
    }
    lens[s] = len;
  }
  const minLen = Math.min(...lens), maxLen = Math.max(...lens);
  const perm: number[] = [];
  for (let l = minLen; l <= maxLen; l++) for (let s = 0; s < alpha; s++) if (lens[s] === l) perm.push(s);
  const limit = new Int32Array(MAX_CODE_LEN + 2), base = new Int32Array(MAX_CODE_LEN + 2);
  for (let s = 0; s < alpha; s++) base[lens[s] + 1]++;
  for (let l = 1; l < base.length; l++) base[l] += base[l - 1];
  for (let l = minLen, vec = 0; l <= maxLen; l++) {
    vec += base[l + 1] - base[l];
    limit[l] = vec - 1;
    vec <<= 1;
  }
  for (let l = minLen + 1; l <= maxLen; l++) base[l] = ((limit[l - 1] + 1) << 1) - base[l];
  return {
    decode(bits: Bits): number {
      let l = minLen, code = bits.bits(minLen);
      while (code > limit[l]) {
        if (++l > maxLen) throw new ProtocolError("bad bzip2 Huffman code");
        code = (code << 1) | bits.bit();
      }
      return perm[code - base[l]];
    },
  };
}

/** The first run-length stage: four equal bytes are followed by a count of further repeats. */
function undoRle(data: Uint8Array, out: { bytes: Uint8Array; n: number }, maxOut: number): void {
  const over = () => new ProtocolError(`bzip2 output over ${maxOut} bytes`);
  let same = 0, last = -1;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (same === 4) {
      if (out.n + c > maxOut) throw over();
      out.bytes.fill(last, out.n, out.n + c);
      out.n += c;
      same = 0;
      last = -1;
    } else {
      if (out.n >= maxOut) throw over();
      same = c === last ? same + 1 : 1;
      last = c;
      out.bytes[out.n++] = c;
    }
  }
}
