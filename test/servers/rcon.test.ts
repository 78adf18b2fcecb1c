import { afterEach, describe, expect, test } from "bun:test";
import { decodePackets, encodePacket, rconCommand, RconAuthError } from "../../src/servers/rcon.ts";
import { until } from "../helpers/box.ts";
import { fakeRcon, type RconBehaviour } from "./fakes.ts";
import { parseStatus } from "../../src/servers/status.ts";
import { TF2 } from "./status-fixtures.ts";

let close: (() => void)[] = [];
afterEach(() => {
  close.forEach((c) => c());
  close = [];
});
const start = async (b: Partial<RconBehaviour>) => {
  const f = await fakeRcon({ password: "secret", emptyBeforeAuth: true, output: "hello", mirror: true, ...b });
  close.push(f.close);
  return f;
};

describe("RCON packets", () => {
  test("exact bytes: size, id, type, body, two zeros", () => {
    expect(Array.from(encodePacket(7, 3, "pw"))).toEqual([12, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 0x70, 0x77, 0, 0]);
    expect(Array.from(encodePacket(3, 0, ""))).toEqual([10, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  test("decoding keeps a partial packet for later and rejects sizes outside 10–4096", () => {
    const two = new Uint8Array([...encodePacket(1, 0, "ab"), ...encodePacket(2, 2, "").subarray(0, 6)]);
    expect(decodePackets(two)).toEqual({ packets: [{ id: 1, type: 0, body: new TextEncoder().encode("ab") }], used: 16 });
    const big = new Uint8Array(16);
    new DataView(big.buffer).setInt32(0, 5000, true);
    expect(() => decodePackets(big, 40)).toThrow("malformed reply at byte 40: packet size 5000 outside 10–4096");
    const noZeros = encodePacket(1, 0, "ab");
    noZeros[15] = 0x41;
    expect(() => decodePackets(noZeros)).toThrow("malformed reply at byte 14: packet does not end with two zero bytes");
  });
});

describe("RCON client", () => {
  test("Source 1: empty packet before the auth reply, multi-packet output ended by the mirrored marker", async () => {
    const output = "line of status output\n".repeat(700); // 15,400 bytes: four packets
    // More output right behind the mirrored marker: taken only by a client that kept reading
    // after the marker (waiting out the 500 ms quiet-time fallback), so the marker ends it at once.
    const f = await start({ output, chunk: 4000, trailing: "after the marker" });
    expect(await rconCommand("127.0.0.1", f.port, "secret", "status")).toBe(output);
  });

  test("CS2: no empty packet before auth, one reply packet, no mirror: the quiet-time fallback ends it", async () => {
    const f = await start({ emptyBeforeAuth: false, mirror: false, output: "one packet" });
    const t0 = performance.now();
    expect(await rconCommand("127.0.0.1", f.port, "secret", "status")).toBe("one packet");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
  });

  test("a wrong password is an auth failure, with and without the leading empty packet", async () => {
    for (const emptyBeforeAuth of [true, false]) {
      const f = await start({ emptyBeforeAuth });
      const err = await rconCommand("127.0.0.1", f.port, "wrong", "status").catch((e) => e);
      expect(err).toBeInstanceOf(RconAuthError);
      expect(err.message).toBe("auth failed: the server refused the RCON password");
    }
  });

  test("an oversized packet, a silent server and a refused port are clear errors; connections are closed", async () => {
    const oversized = new Uint8Array(20);
    new DataView(oversized.buffer).setInt32(0, 9000, true);
    let f = await start({ raw: () => oversized });
    await expect(rconCommand("127.0.0.1", f.port, "secret", "status")).rejects.toThrow(/malformed reply at byte \d+: packet size 9000 outside 10–4096/);
    await until(() => f.connections.open === 0, "the connection to close");
    f = await start({ raw: () => null });
    await expect(rconCommand("127.0.0.1", f.port, "secret", "status", { timeoutMs: 300 })).rejects.toThrow(`timeout after 0.3 s waiting for an RCON reply from 127.0.0.1:${f.port}`);
    await until(() => f.connections.open === 0, "the connection to close");
    const port = f.port;
    f.close();
    await expect(rconCommand("127.0.0.1", port, "secret", "status")).rejects.toThrow(`cannot connect to 127.0.0.1:${port}`);
  });

  test("a reply split inside a multi-byte character comes out intact at every cut position", async () => {
    const names = ["Jürgen", "Ødegaard", "Łucja", "🎮 Gamer"];
    const output = TF2.replace('"Just PYE"', `"${names[0]}"`).replace('"a very long player name here"', `"${names[1]} ${names[2]} ${names[3]}"`);
    const byteAt = (i: number) => new TextEncoder().encode(output.slice(0, i)).length;
    // Every cut from just before the ü of Jürgen to just after the emoji (a surrogate pair, 4 bytes).
    const from = byteAt(output.indexOf("ü"));
    const to = byteAt(output.indexOf("🎮") + 2);
    expect(to - from).toBeGreaterThan(40);
    const f = await start({ output, mirror: true });
    for (let cut = from; cut <= to; cut++) {
      f.behaviour.cuts = [cut];
      const text = await rconCommand("127.0.0.1", f.port, "secret", "status");
      expect({ cut, same: text === output }).toEqual({ cut, same: true });
    }
    expect(parseStatus(output).players.filter((p) => !p.bot).map((p) => p.name)).toEqual([names[0], names.slice(1).join(" ")]);
  });

  test("a reset in the middle of a reply, a peer that never answers and a name that does not resolve are clear errors", async () => {
    // Accepts, answers the auth, then half a reply packet and a hard close.
    const reset = Bun.listen({
      hostname: "127.0.0.1", port: 0,
      socket: {
        data(s, d) {
          if (d[8] === 3) return void s.write(encodePacket(d[4], 2, ""));
          s.write(encodePacket(2, 0, "partial output that is cut").subarray(0, 20));
          s.terminate();
        },
      },
    });
    close.push(() => reset.stop(true));
    await expect(rconCommand("127.0.0.1", reset.port, "secret", "status")).rejects.toThrow(/^(the server closed the connection|connection error: .*)$/);
    // Accepts and never says a word.
    const mute = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    close.push(() => mute.stop(true));
    await expect(rconCommand("127.0.0.1", mute.port, "secret", "status", { timeoutMs: 300 })).rejects.toThrow(`timeout after 0.3 s waiting for an RCON reply from 127.0.0.1:${mute.port}`);
    await expect(rconCommand("no-such-host.invalid", 27015, "secret", "status", { timeoutMs: 15_000 })).rejects.toThrow('cannot resolve host "no-such-host.invalid"');
  });
});
