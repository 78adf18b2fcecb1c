// ws281x without root: rpi_ws281x needs /dev/mem, so on the appliance a small root process
// (src/tools/ws281x-helper.ts, ledbox-ws281x.service) owns the library, and the unprivileged
// service feeds it frames over a unix stream socket. This file is the protocol and the service's
// side of it; the engine picks this driver for `ws281x` outputs when it is not root and the
// helper's socket or its unit exists (ws281xViaHelper).
//
// Protocol, one connection at a time:
//   client → helper  one line of JSON, the hello: {ledCount, colorOrder, gpio, dma} ('\n' ends it)
//   helper → client  "ok\n" once ws2811_init succeeded, or "error <why>\n" and it closes
//   client → helper  frames: exactly ledCount × (3, or 4 for an RGBW order) bytes each, R G B (W)
//                    in that order (the library orders them for the strip's colorOrder)
//   helper → client  one ACK byte (0x06) per frame taken: at most one frame is ever in flight
// When the connection ends the helper shows a black frame and releases the library. The hello
// names no library: which code runs as root is the helper's own setting, never the client's.
import type { Socket } from "bun";
import { existsSync } from "node:fs";
import { z } from "zod";
import { COLOR_ORDERS, WS281X_MAX_LEDS, type Ws281xOutput } from "../config/schema.ts";
import { BaseDriver } from "./base.ts";
import type { DriverContext } from "./driver.ts";
import { ws2812WireLimitFps } from "./ws2812.ts";

export const WS281X_HELPER_SOCKET = "/run/ledbox-ws281x/ws281x.sock";
/** The library the helper's unit loads (its --library and ConditionPathExists); `sudo ledbox build-ws281x` builds it. */
export const WS281X_HELPER_LIBRARY = "/usr/local/lib/libws2811.so";
/** The helper's unit, as the Debian package installs it: its presence says this is the appliance. */
export const WS281X_HELPER_UNIT = "/usr/lib/systemd/system/ledbox-ws281x.service";

/**
 * Whether the root helper drives a ws281x output rather than ledbox itself: rpi_ws281x needs root,
 * so when ledbox is not root and the helper runs (its socket) or is installed (the appliance, before
 * `setup-pi` has enabled it).
 */
export function ws281xViaHelper(uid = process.getuid?.(), exists: (path: string) => boolean = existsSync): boolean {
  return uid !== 0 && (exists(WS281X_HELPER_SOCKET) || exists(WS281X_HELPER_UNIT));
}
export const ACK = 0x06;

/** What the helper accepts, checked as strictly as the settings are (DMA 5 corrupts the SD card). */
export const HelloSchema = z.strictObject({
  ledCount: z.int().min(1).max(WS281X_MAX_LEDS),
  colorOrder: z.enum(COLOR_ORDERS),
  gpio: z.literal([12, 13, 18, 19, 21]),
  dma: z.int().min(1).max(14).refine((d) => d !== 5, "DMA 5 corrupts the SD card on a Pi 3B"),
});
export type Hello = z.infer<typeof HelloSchema>;

export const bytesPerLedOf = (h: Hello): 3 | 4 => (h.colorOrder.endsWith("W") ? 4 : 3);

export class Ws281xHelperDriver extends BaseDriver {
  readonly kind = "ws281x";
  private sock: Socket<undefined> | null = null;
  private inFlight: { resolve: () => void; reject: (err: Error) => void } | null = null;
  private unsent: Uint8Array | null = null;

  /** `library`: the helper's, to say what to do when the helper cannot be reached. */
  constructor(readonly cfg: Ws281xOutput, ctx: DriverContext, private readonly path = WS281X_HELPER_SOCKET, private readonly library = WS281X_HELPER_LIBRARY) {
    super(ctx);
  }

  protected async connect(): Promise<void> {
    const hello: Hello = { ledCount: this.ctx.ledCount, colorOrder: this.ctx.colorOrder, gpio: this.cfg.gpio, dma: this.cfg.dma };
    let reply = "";
    await new Promise<void>((resolve, reject) => {
      let answered = false;
      const answer = (err?: Error) => {
        answered = true;
        if (err) reject(err);
        else resolve();
      };
      Bun.connect({
        unix: this.path,
        socket: {
          open: (s) => {
            this.sock = s;
            s.write(`${JSON.stringify(hello)}\n`);
          },
          data: (_s, buf) => {
            if (answered) {
              for (const b of buf) if (b === ACK) this.settle();
              return;
            }
            reply += buf.toString();
            const nl = reply.indexOf("\n");
            if (nl < 0) return;
            const line = reply.slice(0, nl);
            answer(line === "ok" ? undefined : new Error(`the ws281x helper: ${line.replace(/^error /, "")}`));
          },
          drain: (s) => this.flush(s),
          close: () => {
            this.sock = null;
            const err = new Error("the ws281x helper closed the connection");
            if (!answered) return answer(err);
            this.settle(err);
            this.fault(err);
          },
          error: (_s, err) => (answered ? this.fault(err) : answer(err)),
        },
      }).catch((err: Error) => answer(new Error(`cannot reach the ws281x helper at ${this.path}: ${err.message} (${this.unreachableFix()})`)));
    });
  }

  /** The helper's unit starts only once its library exists; setup-pi enables it for a ws281x output. */
  private unreachableFix(): string {
    if (!existsSync(this.library)) return `it starts once ${this.library} exists: sudo ledbox build-ws281x, then sudo ledbox setup-pi`;
    return "sudo ledbox setup-pi enables ledbox-ws281x.service for a ws281x output; or sudo systemctl start ledbox-ws281x";
  }

  protected async disconnect(): Promise<void> {
    this.sock?.end();
    this.sock = null;
  }

  /** Writes the frame and resolves once the helper has taken it. */
  protected send(): Promise<void> {
    const s = this.sock;
    if (!s) return Promise.reject(new Error("not connected to the ws281x helper"));
    const done = new Promise<void>((resolve, reject) => (this.inFlight = { resolve, reject }));
    this.unsent = this.frame.slice();
    this.flush(s);
    return done;
  }

  /** A socket takes what fits; the rest goes when it drains. */
  private flush(s: Socket<undefined>): void {
    if (!this.unsent) return;
    const n = s.write(this.unsent);
    this.unsent = n >= this.unsent.length ? null : this.unsent.subarray(Math.max(0, n));
  }

  /** The frame in flight was taken (an ACK), or will never be (an error). */
  private settle(err?: Error): void {
    const f = this.inFlight;
    this.inFlight = null;
    if (err) f?.reject(err);
    else f?.resolve();
  }

  wireLimitFps(): number {
    return ws2812WireLimitFps(this.frame.length);
  }
}
