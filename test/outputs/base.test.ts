// The driver lifecycle every hardware driver shares (src/outputs/base.ts), with a transport whose
// connect finishes only when the test says so.
import { expect, test } from "bun:test";
import { BaseDriver } from "../../src/outputs/base.ts";
import { until } from "../helpers/box.ts";
import { ctxFor } from "./util.ts";

class GatedDriver extends BaseDriver {
  readonly kind = "gated";
  readonly gate = Promise.withResolvers<void>();
  connectedTransport = false;
  opens = 0;
  releases = 0;
  sent = 0;
  protected async connect(): Promise<void> {
    await this.gate.promise;
    this.connectedTransport = true;
    this.opens++;
  }
  protected async disconnect(): Promise<void> {
    this.connectedTransport = false;
    this.releases++;
  }
  protected async send(): Promise<void> {
    this.sent++;
  }
  wireLimitFps(): number {
    return Infinity;
  }
}

test("closed while still connecting: the transport that opens afterwards is released and sends nothing", async () => {
  const d = new GatedDriver(ctxFor(10));
  await d.open(); // gives up waiting after a moment; the connect goes on
  d.write(new Uint8Array(30).fill(1));
  await d.close();
  expect(d.releases).toBe(1); // close() released what there was: nothing yet
  d.gate.resolve();
  await until(() => d.opens === 1 && d.releases === 2, "the late transport to open and be released");
  expect(d.connectedTransport).toBe(false);
  expect(d.sent).toBe(0);
  expect(d.health().ok).toBe(false);
});
