// The one interface every output driver implements. The engine hands each driver the wire
// bytes of its own range of the strip; a driver never sees the scene.
import type { ColorOrder } from "../config/schema.ts";

export interface DriverHealth {
  ok: boolean;
  /** Plain words when not ok (or worth knowing), e.g. "device unplugged, retrying in 2 s". */
  message?: string;
  framesWritten: number;
  /** Frames the driver could not take in time and skipped (newest frame wins). */
  framesDropped: number;
}

export interface OutputDriver {
  readonly kind: string;
  open(): Promise<void>;
  /**
   * Takes one frame. Must not block: a driver still busy with the previous frame keeps only
   * the newest. The buffer is reused by the engine after the call returns.
   */
  write(frame: Uint8Array): void;
  close(): Promise<void>;
  health(): DriverHealth;
  /** Highest frame rate the physical link can carry for this driver's LEDs. */
  wireLimitFps(): number;
}

export interface DriverContext {
  ledCount: number;
  bytesPerLed: 3 | 4;
  /** The order of the wire bytes (network receivers want them back in R, G, B order). */
  colorOrder: ColorOrder;
}
