// Valve A2S server queries over UDP: INFO and PLAYER, the challenge round trip, split replies.
// Wire format: Valve Developer Community, "Server queries" (little-endian; strings end with 0x00).
import { onUdpError, udpErrorText, type SocketError } from "../util/udp.ts";
import { bunzip2 } from "./bzip2.ts";
import { concat, deadline, ProtocolError, Reader, resolveHost } from "./reader.ts";

export interface A2sInfo {
  protocol: number;
  name: string;
  map: string;
  folder: string;
  game: string;
  appId: number;
  /** Includes bots on most games. */
  players: number;
  maxPlayers: number;
  bots: number;
  serverType: string;
  environment: string;
  passworded: boolean;
  vac: boolean;
  version: string;
  port?: number;
  /** 64-bit ids exceed 2^53: kept as bigint. */
  steamId?: bigint;
  tvPort?: number;
  tvName?: string;
  keywords?: string;
  gameId?: bigint;
}

export interface A2sPlayer {
  name: string;
  score: number;
  durationS: number;
}

const SINGLE = -1;
const SPLIT = -2;
const CHALLENGE = 0x41;
const MAX_FRAGMENTS = 32;
/**
 * The largest decompressed reply taken: INFO is under 1.4 KB and PLAYER for 255 players about
 * 11 KB. Decompressing costs time in proportion: this keeps a crafted reply within milliseconds.
 */
export const MAX_DECOMPRESSED = 64 * 1024;
const INFO_REQUEST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x54, ...new TextEncoder().encode("Source Engine Query"), 0]);
const PLAYER_REQUEST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x55]);
const NO_CHALLENGE = new Uint8Array([0xff, 0xff, 0xff, 0xff]);

export interface A2sResult {
  info: A2sInfo;
  /** null when not asked for, or when the PLAYER query failed (then `playersProblem` says why). */
  players: A2sPlayer[] | null;
  playersProblem?: string;
  latencyMs: number;
}

/**
 * Queries INFO (and PLAYER unless told not to) with one socket and one deadline for both. A
 * server that answers INFO but not PLAYER (a server setting or a firewall can block it) still
 * gives its INFO, with the PLAYER failure in `playersProblem`.
 */
export async function queryA2s(host: string, port: number, opts: { timeoutMs?: number; players?: boolean } = {}): Promise<A2sResult> {
  // One deadline for everything, the name lookup included.
  const timer = deadline(opts.timeoutMs ?? 2000, `an A2S reply from ${host}:${port}`);
  const within = <T>(p: Promise<T>) => Promise.race([p, timer.promise]);
  let ex: UdpExchange | null = null;
  let over = false;
  try {
    const address = await within(resolveHost(host));
    const t0 = performance.now();
    // A socket that opens after the deadline has nobody to close it but this.
    const opened = await within(UdpExchange.open(address, port).then((o) => (over && o.close(), o)));
    ex = opened;
    const info = parseInfo(await within(ask(opened, (c) => concat(INFO_REQUEST, c), [0x49, 0x6d])));
    const latencyMs = performance.now() - t0;
    if (opts.players === false) return { info, players: null, latencyMs };
    try {
      const reply = await within(ask(opened, (c) => concat(PLAYER_REQUEST, c ?? NO_CHALLENGE), [0x44]));
      return { info, players: parsePlayers(reply), latencyMs };
    } catch (e) {
      return { info, players: null, playersProblem: `A2S_PLAYER: ${(e as Error).message}`, latencyMs };
    }
  } finally {
    over = true;
    timer.clear();
    (ex as UdpExchange | null)?.close();
  }
}

/** Sends a request, answering up to three challenges by repeating it with the 4 bytes given. */
async function ask(ex: UdpExchange, build: (challenge?: Uint8Array) => Uint8Array, types: number[]): Promise<Reader> {
  let challenge: Uint8Array | undefined;
  for (let i = 0; i < 4; i++) {
    const r = new Reader(await ex.request(build(challenge)), 4);
    const type = r.u8("reply type");
    if (type === CHALLENGE) {
      challenge = r.bytes(4, "challenge number").slice();
      continue;
    }
    if (!types.includes(type)) r.fail(`reply type 0x${hex(type)}, expected 0x${types.map(hex).join(" or 0x")}`, 4);
    return r;
  }
  throw new ProtocolError("the server kept answering with a new challenge");
}

export function parseInfo(r: Reader): A2sInfo {
  if (r.buf[4] === 0x6d) return parseGoldSrcInfo(r);
  const info: A2sInfo = {
    protocol: r.u8("protocol"), name: r.cstring("name"), map: r.cstring("map"), folder: r.cstring("folder"),
    game: r.cstring("game"), appId: r.u16("app id"), players: r.u8("players"), maxPlayers: r.u8("max players"),
    bots: r.u8("bots"), serverType: chr(r.u8("server type")), environment: chr(r.u8("environment")),
    passworded: r.u8("visibility") === 1, vac: r.u8("vac") === 1, version: "",
  };
  if (info.appId === 2400) r.bytes(3, "The Ship fields");
  info.version = r.cstring("version");
  if (r.left === 0) return info;
  // Extra data: the flag blocks come in this order, which is not bit order.
  const edf = r.u8("extra data flag");
  if (edf & 0x80) info.port = r.u16("game port");
  if (edf & 0x10) info.steamId = r.u64("server steam id");
  if (edf & 0x40) {
    info.tvPort = r.u16("SourceTV port");
    info.tvName = r.cstring("SourceTV name");
  }
  if (edf & 0x20) info.keywords = r.cstring("keywords");
  if (edf & 0x01) info.gameId = r.u64("game id");
  return info;
}

function parseGoldSrcInfo(r: Reader): A2sInfo {
  r.cstring("address");
  const name = r.cstring("name"), map = r.cstring("map"), folder = r.cstring("folder"), game = r.cstring("game");
  const players = r.u8("players"), maxPlayers = r.u8("max players"), protocol = r.u8("protocol");
  const serverType = chr(r.u8("server type")), environment = chr(r.u8("environment"));
  const passworded = r.u8("visibility") === 1;
  if (r.u8("mod flag") === 1) {
    r.cstring("mod link");
    r.cstring("mod download link");
    r.bytes(11, "mod fields");
  }
  const vac = r.u8("vac") === 1;
  const bots = r.u8("bots");
  return { protocol, name, map, folder, game, appId: 0, players, maxPlayers, bots, serverType, environment, passworded, vac, version: "" };
}

export function parsePlayers(r: Reader): A2sPlayer[] {
  const count = r.u8("player count");
  const players: A2sPlayer[] = [];
  for (let i = 0; i < count; i++) {
    r.u8("player index");
    players.push({ name: r.cstring("player name"), score: r.i32("player score"), durationS: r.f32("player duration") });
  }
  return players;
}

/** One UDP socket talking to one server: each request resolves with the next whole message. */
class UdpExchange {
  private waiting: { resolve: (m: Uint8Array) => void; reject: (e: unknown) => void } | null = null;
  private parts = new Map<number, Uint8Array>();
  private splitId: number | null = null;
  /** A compressed split reply's first fragment gives the size and CRC32 of the whole. */
  private packed: { size: number; crc: number } | null = null;

  private constructor(private readonly socket: import("bun").udp.Socket<"buffer">, private readonly address: string, private readonly port: number) {}

  static async open(address: string, port: number): Promise<UdpExchange> {
    let ex: UdpExchange | null = null;
    const socket = await Bun.udpSocket({
      // An IPv4 socket cannot send to an IPv6 address (a literal; names resolve to IPv4).
      hostname: address.includes(":") ? "::" : "0.0.0.0",
      socket: {
        data: (_s, buf, fromPort) => {
          if (fromPort === port) ex?.receive(new Uint8Array(buf));
        },
        // A closed port on a live host answers with ICMP "port unreachable", which Linux reports
        // as ECONNREFUSED on the next receive: the server's problem, never the process's.
        error: onUdpError((err) => ex?.fail(err)),
      },
    });
    ex = new UdpExchange(socket, address, port);
    return ex;
  }

  request(payload: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.parts.clear();
      this.splitId = null;
      this.packed = null;
      this.socket.send(payload, this.port, this.address);
    });
  }

  close(): void {
    this.waiting = null;
    this.socket.close();
  }

  fail(err: SocketError): void {
    const w = this.waiting;
    this.waiting = null;
    const text = udpErrorText(err, `${this.address}:${this.port}`);
    w?.reject(new ProtocolError(err.code === "ECONNREFUSED" ? `${text} (is the game server running?)` : text));
  }

  private receive(datagram: Uint8Array): void {
    const w = this.waiting;
    if (!w) return;
    try {
      const msg = this.assemble(new Reader(datagram));
      if (!msg) return;
      this.waiting = null;
      w.resolve(msg);
    } catch (e) {
      this.waiting = null;
      w.reject(e);
    }
  }

  /** A whole message (from its FF FF FF FF header), or null while fragments are missing. */
  private assemble(r: Reader): Uint8Array | null {
    const header = r.i32("packet header");
    if (header === SINGLE) return r.buf;
    if (header !== SPLIT) r.fail(`unknown packet header 0x${(header >>> 0).toString(16).padStart(8, "0")}`, 0);
    const id = r.i32("split id");
    const total = r.u8("fragment total"), number = r.u8("fragment number");
    r.u16("fragment size");
    if (total === 0 || total > MAX_FRAGMENTS || number >= total) r.fail(`fragment ${number} of ${total}`, 8);
    if (this.splitId !== null && this.splitId !== id) {
      this.parts.clear();
      this.packed = null;
    }
    this.splitId = id;
    // The ID's top bit marks a bzip2-compressed reply.
    if (id & 0x80000000 && number === 0) this.packed = { size: r.i32("decompressed size"), crc: r.i32("CRC32") >>> 0 };
    this.parts.set(number, r.bytes(r.left, "fragment payload").slice());
    if (this.parts.size < total) return null;
    let whole = concat(...Array.from({ length: total }, (_, i) => this.parts.get(i)!));
    if (id & 0x80000000) whole = this.unpack(whole);
    if (whole.length < 5 || new DataView(whole.buffer).getInt32(0, true) !== SINGLE) {
      throw new ProtocolError("malformed reply: reassembled split message does not start with FF FF FF FF");
    }
    return whole;
  }

  private unpack(data: Uint8Array): Uint8Array {
    const { size, crc } = this.packed!;
    if (size < 5 || size > MAX_DECOMPRESSED) throw new ProtocolError(`malformed reply: compressed split reply claims ${size} bytes (at most ${MAX_DECOMPRESSED})`);
    const out = bunzip2(data, size);
    if (out.length !== size || Bun.hash.crc32(out) !== crc) throw new ProtocolError("malformed reply: decompressed split reply fails its size or CRC32 check");
    return out;
  }
}

const hex = (n: number) => n.toString(16).padStart(2, "0");
const chr = (n: number) => String.fromCharCode(n);
