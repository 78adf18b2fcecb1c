// DDP and WLED realtime outputs: the frame in logical order, in packets, over UDP.
import type { DdpOutput, WledUdpOutput } from "../config/schema.ts";
import { BaseDriver } from "./base.ts";
import { DDP_HEADER, DdpEncoder } from "./ddp-encoder.ts";
import type { DriverContext } from "./driver.ts";
import { channelOffsets, toLogical } from "./order.ts";
import { UdpSender } from "./udp.ts";
import { wledPackets, type WledPacket } from "./wled-encoder.ts";

abstract class UdpDriver extends BaseDriver {
  protected readonly udp: UdpSender;
  protected readonly offsets: Int32Array;

  constructor(readonly cfg: DdpOutput | WledUdpOutput, ctx: DriverContext) {
    super(ctx);
    this.udp = new UdpSender(cfg.host, cfg.port, (err) => this.fault(err));
    this.offsets = channelOffsets(ctx.colorOrder);
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
    const { packets } = this.enc;
    const bpl = this.ctx.bytesPerLed;
    this.enc.nextSequence();
    for (let i = 0, first = 0; i < packets.length; i++) {
      const count = (packets[i].length - DDP_HEADER) / bpl;
      toLogical(this.frame, packets[i], DDP_HEADER, count, this.offsets, bpl, first);
      this.udp.send(packets[i]);
      first += count;
    }
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
    for (let i = 0; i < this.packets.length; i++) {
      const p = this.packets[i];
      toLogical(this.frame, p.bytes, p.dataAt, p.count, this.offsets, this.ctx.bytesPerLed, p.first);
      this.udp.send(p.bytes);
    }
  }

  protected packetCount(): number {
    return this.packets.length;
  }
}
