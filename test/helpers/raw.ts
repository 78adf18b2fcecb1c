// HTTP/1.1 by hand over node:net, for what fetch will not do: pick the source address (loopback
// has all of 127.0.0.0/8), send any Host, Origin or Sec-Fetch-Site header, or start a WebSocket
// handshake and look at the answer.
import { connect } from "node:net";

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address, e.g. "127.0.0.2". */
  localAddress?: string;
}

export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, or undefined. */
  body: any;
}

/** One request on its own connection (Connection: close); Host is the URL's unless given. */
export function rawRequest(url: string, r: RawRequest): Promise<RawResponse> {
  const { hostname, port, host } = new URL(url);
  const body = r.body ?? "";
  const headers: Record<string, string> = { host, connection: "close", ...(r.body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}), ...r.headers };
  const head = `${r.method ?? "GET"} ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hostname, port: Number(port), localAddress: r.localAddress }, () => sock.write(head + body));
    const chunks: Buffer[] = [];
    sock.setNoDelay(true);
    sock.setTimeout(10_000, () => sock.destroy(new Error(`no answer to ${r.method ?? "GET"} ${r.path} in 10 s`)));
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("error", reject);
    sock.on("close", () => {
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * Starts a WebSocket handshake with the given headers and resolves with the HTTP status of the
 * answer (101 when the server took it), closing the connection right after.
 */
export function wsHandshake(url: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port, host } = new URL(url);
  const all: Record<string, string> = {
    host, upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13", ...headers,
  };
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hostname, port: Number(port) }, () =>
      sock.write(`GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`),
    );
    let got = Buffer.alloc(0);
    sock.setTimeout(10_000, () => sock.destroy(new Error("no handshake answer in 10 s")));
    sock.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = got.subarray(0, end).toString();
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      // A refused upgrade is a normal response with a body: wait for all of it.
      if (!head.startsWith("HTTP/1.1 101") && got.length < end + 4 + length) return;
      sock.destroy();
    });
    sock.on("error", reject);
    sock.on("close", () => {
      try {
        resolve(parse(got));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function parse(raw: Buffer): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no HTTP response: ${JSON.stringify(raw.toString().slice(0, 200))}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString().split("\r\n");
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  let rest = raw.subarray(end + 4);
  if (headers["transfer-encoding"] === "chunked") rest = unchunk(rest);
  const text = rest.toString();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: Number(statusLine.split(" ")[1]), headers, text, body };
}

function unchunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < b.length; ) {
    const eol = b.indexOf("\r\n", at);
    const size = parseInt(b.subarray(at, eol).toString(), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
