import { afterEach, describe, expect, test } from "bun:test";
import { handshake, plainText, queryMinecraft, readVarInt, writeVarInt } from "../../src/servers/minecraft.ts";
import { fakeMinecraft } from "./fakes.ts";

const STATUS = {
  version: { name: "1.21.4", protocol: 769 },
  players: { max: 20, online: 2, sample: [{ name: "Steve", id: "069a79f4-44e9-4726-a5be-fca90e38aaf5" }, { name: "Alex", id: "853c80ef-3c37-49fd-aa49-938b674adae6" }] },
  description: { text: "§aLan ", extra: [{ text: "Survival", bold: true }] },
  favicon: "data:image/png;base64,AAAA",
};

let close: (() => void)[] = [];
afterEach(() => {
  close.forEach((c) => c());
  close = [];
});
const start = async (b: Parameters<typeof fakeMinecraft>[0]) => {
  const f = await fakeMinecraft(b);
  close.push(f.close);
  return f;
};

describe("VarInt", () => {
  test("the reference samples, and -1 as five bytes", () => {
    expect(writeVarInt(25565)).toEqual([0xdd, 0xc7, 0x01]);
    expect(writeVarInt(2097151)).toEqual([0xff, 0xff, 0x7f]);
    expect(writeVarInt(-1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(readVarInt(new Uint8Array([0xdd, 0xc7, 0x01]), 0)).toEqual({ value: 25565, size: 3 });
    expect(readVarInt(new Uint8Array([0xdd, 0xc7]), 0)).toBeNull();
    expect(() => readVarInt(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0)).toThrow("VarInt longer than 5 bytes");
  });
  test("handshake bytes: protocol -1, address, big-endian port, next state 1", () => {
    expect(Array.from(handshake("mc", 25565))).toEqual([12, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 2, 0x6d, 0x63, 0x63, 0xdd, 1]);
  });
});

describe("Server List Ping", () => {
  test("status JSON, chat-component description as plain text, ping/pong latency", async () => {
    // The pong is held 50 ms: the latency is the ping's round trip, so at least that, and no more
    // than the whole query took.
    const f = await start({ status: STATUS, pongDelayMs: 50 });
    const t0 = performance.now();
    const r = await queryMinecraft("127.0.0.1", f.port);
    const whole = performance.now() - t0;
    expect(r).toMatchObject({ version: "1.21.4", protocol: 769, online: 2, max: 20, motd: "Lan Survival", sample: [{ name: "Steve", id: "069a79f4-44e9-4726-a5be-fca90e38aaf5" }, { name: "Alex" }] });
    expect(r.latencyMs).toBeGreaterThanOrEqual(49); // a timer may fire up to a millisecond early
    expect(r.latencyMs).toBeLessThanOrEqual(whole);
    expect(f.handshakes.length).toBe(1);
  });

  test("a reply arriving one byte per read is buffered until the frame is whole", async () => {
    const f = await start({ status: { ...STATUS, description: "plain §6motd" }, dribble: 1 });
    const r = await queryMinecraft("127.0.0.1", f.port, { timeoutMs: 5000 });
    expect(r.motd).toBe("plain motd");
    expect(plainText({ text: "a", extra: ["b", { text: "c", extra: [{ text: "d" }] }] })).toBe("abcd");
  });

  test("bad JSON, a missing player count, an oversized frame and a wrong packet are clear errors", async () => {
    const body = new TextEncoder().encode("{nope");
    let f = await start({ status: null, raw: new Uint8Array([body.length + 2, 0, body.length, ...body]) });
    await expect(queryMinecraft("127.0.0.1", f.port)).rejects.toThrow("malformed reply at byte 3: status is not valid JSON");
    f = await start({ status: { version: { name: "x" } } });
    await expect(queryMinecraft("127.0.0.1", f.port)).rejects.toThrow("status JSON has no players.online/players.max numbers");
    f = await start({ status: null, raw: new Uint8Array([...writeVarInt(5 << 20), 0]) });
    await expect(queryMinecraft("127.0.0.1", f.port)).rejects.toThrow("malformed reply at byte 0: frame of 5242880 bytes is over 1048576");
    f = await start({ status: null, raw: new Uint8Array([2, 0x05, 0]) });
    await expect(queryMinecraft("127.0.0.1", f.port)).rejects.toThrow("malformed reply at byte 2: packet 0x5, expected status 0x00");
  });
});
