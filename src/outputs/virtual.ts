// The virtual strip: keeps the latest frame in memory. The live preview shows what it holds,
// so `npm start` lights something real with no hardware attached.
import type { DriverContext, DriverHealth, OutputDriver } from "./driver.ts";

export class VirtualDriver implements OutputDriver {
  readonly kind = "virtual";
  readonly last: Uint8Array;
  private written = 0;
  /** Called after each write (tests and benchmarks watch frames through it). */
  onWrite: ((frame: Uint8Array) => void) | null = null;

  constructor(readonly ctx: DriverContext) {
    this.last = new Uint8Array(ctx.ledCount * ctx.bytesPerLed);
  }

  async open() {}

  write(frame: Uint8Array): void {
    this.last.set(frame);
    this.written++;
    this.onWrite?.(frame);
  }

  async close() {}

  health(): DriverHealth {
    return { ok: true, framesWritten: this.written, framesDropped: 0 };
  }

  wireLimitFps(): number {
    return Infinity;
  }
}
