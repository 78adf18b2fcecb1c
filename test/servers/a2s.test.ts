import { afterEach, describe, expect, test } from "bun:test";
import { queryA2s } from "../../src/servers/a2s.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Bytes, compressedSplit, fakeA2s, infoPayload, playersPayload, type FakeInfo } from "./fakes.ts";

const INFO: FakeInfo = {
  name: "Lan Party", map: "c1m1_hotel", folder: "left4dead2", game: "Left 4 Dead 2", appId: 550,
  players: 5, maxPlayers: 8, bots: 1, version: "2.2.2.6",
  edf: { port: 27015, steamId: 90264374594008077n, tv: [27020, "tv"], keywords: "coop,versus", gameId: 550n },
};
const PLAYERS = [{ name: "Ellis", score: 12, duration: 61.5 }, { name: "Nick \"the\" Con", score: -3, duration: 3600 }];

const ipv6Loopback = await Bun.udpSocket({ hostname: "::1" }).then((s) => (s.close(), true), () => false);
let close: (() => void)[] = [];
afterEach(() => {
  close.forEach((c) => c());
  close = [];
});
const start = async (b: Parameters<typeof fakeA2s>[0]) => {
  const f = await fakeA2s(b);
  close.push(f.close);
  return f;
};

describe("A2S", () => {
  test("INFO with every extra-data field, PLAYER through the challenge; 64-bit ids stay exact", async () => {
    const f = await start({ info: INFO, players: PLAYERS });
    const r = await queryA2s("127.0.0.1", f.port);
    expect(r.info).toMatchObject({ protocol: 17, name: "Lan Party", map: "c1m1_hotel", folder: "left4dead2", appId: 550, players: 5, maxPlayers: 8, bots: 1,
      serverType: "d", environment: "l", passworded: false, vac: true, version: "2.2.2.6", port: 27015, tvPort: 27020, tvName: "tv", keywords: "coop,versus" });
    expect(r.info.steamId).toBe(90264374594008077n);
    expect(r.info.gameId).toBe(550n);
    expect(r.players).toEqual([{ name: "Ellis", score: 12, durationS: 61.5 }, { name: "Nick \"the\" Con", score: -3, durationS: 3600 }]);
    // PLAYER asks for a challenge with FF FF FF FF, then repeats with the server's 4 bytes.
    const player = f.requests.filter((q) => q[4] === 0x55).map((q) => Array.from(q.subarray(5)));
    expect(player).toEqual([[0xff, 0xff, 0xff, 0xff], [0x4b, 0x1d, 0x2c, 0x7a]]);
  });

  test("INFO answered with S2C_CHALLENGE is repeated with the challenge appended (29 bytes)", async () => {
    const f = await start({ info: INFO, players: [], challenge: true });
    const r = await queryA2s("127.0.0.1", f.port, { players: false });
    expect(r.info.name).toBe("Lan Party");
    expect(r.players).toBeNull();
    expect(f.requests.map((q) => q.length)).toEqual([25, 29]);
  });

  test("a reply without extra data (very old servers) parses", async () => {
    const { edf, ...plain } = INFO;
    const f = await start({ info: plain, players: [] });
    const r = await queryA2s("127.0.0.1", f.port, { players: false });
    expect(r.info.port).toBeUndefined();
    expect(r.info.version).toBe("2.2.2.6");
  });

  test("split replies are reassembled by fragment number, whatever the arrival order", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ name: `player-${i}-${"x".repeat(20)}`, score: i, duration: i * 10 }));
    const f = await start({ info: INFO, players: many, splitAt: 300 });
    const r = await queryA2s("127.0.0.1", f.port);
    expect(r.players!.length).toBe(60);
    expect(r.players![59]).toEqual({ name: `player-59-${"x".repeat(20)}`, score: 59, durationS: 590 });
    expect(r.info.map).toBe("c1m1_hotel");
  });

  test("a bzip2-compressed split reply is decompressed and checked against its size and CRC32", async () => {
    // players.bz2: Python's bz2 of this same 40-player reply.
    const plain = playersPayload(Array.from({ length: 40 }, (_, i) => ({ name: `player ${i}`, score: i, duration: i })));
    const packed = new Uint8Array(readFileSync(join(import.meta.dir, "fixtures", "players.bz2")));
    const reply = (crc: number) => (req: Uint8Array) =>
      req[4] === 0x54 ? infoPayload(INFO) : req.length === 9 && req[5] === 0xff ? new Bytes().i32(-1).u8(0x41, 1, 2, 3, 4).build() : compressedSplit(packed, plain.length, crc, 100).reverse();
    let f = await start({ info: INFO, players: [], override: reply(Bun.hash.crc32(plain)) });
    const r = await queryA2s("127.0.0.1", f.port);
    expect(r.players!.length).toBe(40);
    expect(r.players![39]).toEqual({ name: "player 39", score: 39, durationS: 39 });
    f = await start({ info: INFO, players: [], override: reply(Bun.hash.crc32(plain) ^ 1) });
    // INFO answered; the broken PLAYER reply costs the players only.
    const broken = await queryA2s("127.0.0.1", f.port);
    expect(broken.info.name).toBe("Lan Party");
    expect(broken).toMatchObject({ players: null, playersProblem: "A2S_PLAYER: malformed reply: decompressed split reply fails its size or CRC32 check" });
  });

  test("truncated, garbage and wrong-type replies name the byte", async () => {
    const truncated = infoPayload(INFO).subarray(0, 30);
    let f = await start({ info: INFO, players: [], override: () => truncated });
    await expect(queryA2s("127.0.0.1", f.port)).rejects.toThrow(/malformed reply at byte \d+: (map|folder) has no terminating zero/);
    f = await start({ info: INFO, players: [], override: () => new Uint8Array([1, 2, 3, 4, 5, 6]) });
    await expect(queryA2s("127.0.0.1", f.port)).rejects.toThrow("malformed reply at byte 0: unknown packet header 0x04030201");
    f = await start({ info: INFO, players: [], override: () => new Bytes().i32(-1).u8(0x45, 0, 0).build() });
    await expect(queryA2s("127.0.0.1", f.port)).rejects.toThrow("malformed reply at byte 4: reply type 0x45, expected 0x49 or 0x6d");
    f = await start({ info: INFO, players: [], override: () => new Bytes().i32(-2).i32(1).u8(0, 0).i16(1248).build() });
    await expect(queryA2s("127.0.0.1", f.port)).rejects.toThrow("malformed reply at byte 8: fragment 0 of 0");
  });

  test("a server that never answers times out at the deadline", async () => {
    const f = await start({ info: INFO, players: [], override: () => null });
    // Its 300 ms deadline fires before a 900 ms timer started with it (timers fire in order of due time).
    const outcome = await Promise.race([
      queryA2s("127.0.0.1", f.port, { timeoutMs: 300 }).then(() => "answered", (e: Error) => e.message),
      Bun.sleep(900).then(() => "still waiting at three times the deadline"),
    ]);
    expect(outcome).toBe(`timeout after 0.3 s waiting for an A2S reply from 127.0.0.1:${f.port}`);
  });

  test.skipIf(!ipv6Loopback)("a server at an IPv6 address answers (the socket takes the address's family)", async () => {
    const f = await start({ info: INFO, players: PLAYERS, hostname: "::1" });
    const r = await queryA2s("::1", f.port);
    expect(r.info.name).toBe("Lan Party");
    expect(r.players!.map((p) => p.name)).toEqual(["Ellis", "Nick \"the\" Con"]);
  });

  test("a host name that does not resolve is said so", async () => {
    // A generous deadline: a resolver without network may take seconds to say no.
    await expect(queryA2s("no-such-host.invalid", 27015, { timeoutMs: 15_000 })).rejects.toThrow('cannot resolve host "no-such-host.invalid"');
  });
});
