// Bounds-checked reading of little-endian wire data; every failure names the byte it happened at.
import { lookup } from "node:dns/promises";

/** A reply that does not follow the protocol: the message says what and where. */
export class ProtocolError extends Error {}

export class Reader {
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, public pos = 0) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get left(): number {
    return this.buf.length - this.pos;
  }

  fail(what: string, at = this.pos): never {
    throw new ProtocolError(`malformed reply at byte ${at}: ${what}`);
  }

  private need(n: number, what: string): number {
    if (this.pos + n > this.buf.length) this.fail(`${what} runs past the end (${this.buf.length} bytes)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what: string): number {
    return this.buf[this.need(1, what)];
  }
  i16(what: string): number {
    return this.view.getInt16(this.need(2, what), true);
  }
  u16(what: string): number {
    return this.view.getUint16(this.need(2, what), true);
  }
  i32(what: string): number {
    return this.view.getInt32(this.need(4, what), true);
  }
  f32(what: string): number {
    return this.view.getFloat32(this.need(4, what), true);
  }
  u64(what: string): bigint {
    return this.view.getBigUint64(this.need(8, what), true);
  }

  /** A UTF-8 string ended by 0x00. */
  cstring(what: string): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) this.fail(`${what} has no terminating zero`);
    const s = new TextDecoder().decode(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  bytes(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.buf.subarray(at, at + n);
  }
}

/** The parts one after another in a new buffer (absent parts are skipped). */
export function concat(...parts: (Uint8Array | undefined)[]): Uint8Array {
  const list = parts.filter((p): p is Uint8Array => !!p);
  const out = new Uint8Array(list.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of list) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Resolves a host name once, so a name that does not resolve is reported as such. */
export async function resolveHost(host: string): Promise<string> {
  if (/^[\d.]+$/.test(host) || host.includes(":")) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    throw new ProtocolError(`cannot resolve host "${host}"`);
  }
}

/** A timer that rejects with "timeout after N s"; always clear it (finally) so none is left behind. */
export function deadline(ms: number, waitingFor: string): { promise: Promise<never>; clear: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProtocolError(`timeout after ${formatSeconds(ms)} waiting for ${waitingFor}`)), ms);
  });
  promise.catch(() => {});
  return { promise, clear: () => clearTimeout(timer) };
}

const formatSeconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;
