// Source RCON over TCP: auth (with or without the empty packet Source 1 sends first), then one
// command whose reply may span several packets. Format: Valve Developer Community, "Source RCON Protocol".
// Packet: size i32 (bytes after it, 10–4096), id i32, type i32, body, 0x00, 0x00 (little-endian).
import type { Socket } from "bun";
import { concat, deadline, ProtocolError, Reader, resolveHost } from "./reader.ts";

const AUTH = 3;
const EXEC = 2;
const AUTH_RESPONSE = 2;
const RESPONSE_VALUE = 0;
export const MAX_PACKET = 4096;
/** Stop waiting this long after the last reply byte when the server does not mirror the marker. */
const QUIET_MS = 500;
/** More output than any `status` makes: a server that keeps talking is cut off. */
const MAX_OUTPUT = 1 << 20;

export class RconAuthError extends ProtocolError {}

export interface RconPacket {
  id: number;
  type: number;
  /** Bytes, not text: a reply's text is decoded once all its packets are joined, because a packet
   * boundary may fall inside a UTF-8 character ("Jürgen" cut between its two bytes for ü). */
  body: Uint8Array;
}

export function encodePacket(id: number, type: number, body: string | Uint8Array): Uint8Array {
  const text = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const out = new Uint8Array(14 + text.length);
  const v = new DataView(out.buffer);
  v.setInt32(0, 10 + text.length, true);
  v.setInt32(4, id, true);
  v.setInt32(8, type, true);
  out.set(text, 12);
  return out;
}

/** Splits complete packets off the front of a buffer; returns them and the bytes consumed. */
export function decodePackets(buf: Uint8Array, offset = 0): { packets: RconPacket[]; used: number } {
  const packets: RconPacket[] = [];
  let at = 0;
  while (buf.length - at >= 4) {
    const r = new Reader(buf, at);
    const size = r.i32("packet size");
    if (size < 10 || size > MAX_PACKET) r.fail(`packet size ${size} outside 10–${MAX_PACKET}`, offset + at);
    if (buf.length - at - 4 < size) break;
    const id = r.i32("packet id"), type = r.i32("packet type");
    const body = r.bytes(size - 10, "packet body");
    if (buf[at + 4 + size - 2] !== 0 || buf[at + 4 + size - 1] !== 0) r.fail("packet does not end with two zero bytes", offset + at + 4 + size - 2);
    packets.push({ id, type, body: body.slice() });
    at += 4 + size;
  }
  return { packets, used: at };
}

/** Connects, authenticates, runs one command and closes; resolves with the command's whole output. */
export async function rconCommand(host: string, port: number, password: string, command: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  // One deadline for everything, the name lookup and the connect included.
  const timer = deadline(opts.timeoutMs ?? 2000, `an RCON reply from ${host}:${port}`);
  const conn = new RconConnection();
  try {
    return await Promise.race([resolveHost(host).then((address) => conn.run(address, port, password, command)), timer.promise]);
  } finally {
    timer.clear();
    conn.close();
  }
}

class RconConnection {
  private socket: Socket | null = null;
  private closed = false;
  private pending = new Uint8Array(0);
  private received = 0;
  private onPacket: (p: RconPacket) => void = () => {};
  private onEnd: (e: Error) => void = () => {};
  /** Whether a close by the server ends the output instead of failing the command. */
  private endsOutput: () => boolean = () => false;
  private quiet: ReturnType<typeof setTimeout> | undefined;

  async run(address: string, port: number, password: string, command: string): Promise<string> {
    const ended = new Promise<never>((_, reject) => (this.onEnd = reject));
    ended.catch(() => {});
    try {
      this.socket = await Bun.connect({
        hostname: address,
        port,
        socket: {
          data: (_s, data) => this.receive(data),
          close: () => {
            if (!this.endsOutput()) this.onEnd(new ProtocolError("the server closed the connection"));
          },
          error: (_s, e) => this.onEnd(new ProtocolError(`connection error: ${e.message}`)),
        },
      });
    } catch (e) {
      throw new ProtocolError(`cannot connect to ${address}:${port} (${(e as Error).message})`);
    }
    if (this.closed) {
      this.socket.end();
      throw new ProtocolError("given up before the connection opened");
    }
    await Promise.race([this.auth(password), ended]);
    return await Promise.race([this.exec(command), ended]);
  }

  /** Reads until an AUTH_RESPONSE: our id = success, -1 = wrong password; earlier packets are skipped. */
  private auth(password: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onPacket = (p) => {
        if (p.type !== AUTH_RESPONSE) return;
        if (p.id === 1) resolve();
        else if (p.id === -1) reject(new RconAuthError("auth failed: the server refused the RCON password"));
        else reject(new ProtocolError(`auth reply carries id ${p.id}, expected 1 or -1`));
      };
      this.socket!.write(encodePacket(1, AUTH, password));
    });
  }

  /** The command, then an empty RESPONSE_VALUE as an end marker the server mirrors after the output. */
  private exec(command: string): Promise<string> {
    const parts: Uint8Array[] = [];
    let bytes = 0;
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(this.quiet);
        this.onPacket = () => {};
        resolve(new TextDecoder().decode(concat(...parts)));
      };
      this.onPacket = (p) => {
        if (p.id === 3) return finish();
        if (p.id !== 2 || p.type !== RESPONSE_VALUE) return;
        parts.push(p.body);
        bytes += p.body.length;
        if (bytes > MAX_OUTPUT) return reject(new ProtocolError(`reply over ${MAX_OUTPUT} bytes`));
        // Fallback for servers that never mirror the marker (CS2 answers in one packet).
        clearTimeout(this.quiet);
        this.quiet = setTimeout(finish, QUIET_MS);
      };
      this.endsOutput = () => bytes > 0 && (finish(), true);
      this.socket!.write(encodePacket(2, EXEC, command));
      this.socket!.write(encodePacket(3, RESPONSE_VALUE, ""));
    });
  }

  private receive(data: Uint8Array): void {
    const buf = this.pending.length ? concat(this.pending, data) : data;
    let decoded;
    try {
      decoded = decodePackets(buf, this.received);
    } catch (e) {
      return this.onEnd(e as Error);
    }
    this.received += decoded.used;
    this.pending = buf.slice(decoded.used);
    for (const p of decoded.packets) this.onPacket(p);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.quiet);
    this.onPacket = () => {};
    this.socket?.end();
  }
}
