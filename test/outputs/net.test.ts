// DDP and WLED realtime: real UDP sockets on 127.0.0.1 receive the packets, and decoders built
// from the protocol descriptions (not from the encoders) turn them back into colours.
import { afterEach, describe, expect, test } from "bun:test";
import { SettingsSchema, type DdpOutput, type WledUdpOutput } from "../../src/config/schema.ts";
import type { ColorOrder } from "../../src/config/schema.ts";
import { DdpDriver, WledUdpDriver } from "../../src/outputs/net.ts";
import { until } from "../helpers/box.ts";
import { ctxFor } from "./util.ts";

type Packet = Uint8Array;
const sockets: { close(): void }[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function receiver(hostname = "127.0.0.1"): Promise<{ port: number; packets: Packet[] }> {
  const packets: Packet[] = [];
  const s = await Bun.udpSocket({ hostname, socket: { data: (_s, buf) => void packets.push(new Uint8Array(buf)) } });
  sockets.push(s);
  return { port: s.port, packets };
}

const ipv6Loopback = await Bun.udpSocket({ hostname: "::1" }).then((s) => (s.close(), true), () => false);
const output = <T>(o: Record<string, unknown>): T => SettingsSchema.parse({ strip: { ledCount: 2000 }, outputs: [o] }).outputs[0] as T;

/** A frame of n LEDs (logical bytes) with LED i as R=i&255, G=i>>8, B=7, W=9; the strip's order must not matter. */
function frameFor(n: number, order: ColorOrder): Uint8Array {
  const bpl = order.length;
  const f = new Uint8Array(n * bpl);
  for (let i = 0; i < n; i++) f.set(logicalAt(i, bpl), i * bpl);
  return f;
}
const logicalAt = (i: number, bpl: number) => (bpl === 4 ? [i & 255, i >> 8, 7, 9] : [i & 255, i >> 8, 7]);

/** DDP receiver: assembles a frame from packets by byte offset, displays on PUSH. */
function ddpDecode(packets: Packet[]) {
  const frames: { seq: number; type: number; data: number[] }[] = [];
  let cur: number[] = [];
  for (const p of packets) {
    const dv = new DataView(p.buffer, p.byteOffset);
    expect(p[0] & 0xc0).toBe(0x40);
    expect(p[3]).toBe(1);
    const offset = dv.getUint32(4), len = dv.getUint16(8);
    expect(p.length).toBe(10 + len);
    expect(len).toBeLessThanOrEqual(1440);
    for (let k = 0; k < len; k++) cur[offset + k] = p[10 + k];
    if (p[0] & 0x01) {
      frames.push({ seq: p[1], type: p[2], data: cur });
      cur = [];
    }
  }
  return frames;
}

/** WLED receiver: DRGB/DRGBW from LED 0, DNRGB/DNRGBW from a start index. */
function wledDecode(packets: Packet[], leds: number) {
  const shown: number[][] = [];
  const timeouts = new Set<number>();
  const protocols = new Set<number>();
  for (const p of packets) {
    protocols.add(p[0]);
    timeouts.add(p[1]);
    const bpl = p[0] === 3 || p[0] === 5 ? 4 : 3;
    const at = p[0] >= 4 ? 4 : 2;
    const start = p[0] >= 4 ? (p[2] << 8) | p[3] : 0;
    for (let i = 0; at + i * bpl < p.length; i++) shown[start + i] = Array.from(p.subarray(at + i * bpl, at + (i + 1) * bpl));
  }
  expect(shown.length).toBe(leds);
  return { shown, timeouts, protocols };
}

describe("DDP", () => {
  for (const [order, n] of [["GRB", 1000], ["BGRW", 700], ["RGB", 480]] as const) {
    test(`${n} LEDs ${order}: ≤ 480 px per packet, push on the last only, one sequence per frame, pixels back in RGB(W)`, async () => {
      const rx = await receiver();
      const bpl = order.length;
      const d = new DdpDriver(output<DdpOutput>({ driver: "ddp", host: "127.0.0.1", port: rx.port, length: n }), ctxFor(n, order));
      await d.open();
      d.write(frameFor(n, order));
      const perFrame = Math.ceil((n * bpl) / 1440);
      await until(() => rx.packets.length >= perFrame, "the frame's packets", 2000);
      const pushes = rx.packets.map((p) => p[0] & 1);
      expect(pushes).toEqual([...Array(perFrame - 1).fill(0), 1]);
      const [frame] = ddpDecode(rx.packets);
      expect(frame.type).toBe(bpl === 4 ? 0x1b : 0x0b);
      expect(new Set(rx.packets.map((p) => p[1]))).toEqual(new Set([frame.seq]));
      expect(frame.data.length).toBe(n * bpl);
      for (let i = 0; i < n; i++) expect(frame.data.slice(i * bpl, (i + 1) * bpl)).toEqual(logicalAt(i, bpl));
      expect(d.wireLimitFps()).toBe(1000 / perFrame);
      await d.close();
    });
  }

  test("sequence numbers run 1–15 and wrap, and the black frame on close is sent", async () => {
    const rx = await receiver();
    const d = new DdpDriver(output<DdpOutput>({ driver: "ddp", host: "127.0.0.1", port: rx.port, maxPacketsPerSecond: 100_000, length: 10 }), ctxFor(10));
    await d.open();
    for (let k = 0; k < 17; k++) {
      d.write(frameFor(10, "GRB"));
      await until(() => d.health().framesWritten === k + 1, `frame ${k + 1}`, 2000);
    }
    d.write(new Uint8Array(30));
    await d.close();
    await until(() => rx.packets.length === 18, "18 packets", 2000);
    expect(rx.packets.map((p) => p[1])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1, 2, 3]);
    expect(Array.from(rx.packets[17].subarray(10))).toEqual(Array(30).fill(0));
  });

  test.skipIf(!ipv6Loopback)("a receiver at an IPv6 address gets its frames (the socket takes the address's family)", async () => {
    const rx = await receiver("::1");
    const d = new DdpDriver(output<DdpOutput>({ driver: "ddp", host: "::1", port: rx.port, length: 10 }), ctxFor(10));
    await d.open();
    d.write(frameFor(10, "GRB"));
    await until(() => rx.packets.length === 1, "the frame over IPv6", 2000);
    expect(d.health().ok).toBe(true);
    await d.close();
  });
});

describe("WLED UDP realtime", () => {
  for (const [order, n, proto] of [["GRB", 490, 2], ["GRB", 1200, 4], ["RGBW", 367, 3], ["GRBW", 800, 5]] as const) {
    test(`${n} LEDs ${order}: protocol ${proto}, timeout byte set, every LED in logical order`, async () => {
      const rx = await receiver();
      const bpl = order.length;
      const d = new WledUdpDriver(output<WledUdpOutput>({ driver: "wled-udp", host: "127.0.0.1", port: rx.port, timeoutS: 3, length: n }), ctxFor(n, order));
      await d.open();
      d.write(frameFor(n, order));
      const perFrame = proto <= 3 ? 1 : Math.ceil(n / (bpl === 4 ? 367 : 489));
      await until(() => rx.packets.length >= perFrame, "the frame's packets", 2000);
      const { shown, timeouts, protocols } = wledDecode(rx.packets, n);
      expect([...protocols]).toEqual([proto]);
      expect([...timeouts]).toEqual([3]);
      for (let i = 0; i < n; i++) expect(shown[i]).toEqual(logicalAt(i, bpl));
      for (const p of rx.packets) expect(p.length).toBeLessThanOrEqual(1472);
      await d.close();
    });
  }

  test("an unresolvable host: unhealthy, named, retried", async () => {
    const d = new WledUdpDriver(output<WledUdpOutput>({ driver: "wled-udp", host: "no-such-host.invalid", length: 10 }), ctxFor(10));
    await d.open();
    await until(() => d.health().message?.includes("cannot resolve no-such-host.invalid; retrying"), "the failure in health");
    expect(d.health().ok).toBe(false);
    await d.close();
  });
});
