// Minecraft Java Server List Ping over TCP: handshake, status request, status JSON, ping/pong.
// Frame = VarInt length, VarInt packet id, data; strings are VarInt length + UTF-8; the port is
// big-endian (the protocol wiki's "Server List Ping" page).
import type { Socket } from "bun";
import { concat, deadline, ProtocolError, resolveHost } from "./reader.ts";

export interface MinecraftStatus {
  version: string;
  protocol: number;
  online: number;
  max: number;
  /** Names from the sample (capped at 12 by vanilla servers; may be fake). */
  sample: { name: string; id: string }[];
  motd: string;
  latencyMs: number;
}

/** Longest frame accepted: the status JSON may be up to 32767 chars (×3 bytes as UTF-8) plus a favicon. */
const MAX_FRAME = 1 << 20;

export function writeVarInt(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** A VarInt at `at`: its value and length, or null when more bytes are needed. */
export function readVarInt(buf: Uint8Array, at: number): { value: number; size: number } | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= buf.length) return null;
    const b = buf[at + i];
    value |= (b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return { value, size: i + 1 };
  }
  throw new ProtocolError(`malformed reply at byte ${at}: VarInt longer than 5 bytes`);
}

const str = (s: string) => {
  const b = new TextEncoder().encode(s);
  return [...writeVarInt(b.length), ...b];
};
const frame = (id: number, data: number[]) => new Uint8Array([...writeVarInt(data.length + writeVarInt(id).length), ...writeVarInt(id), ...data]);

export function handshake(host: string, port: number): Uint8Array {
  return frame(0, [...writeVarInt(-1), ...str(host.slice(0, 255)), port >> 8, port & 0xff, ...writeVarInt(1)]);
}

export async function queryMinecraft(host: string, port: number, opts: { timeoutMs?: number } = {}): Promise<MinecraftStatus> {
  // One deadline for everything, the name lookup and the connect included.
  const timer = deadline(opts.timeoutMs ?? 2000, `a Minecraft status reply from ${host}:${port}`);
  const frames = new FrameReader();
  const ended = new Promise<never>((_, reject) => (frames.onEnd = reject));
  ended.catch(() => {});
  let socket: Socket | null = null;
  let over = false;
  const run = async () => {
    const address = await resolveHost(host);
    const s = await Bun.connect({
      hostname: address, port,
      socket: {
        data: (_s, d) => frames.push(d),
        close: () => frames.onEnd(new ProtocolError("the server closed the connection before replying")),
        error: (_s, e) => frames.onEnd(new ProtocolError(`connection error: ${e.message}`)),
      },
    }).catch((e) => {
      throw new ProtocolError(`cannot connect to ${address}:${port} (${(e as Error).message})`);
    });
    if (over) return void s.end();
    socket = s;
    s.write(handshake(host, port));
    s.write(new Uint8Array([1, 0]));
    const status = parseStatusFrame(await frames.next());
    const t0 = performance.now();
    s.write(frame(1, [0, 0, 0, 0, 0, 0, 0, 42]));
    const pong = await frames.next();
    if (pong.id !== 1) throw new ProtocolError(`expected a pong (packet 0x01), got packet 0x${pong.id.toString(16)}`);
    return { ...status, latencyMs: performance.now() - t0 };
  };
  try {
    return (await Promise.race([run(), ended, timer.promise]))!;
  } finally {
    over = true;
    timer.clear();
    (socket as Socket | null)?.end();
  }
}

export function parseStatusFrame(f: { id: number; data: Uint8Array; at: number }): Omit<MinecraftStatus, "latencyMs"> {
  if (f.id !== 0) throw new ProtocolError(`malformed reply at byte ${f.at}: packet 0x${f.id.toString(16)}, expected status 0x00`);
  const len = readVarInt(f.data, 0);
  if (!len || len.size + len.value > f.data.length) throw new ProtocolError(`malformed reply at byte ${f.at}: status string runs past the frame`);
  let json: any;
  try {
    json = JSON.parse(new TextDecoder().decode(f.data.subarray(len.size, len.size + len.value)));
  } catch {
    throw new ProtocolError(`malformed reply at byte ${f.at + len.size}: status is not valid JSON`);
  }
  const players = json?.players;
  if (typeof players?.online !== "number" || typeof players?.max !== "number") throw new ProtocolError("status JSON has no players.online/players.max numbers");
  // Fields are taken only as the types they should be: String() of an object from the wire
  // calls whatever "toString" it carries (a number there is a TypeError).
  const sample = Array.isArray(players.sample) ? players.sample.filter((p: any) => typeof p?.name === "string").map((p: any) => ({ name: p.name, id: typeof p.id === "string" ? p.id : "" })) : [];
  const version = json.version;
  return { version: typeof version?.name === "string" ? version.name : "", protocol: typeof version?.protocol === "number" ? version.protocol : 0, online: players.online, max: players.max, sample, motd: plainText(json.description) };
}

/** A description (a string or a chat component with text/extra) as plain text, § codes removed. */
export function plainText(c: unknown): string {
  const walk = (x: any): string => typeof x === "string" ? x : x && typeof x === "object" ? (typeof x.text === "string" ? x.text : "") + (Array.isArray(x.extra) ? x.extra.map(walk).join("") : "") : "";
  return walk(c).replace(/§./g, "");
}

/** Buffers TCP reads until whole frames are in. */
class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private waiter: (() => void) | null = null;
  onEnd: (e: Error) => void = () => {};

  push(d: Uint8Array): void {
    this.buf = concat(this.buf, d);
    this.waiter?.();
  }

  async next(): Promise<{ id: number; data: Uint8Array; at: number }> {
    for (;;) {
      const len = readVarInt(this.buf, 0);
      if (len && len.value > MAX_FRAME) throw new ProtocolError(`malformed reply at byte ${this.offset}: frame of ${len.value} bytes is over ${MAX_FRAME}`);
      if (len && len.value < 1) throw new ProtocolError(`malformed reply at byte ${this.offset}: empty frame`);
      if (len && this.buf.length >= len.size + len.value) {
        const id = readVarInt(this.buf, len.size);
        if (!id || id.size > len.value) throw new ProtocolError(`malformed reply at byte ${this.offset + len.size}: bad packet id`);
        const data = this.buf.slice(len.size + id.size, len.size + len.value);
        const at = this.offset + len.size + id.size;
        this.offset += len.size + len.value;
        this.buf = this.buf.slice(len.size + len.value);
        return { id: id.value, data, at };
      }
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = null;
    }
  }
}
