// A live-channel client that never reads: a raw TCP socket (libc through bun:ffi, outside Bun's
// event loop, so nothing reads it behind our back) with the smallest receive buffer the kernel
// allows, that sends the WebSocket handshake and then nothing. The server's send buffer really
// fills, as with a browser tab on a Wi-Fi link that dropped.
import { dlopen, FFIType, ptr } from "bun:ffi";

const { symbols: c } = dlopen("libc.so.6", {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  connect: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  write: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
});

const AF_INET = 2, SOCK_STREAM = 1, SOL_SOCKET = 1, SO_RCVBUF = 8;

/** struct sockaddr_in for an IPv4 address and port. */
function sockaddr(ip: string, port: number): Uint8Array {
  const a = new Uint8Array(16);
  const dv = new DataView(a.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  ip.split(".").forEach((b, i) => (a[4 + i] = Number(b)));
  return a;
}

export interface StalledClient {
  close(): void;
}

/** Connects to `url`'s live channel and never reads. */
export function stalledLiveClient(url: string, opts: { path?: string; localAddress?: string } = {}): StalledClient {
  const { hostname, port, host } = new URL(url);
  const fd = c.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error("socket() failed");
  // Before connect, so the window the server sees is small from the start.
  c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, ptr(new Int32Array([1])), 4);
  if (opts.localAddress && c.bind(fd, ptr(sockaddr(opts.localAddress, 0)), 16) < 0) throw new Error(`bind ${opts.localAddress} failed`);
  if (c.connect(fd, ptr(sockaddr(hostname, Number(port))), 16) < 0) throw new Error(`connect to ${url} failed`);
  const hello = new TextEncoder().encode(
    `GET ${opts.path ?? "/api/v1/live"} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  if (Number(c.write(fd, ptr(hello), hello.length)) !== hello.length) throw new Error("the handshake did not go out whole");
  return { close: () => void c.close(fd) };
}
