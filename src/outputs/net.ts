// DDP and WLED realtime outputs: the frame in logical order, in packets, over UDP.
import type { DdpOutput, WledUdpOutput } from "../config/schema.ts";
import { BaseDriver } from "./base.ts";
import { DdpEncoder } from "./ddp-encoder.ts";
import type { DriverContext } from "./driver.ts";
import { UdpSender } from "./udp.ts";
import { encodeWled, wledPackets, type WledPacket } from "./wled-encoder.ts";

abstract class UdpDriver extends BaseDriver {
  protected readonly udp: UdpSender;

  constructor(readonly cfg: DdpOutput | WledUdpOutput, ctx: DriverContext) {
    super(ctx);
    this.udp = new UdpSender(cfg.host, cfg.port, (err) => this.fault(err));
  }

  protected connect(): Promise<void> {
    return this.udp.open();
  }

  protected async disconnect(): Promise<void> {
    this.udp.close();
  }

  protected abstract packetCount(): number;

  /** The receiver's rate limit, spread over the packets one frame takes. */
  wireLimitFps(): number {
    return this.cfg.maxPacketsPerSecond / this.packetCount();
  }
}

export class DdpDriver extends UdpDriver {
  readonly kind = "ddp";
  private readonly enc: DdpEncoder;

  constructor(cfg: DdpOutput, ctx: DriverContext) {
    super(cfg, ctx);
    this.enc = new DdpEncoder(this.frame.length, ctx.bytesPerLed);
  }

  protected async send(): Promise<void> {
    this.enc.encode(this.frame);
    const { packets } = this.enc;
    for (let i = 0; i < packets.length; i++) this.udp.send(packets[i]);
  }

  protected packetCount(): number {
    return this.enc.packets.length;
  }
}

export class WledUdpDriver extends UdpDriver {
  readonly kind = "wled-udp";
  private readonly packets: WledPacket[];

  constructor(cfg: WledUdpOutput, ctx: DriverContext) {
    super(cfg, ctx);
    this.packets = wledPackets(ctx.ledCount, ctx.bytesPerLed, cfg.timeoutS);
  }

  protected async send(): Promise<void> {
    encodeWled(this.packets, this.frame, this.ctx.bytesPerLed);
    for (let i = 0; i < this.packets.length; i++) this.udp.send(this.packets[i].bytes);
  }

  protected packetCount(): number {
    return this.packets.length;
  }
}
