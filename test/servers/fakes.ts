// Fake game servers on 127.0.0.1, built from the published byte layouts (Valve's "Server queries" and
// "Source RCON Protocol", the Minecraft "Server List Ping").
import type { Socket, TCPSocketListener } from "bun";
import { encodePacket, decodePackets } from "../../src/servers/rcon.ts";
import { readVarInt, writeVarInt } from "../../src/servers/minecraft.ts";

/** Little-endian byte builder. */
export class Bytes {
  private parts: number[] = [];
  u8(...v: number[]) { this.parts.push(...v); return this; }
  i16(v: number) { this.parts.push(v & 0xff, (v >> 8) & 0xff); return this; }
  i32(v: number) { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v, true); this.parts.push(...b); return this; }
  f32(v: number) { const b = new Uint8Array(4); new DataView(b.buffer).setFloat32(0, v, true); this.parts.push(...b); return this; }
  u64(v: bigint) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v, true); this.parts.push(...b); return this; }
  str(s: string) { this.parts.push(...new TextEncoder().encode(s), 0); return this; }
  raw(b: Uint8Array | number[]) { this.parts.push(...b); return this; }
  build() { return new Uint8Array(this.parts); }
}

export interface FakeInfo {
  name: string; map: string; folder: string; game: string; appId: number;
  players: number; maxPlayers: number; bots: number; version: string;
  edf?: { port?: number; steamId?: bigint; tv?: [number, string]; keywords?: string; gameId?: bigint };
}

export const infoPayload = (i: FakeInfo) => {
  const b = new Bytes().i32(-1).u8(0x49, 17).str(i.name).str(i.map).str(i.folder).str(i.game).i16(i.appId)
    .u8(i.players, i.maxPlayers, i.bots, "d".charCodeAt(0), "l".charCodeAt(0), 0, 1).str(i.version);
  if (i.edf) {
    const e = i.edf;
    b.u8((e.port !== undefined ? 0x80 : 0) | (e.steamId !== undefined ? 0x10 : 0) | (e.tv ? 0x40 : 0) | (e.keywords !== undefined ? 0x20 : 0) | (e.gameId !== undefined ? 0x01 : 0));
    if (e.port !== undefined) b.i16(e.port);
    if (e.steamId !== undefined) b.u64(e.steamId);
    if (e.tv) b.i16(e.tv[0]).str(e.tv[1]);
    if (e.keywords !== undefined) b.str(e.keywords);
    if (e.gameId !== undefined) b.u64(e.gameId);
  }
  return b.build();
};

export const playersPayload = (players: { name: string; score: number; duration: number }[]) => {
  const b = new Bytes().i32(-1).u8(0x44, players.length);
  for (const p of players) b.u8(0).str(p.name).i32(p.score).f32(p.duration);
  return b.build();
};

/** Source split packets: ID, total, number, size 1248, payload slice. */
export function split(payload: Uint8Array, chunk: number, id = 0x1234): Uint8Array[] {
  const total = Math.ceil(payload.length / chunk);
  return Array.from({ length: total }, (_, n) => new Bytes().i32(-2).i32(id).u8(total, n).i16(1248).raw(payload.subarray(n * chunk, (n + 1) * chunk)).build());
}

/** A bzip2-compressed split reply: the ID's top bit set, size and CRC32 of the whole in fragment 0. */
export function compressedSplit(packed: Uint8Array, size: number, crc: number, chunk: number, id = 0x4321): Uint8Array[] {
  const total = Math.ceil(packed.length / chunk);
  return Array.from({ length: total }, (_, n) => {
    const b = new Bytes().i32(-2).i32(id | 0x80000000).u8(total, n).i16(1248);
    if (n === 0) b.i32(size).i32(crc | 0);
    return b.raw(packed.subarray(n * chunk, (n + 1) * chunk)).build();
  });
}

export interface A2sBehaviour {
  info: FakeInfo;
  players: { name: string; score: number; duration: number }[];
  /** Answer every request without the right challenge with S2C_CHALLENGE. */
  challenge?: boolean;
  /** Split every reply into fragments of this many bytes, sent in reverse order. */
  splitAt?: number;
  /** Replace the reply entirely (garbage, truncation), null to stay silent, undefined to answer as usual. */
  override?: (req: Uint8Array) => Uint8Array | Uint8Array[] | null | undefined;
  /** Listen here instead of 127.0.0.1. */
  hostname?: string;
}

const CHALLENGE = [0x4b, 0x1d, 0x2c, 0x7a];

export async function fakeA2s(b: A2sBehaviour) {
  const requests: Uint8Array[] = [];
  const sock = await Bun.udpSocket({
    hostname: b.hostname ?? "127.0.0.1",
    socket: {
      data(s, buf, port, addr) {
        const req = new Uint8Array(buf);
        requests.push(req);
        const send = (d: Uint8Array | Uint8Array[]) => {
          const list = Array.isArray(d) ? d : b.splitAt ? split(d, b.splitAt).reverse() : [d];
          for (const x of list) s.send(x, port, addr);
        };
        const r = b.override?.(req);
        if (r === null) return;
        if (r) return send(r);
        const type = req[4];
        const tail = Array.from(req.subarray(req.length - 4));
        const hasChallenge = tail.join() === CHALLENGE.join();
        if ((b.challenge || type !== 0x54) && !hasChallenge) return send(new Bytes().i32(-1).u8(0x41, ...CHALLENGE).build());
        if (type === 0x54) send(infoPayload(b.info));
        else if (type === 0x55) send(playersPayload(b.players));
      },
    },
  });
  return { port: sock.port, requests, behaviour: b, close: () => sock.close() };
}

export interface RconBehaviour {
  password: string;
  /** Source 1 sends an empty RESPONSE_VALUE before the AUTH_RESPONSE; CS2 does not. */
  emptyBeforeAuth: boolean;
  /** The `status` text. */
  output: string;
  /** Split the output into packets of this many body bytes. */
  chunk?: number;
  /** Or at these byte offsets exactly. */
  cuts?: number[];
  /** Mirror the empty end-marker packet (then send the odd trailing packet, as Source 1 does). */
  mirror: boolean;
  /** Replace the raw reply to the command. */
  raw?: () => Uint8Array | null;
  /** With mirror: more output right behind the mirrored marker, which a client ending at the marker never takes. */
  trailing?: string;
}

export async function fakeRcon(b: RconBehaviour) {
  const connections = { opened: 0, open: 0 };
  const server: TCPSocketListener<{ buf: Uint8Array; authed: boolean; execId: number }> = Bun.listen({
    hostname: "127.0.0.1", port: 0,
    socket: {
      open(s) { s.data = { buf: new Uint8Array(0), authed: false, execId: 0 }; connections.opened++; connections.open++; },
      close() { connections.open--; },
      data(s, d) {
        const buf = new Uint8Array(s.data.buf.length + d.length);
        buf.set(s.data.buf); buf.set(d, s.data.buf.length);
        const { packets, used } = decodePackets(buf);
        s.data.buf = buf.slice(used);
        for (const p of packets) reply(s, p);
      },
    },
  });
  function reply(s: Socket<{ buf: Uint8Array; authed: boolean; execId: number }>, p: { id: number; type: number; body: Uint8Array }) {
    if (p.type === 3) {
      if (b.emptyBeforeAuth) s.write(encodePacket(p.id, 0, ""));
      const ok = new TextDecoder().decode(p.body) === b.password;
      s.data.authed = ok;
      s.write(encodePacket(ok ? p.id : -1, 2, ""));
    } else if (p.type === 2) {
      if (!s.data.authed) return void s.end();
      s.data.execId = p.id;
      const raw = b.raw?.();
      if (raw === null) return;
      if (raw) return void s.write(raw);
      // Split by bytes, as srcds does: a packet may end in the middle of a UTF-8 character.
      const out = new TextEncoder().encode(b.output);
      const cuts = b.cuts ?? Array.from({ length: Math.max(0, Math.ceil(out.length / (b.chunk ?? 4000)) - 1) }, (_, k) => (k + 1) * (b.chunk ?? 4000));
      const bounds = [0, ...cuts, out.length];
      for (let k = 0; k < bounds.length - 1; k++) s.write(encodePacket(p.id, 0, out.subarray(bounds[k], bounds[k + 1])));
    } else if (p.type === 0 && b.mirror && s.data.authed && !b.raw) {
      s.write(encodePacket(p.id, 0, ""));
      s.write(encodePacket(p.id, 0, "\u0000\u0001\u0000\u0000"));
      if (b.trailing) s.write(encodePacket(s.data.execId, 0, b.trailing));
    }
  }
  return { port: server.port, connections, behaviour: b, close: () => server.stop(true) };
}

export interface McBehaviour {
  status: unknown;
  /** Deliver the reply one byte at a time, this many ms apart (the client must buffer until the frame is whole). */
  dribble?: number;
  raw?: Uint8Array;
  /** Hold the pong this long: a known part of the measured latency. */
  pongDelayMs?: number;
}

export async function fakeMinecraft(b: McBehaviour) {
  const handshakes: Uint8Array[] = [];
  const server = Bun.listen<{ buf: Uint8Array }>({
    hostname: "127.0.0.1", port: 0,
    socket: {
      open(s) { s.data = { buf: new Uint8Array(0) }; },
      async data(s, d) {
        const buf = new Uint8Array(s.data.buf.length + d.length);
        buf.set(s.data.buf); buf.set(d, s.data.buf.length);
        s.data.buf = buf;
        for (;;) {
          const len = readVarInt(s.data.buf, 0);
          if (!len || s.data.buf.length < len.size + len.value) return;
          const frame = s.data.buf.slice(0, len.size + len.value);
          s.data.buf = s.data.buf.slice(len.size + len.value);
          const id = frame[len.size];
          if (id === 0 && len.value > 1) handshakes.push(frame);
          else if (id === 0) await sendStatus(s);
          else if (id === 1) {
            if (b.pongDelayMs) await Bun.sleep(b.pongDelayMs);
            s.write(frame); // pong echoes the ping
          }
        }
      },
    },
  });
  async function sendStatus(s: Socket<{ buf: Uint8Array }>) {
    const json = new TextEncoder().encode(JSON.stringify(b.status));
    const body = [0, ...writeVarInt(json.length), ...json];
    const out = b.raw ?? new Uint8Array([...writeVarInt(body.length), ...body]);
    if (!b.dribble) return void s.write(out);
    for (const x of out) {
      s.write(new Uint8Array([x]));
      await Bun.sleep(b.dribble);
    }
  }
  return { port: server.port, handshakes, behaviour: b, close: () => server.stop(true) };
}
