// A serial LED controller: the ledbox firmware bridge (acknowledged frames), or existing
// Adalight / AWA firmware (fire and forget, paced to the baud rate).
import type { SerialOutput } from "../config/schema.ts";
import { errorText } from "../util/errors.ts";
import { BaseDriver } from "./base.ts";
import type { DriverContext } from "./driver.ts";
import { wireChannels } from "./order.ts";
import { FfiBinding, type FfiPort } from "./serial-binding.ts";
import { ADA_PAYLOAD_AT, adaHeader, adalightBytes, awaBytes, awaSeal, encodeLbConfig, encodeLbFrame, encodeLbQuery, lbFrameBytes } from "./serial-encoders.ts";
import { ws2812WireLimitFps } from "./ws2812.ts";

/** An Arduino resets when the port opens; its bootloader waits up to ~2 s before our firmware speaks. */
const HELLO_TIMEOUT_MS = 3000;
const HELLO_RETRY_MS = 250;
/** Beyond the frame's own transfer and show time: a USB adapter's round trip and a busy host. */
const ACK_SLACK_MS = 250;
/** Bytes that fit no reply before the bridge counts as answering garbage. */
const GARBAGE_LIMIT = 64;

type Reply = { kind: "H"; version: number; maxBytes: number } | { kind: "K" | "E"; seq: number };

export class SerialDriver extends BaseDriver {
  readonly kind = "serial";
  private port: FfiPort | null = null;
  private readonly out: Uint8Array;
  private readonly channels: Int32Array;
  private seq = 0;
  private waiter: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private readonly rx: number[] = [];
  private garbage = 0;
  crcErrors = 0;

  constructor(readonly cfg: SerialOutput, ctx: DriverContext) {
    super(ctx);
    const n = ctx.ledCount;
    this.out = new Uint8Array(cfg.protocol === "ledbox" ? lbFrameBytes(n * ctx.bytesPerLed) : cfg.protocol === "awa" ? awaBytes(n) : adalightBytes(n));
    this.channels = wireChannels(ctx.colorOrder);
    if (cfg.protocol !== "ledbox") adaHeader(this.out, cfg.protocol === "awa" ? 0x77 : 0x64, n);
  }

  protected async connect(): Promise<void> {
    const port = await FfiBinding.open({ path: this.cfg.device, baudRate: this.cfg.baud });
    this.port = port;
    this.rx.length = 0;
    this.garbage = 0;
    void this.readLoop(port);
    if (this.cfg.protocol !== "ledbox") return;
    const hello = await this.hello(port);
    if (hello.maxBytes < this.frame.length) throw new Error(`the bridge's firmware takes at most ${hello.maxBytes} bytes (${Math.floor(hello.maxBytes / this.ctx.bytesPerLed)} LEDs), this output needs ${this.frame.length}`);
    this.seq = (this.seq + 1) & 0xff;
    await this.exchange(port, encodeLbConfig(this.cfg.silenceMs, this.seq), this.acked(this.seq));
  }

  protected async disconnect(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.waiter?.reject(new Error("port closed"));
    await port?.close();
  }

  protected async send(): Promise<void> {
    const port = this.port;
    if (!port) throw new Error(`${this.cfg.device} is not open`);
    if (this.cfg.protocol === "ledbox") {
      this.seq = (this.seq + 1) & 0xff;
      encodeLbFrame(this.frame, this.channels, this.seq, this.out);
      await this.exchange(port, this.out, this.acked(this.seq));
      return;
    }
    // Adalight and AWA carry R G B, as the frame holds them.
    this.out.set(this.frame, ADA_PAYLOAD_AT);
    if (this.cfg.protocol === "awa") awaSeal(this.out, this.ctx.ledCount * 3);
    await port.write(this.out);
  }

  wireLimitFps(): number {
    const transfer = this.cfg.baud / 10 / this.out.length;
    if (this.cfg.protocol !== "ledbox") return transfer;
    // The bridge receives, then shows (interrupts off), then acknowledges: the times add up.
    return 1 / (1 / transfer + 1 / ws2812WireLimitFps(this.frame.length));
  }

  health() {
    const h = super.health();
    return this.crcErrors > 0 ? { ...h, message: `${h.message ? h.message + "; " : ""}${this.crcErrors} frames failed the bridge's CRC check` } : h;
  }

  /**
   * Queries until the bridge announces itself: an Arduino resets when the port opens and its
   * bootloader ignores what arrives for a second or two.
   */
  private async hello(port: FfiPort): Promise<Extract<Reply, { kind: "H" }>> {
    const deadline = performance.now() + HELLO_TIMEOUT_MS;
    while (performance.now() < deadline) {
      this.seq = (this.seq + 1) & 0xff;
      // No answer in time: ask again. A failed write (the port closed or went away) ends the wait:
      // retrying it would spin without ever yielding to the event loop.
      const r = await this.exchange(port, encodeLbQuery(this.seq), this.expect(HELLO_RETRY_MS, "").catch(() => null));
      if (r?.kind === "H") return r;
    }
    throw new Error("the bridge did not announce itself (is the ledbox firmware flashed, and the baud right?)");
  }

  /** Writes a message whose answer is already awaited: a fast reply can never beat its listener. */
  private async exchange<T>(port: FfiPort, bytes: Uint8Array, answer: Promise<T>): Promise<T> {
    answer.catch(() => {}); // a failed write is the error that counts
    await port.write(bytes);
    return answer;
  }

  private async acked(seq: number): Promise<void> {
    const ms = 1000 / this.wireLimitFps() + ACK_SLACK_MS;
    const deadline = performance.now() + ms;
    for (;;) {
      const r = await this.expect(Math.max(1, deadline - performance.now()), `the bridge did not acknowledge frame ${seq} within ${Math.round(ms)} ms`);
      if (r.kind === "H") continue; // a late answer to a query, or a boot announcement: not an ack
      if (r.kind === "E") this.crcErrors++;
      else if (r.seq !== seq) throw new Error(`the bridge answered out of turn (${r.kind} ${r.seq}, expected K ${seq})`);
      return;
    }
  }

  private expect(ms: number, timeoutText: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(timeoutText));
      }, ms);
      this.waiter = {
        resolve: (r) => (clearTimeout(timer), (this.waiter = null), resolve(r)),
        reject: (e) => (clearTimeout(timer), (this.waiter = null), reject(e)),
      };
    });
  }

  private async readLoop(port: FfiPort): Promise<void> {
    const buf = Buffer.alloc(256);
    try {
      while (port.isOpen) {
        const { bytesRead } = await port.read(buf, 0, buf.length);
        if (this.cfg.protocol === "ledbox") for (let i = 0; i < bytesRead; i++) this.take(buf[i]);
      }
    } catch (err) {
      if (!(err as { canceled?: boolean }).canceled) this.fault(new Error(`${this.cfg.device}: ${errorText(err)}`));
    }
  }

  /** Reassembles the bridge's replies: 'H' version max(2), 'K' seq, 'E' seq. */
  private take(byte: number): void {
    const rx = this.rx;
    if (rx.length === 0 && byte !== 0x48 && byte !== 0x4b && byte !== 0x45) {
      if (++this.garbage > GARBAGE_LIMIT) this.fault(new Error(`${this.cfg.device} answers garbage (is it running the ledbox firmware?)`));
      return;
    }
    rx.push(byte);
    const need = rx[0] === 0x48 ? 4 : 2;
    if (rx.length < need) return;
    const r: Reply = rx[0] === 0x48 ? { kind: "H", version: rx[1], maxBytes: (rx[2] << 8) | rx[3] } : { kind: rx[0] === 0x4b ? "K" : "E", seq: rx[1] };
    rx.length = 0;
    this.garbage = 0;
    this.waiter?.resolve(r);
  }
}
