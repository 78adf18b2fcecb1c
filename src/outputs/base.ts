// The lifecycle every hardware driver shares, so a driver is only a transport plus an encoder:
//   - newest frame wins: write() copies the frame and returns; while a send is in flight,
//     later frames overwrite the waiting one (counted as dropped), never queue;
//   - wire pacing: sends start no closer together than the link's frame time, so a link that
//     accepts bytes faster than it can show them (UDP, a tty's kernel buffer) builds no latency;
//   - faults: a failed connect or send marks the driver unhealthy, closes the transport and
//     retries with backoff (0.5 s doubling to 10 s); the engine's loop never waits on it;
//   - close() sends the frame still waiting (the engine's black frame) before disconnecting.
import { Backoff } from "../util/backoff.ts";
import { errorText } from "../util/errors.ts";
import type { DriverContext, DriverHealth, OutputDriver } from "./driver.ts";

const OPEN_WAIT_MS = 250;

export abstract class BaseDriver implements OutputDriver {
  abstract readonly kind: string;
  /** The newest frame, copied from the engine's buffer. */
  protected readonly frame: Uint8Array;
  private waiting = false;
  private pump: Promise<void> | null = null;
  private connected = false;
  private closing = false;
  private readonly retry = new Backoff({ firstMs: 500, maxMs: 10_000 });
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private lastSendMs = -Infinity;
  private written = 0;
  private dropped = 0;
  private problem: string | undefined;
  /** A transport being released after a fault; the next connect waits for it. */
  private teardown: Promise<void> = Promise.resolve();

  constructor(readonly ctx: DriverContext) {
    this.frame = new Uint8Array(ctx.ledCount * ctx.bytesPerLed);
  }

  /** Opens the transport; throws with a message a user can act on. */
  protected abstract connect(): Promise<void>;
  /** Releases the transport; must not throw. */
  protected abstract disconnect(): Promise<void>;
  /**
   * Encodes and sends this.frame. Encode before the first await: write() may replace
   * this.frame while the send is in flight.
   */
  protected abstract send(): Promise<void>;
  abstract wireLimitFps(): number;

  /**
   * Starts connecting and waits for it at most OPEN_WAIT_MS: the engine pauses its loop while
   * outputs open, and a device that is slow to answer (an Arduino's bootloader) must not
   * hold it up. Frames written meanwhile wait, newest first, for the connection.
   */
  async open(): Promise<void> {
    this.closing = false;
    await Promise.race([this.tryConnect(), Bun.sleep(OPEN_WAIT_MS)]);
  }

  write(frame: Uint8Array): void {
    this.frame.set(frame);
    if (this.waiting) this.dropped++;
    this.waiting = true;
    if (this.connected && !this.pump) this.pump = this.run();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.connected && this.waiting && !this.pump) this.pump = this.run();
    await this.pump;
    this.connected = false;
    await this.disconnect();
  }

  health(): DriverHealth {
    return { ok: this.connected && !this.problem, message: this.problem, framesWritten: this.written, framesDropped: this.dropped };
  }

  /** A transport noticed a fault outside a send (e.g. the device stopped answering). */
  protected fault(err: unknown): void {
    if (!this.connected || this.closing) return;
    this.connected = false;
    this.problem = errorText(err);
    this.teardown = this.disconnect();
    this.scheduleRetry();
  }

  private async tryConnect(): Promise<void> {
    this.retryTimer = null;
    await this.teardown;
    try {
      await this.connect();
    } catch (err) {
      this.problem = errorText(err);
      await this.disconnect();
      this.scheduleRetry();
      return;
    }
    if (this.closing) {
      // close() ran while this connect was under way and had nothing to release yet.
      await this.disconnect();
      return;
    }
    this.connected = true;
    this.problem = undefined;
    this.retry.reset();
    if (this.waiting && !this.pump) this.pump = this.run();
  }

  private scheduleRetry(): void {
    if (this.closing) return;
    const ms = this.retry.next();
    this.problem = `${this.problem}; retrying in ${(ms / 1000).toFixed(1)} s`;
    this.retryTimer = setTimeout(() => void this.tryConnect(), ms);
  }

  private async run(): Promise<void> {
    try {
      while (this.waiting && this.connected) {
        const gap = 1000 / this.wireLimitFps() - (performance.now() - this.lastSendMs);
        if (gap > 0.5 && !this.closing) await Bun.sleep(gap);
        this.waiting = false;
        this.lastSendMs = performance.now();
        try {
          await this.send();
          this.written++;
        } catch (err) {
          this.fault(err);
        }
      }
    } finally {
      this.pump = null;
    }
  }
}
