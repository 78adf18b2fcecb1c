// A UDP sender for LAN receivers: resolves the host once per connect, sends without blocking.
// A receiver that is switched off answers with ICMP; that arrives as a socket error, reported
// to the driver (which retries with backoff) instead of escaping.
import type { udp } from "bun";
import { lookup } from "node:dns/promises";
import { onUdpError, udpErrorText } from "../util/udp.ts";

type Socket = udp.Socket<"buffer">;

export class UdpSender {
  private socket: Socket | null = null;
  private address = "";

  constructor(readonly host: string, readonly port: number, private readonly onError: (err: Error) => void) {}

  async open(): Promise<void> {
    const { address, family } = await lookup(this.host).catch(() => {
      throw new Error(`cannot resolve ${this.host}`);
    });
    this.address = address;
    // The socket's family must be the receiver's: an IPv4 socket cannot send to an IPv6 address.
    this.socket = await Bun.udpSocket({
      hostname: family === 6 ? "::" : "0.0.0.0",
      socket: { error: onUdpError((err) => this.onError(new Error(udpErrorText(err, `${this.host}:${this.port}`)))) },
    });
  }

  /** Sends one datagram; a full socket buffer drops it (the next frame replaces it anyway). */
  send(bytes: Uint8Array): boolean {
    if (!this.socket) throw new Error(`udp to ${this.host} is not open`);
    return this.socket.send(bytes, this.port, this.address);
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}
