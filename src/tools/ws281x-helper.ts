// The ws281x root helper (ledbox-ws281x.service): owns rpi_ws281x, which needs root for /dev/mem,
// and shows the frames the unprivileged ledbox service sends over a unix socket. The protocol is
// in src/outputs/ws281x-helper.ts. It serves one client at a time; the library is its own
// setting (--library), never the client's, and the hello is checked as strictly as the settings.
//
//   bun src/tools/ws281x-helper.ts [--socket PATH] [--library PATH] [--group NAME]
//
// --group: the group allowed to connect (the socket is made 0660, owned by root and that group).
import { chmodSync, chownSync, existsSync, readFileSync, rmSync } from "node:fs";
import type { Socket } from "bun";
import { OutputSchema, type Ws281xOutput } from "../config/schema.ts";
import { ACK, bytesPerLedOf, HelloSchema, WS281X_HELPER_SOCKET, type Hello } from "../outputs/ws281x-helper.ts";
import { WS281X_DEFAULT_LIBRARY, Ws281xDriver, ws281xLibraryMissing } from "../outputs/ws281x.ts";
import { describeIssues } from "../util/validation.ts";

const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const path = flag("socket") ?? WS281X_HELPER_SOCKET;
const library = flag("library") ?? WS281X_DEFAULT_LIBRARY;
const group = flag("group");
const log = (msg: string) => console.log(`[ws281x-helper] ${msg}`);

interface Client {
  hello: string;
  driver: Ws281xDriver | null;
  /** The library is being opened for this client (start() releases it if the client leaves meanwhile). */
  opening: boolean;
  /** Settles `idle` once this client's library is released. */
  released: () => void;
  frame: Uint8Array;
  filled: number;
}

/** The client the library is open for, and a promise that settles when it has gone and the library is released. */
let current: Socket<Client> | null = null;
let idle: Promise<void> = Promise.resolve();

/** The hello as the driver's settings, with the helper's own library; or why it is refused. */
function accept(line: string): { cfg: Ws281xOutput; hello: Hello } | string {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return "the hello is not JSON";
  }
  const h = HelloSchema.safeParse(json);
  if (!h.success) return describeIssues(h.error);
  // Removed since the helper started (an uninstall, a rebuild gone wrong): say how to build it.
  if (!existsSync(library)) return ws281xLibraryMissing(library, true);
  const cfg = OutputSchema.parse({ driver: "ws281x", gpio: h.data.gpio, dma: h.data.dma, library }) as Ws281xOutput;
  return { cfg, hello: h.data };
}

async function start(s: Socket<Client>, line: string): Promise<void> {
  const a = accept(line);
  if (typeof a === "string") return refuse(s, a);
  // ledbox reopening its outputs connects again just before its old connection is seen to close.
  if (current) await Promise.race([idle, Bun.sleep(1000)]);
  if (current) return refuse(s, "busy: another ledbox is connected");
  await idle;
  if (current) return refuse(s, "busy: another ledbox is connected");
  current = s;
  idle = new Promise((resolve) => (s.data.released = resolve));
  const ctx = { ledCount: a.hello.ledCount, bytesPerLed: bytesPerLedOf(a.hello), colorOrder: a.hello.colorOrder };
  const driver = new Ws281xDriver(a.cfg, ctx);
  s.data.opening = true;
  await driver.open();
  s.data.opening = false;
  const h = driver.health();
  if (current !== s || !h.ok) {
    await driver.close();
    if (current === s) current = null;
    s.data.released();
    return h.ok ? undefined : refuse(s, (h.message ?? "ws2811_init failed").replace(/; retrying in .*$/, ""));
  }
  s.data.driver = driver;
  s.data.frame = new Uint8Array(ctx.ledCount * ctx.bytesPerLed);
  log(`showing ${ctx.ledCount} LEDs on GPIO ${a.cfg.gpio}, DMA ${a.cfg.dma}`);
  s.write("ok\n");
}

function refuse(s: Socket<Client>, why: string): void {
  log(`refused: ${why}`);
  s.end(`error ${why}\n`);
}

/** Frames out of the byte stream: each complete one goes to the driver (newest wins) and is acknowledged. */
function frames(s: Socket<Client>, buf: Uint8Array): void {
  const c = s.data;
  for (let i = 0; i < buf.length; ) {
    const n = Math.min(buf.length - i, c.frame.length - c.filled);
    c.frame.set(buf.subarray(i, i + n), c.filled);
    c.filled += n;
    i += n;
    if (c.filled === c.frame.length) {
      c.driver!.write(c.frame);
      c.filled = 0;
      s.write(new Uint8Array([ACK]));
    }
  }
}

rmSync(path, { force: true });
Bun.listen<Client>({
  unix: path,
  socket: {
    open(s) {
      s.data = { hello: "", driver: null, opening: false, released: () => {}, frame: new Uint8Array(0), filled: 0 };
    },
    data(s, buf) {
      if (s.data.driver) return frames(s, buf);
      if (current === s) return; // still opening the library: nothing may come before "ok"
      s.data.hello += buf.toString();
      const nl = s.data.hello.indexOf("\n");
      if (nl >= 0) void start(s, s.data.hello.slice(0, nl));
      else if (s.data.hello.length > 4096) refuse(s, "the hello is too long");
    },
    async close(s) {
      if (current !== s) return;
      current = null;
      if (s.data.opening) return; // start() releases the library once it is open
      const d = s.data.driver;
      s.data.driver = null;
      if (d) {
        // Whatever the client left lit goes dark: a crashed ledbox must not leave the strip on.
        d.write(new Uint8Array(s.data.frame.length));
        await d.close();
        log("client gone: blacked out, library released");
      }
      s.data.released();
    },
  },
});
chmodSync(path, 0o660);
if (group) {
  const gid = Number(readFileSync("/etc/group", "utf8").split("\n").find((l) => l.startsWith(`${group}:`))?.split(":")[2]);
  if (!Number.isInteger(gid)) throw new Error(`no group ${group}`);
  chownSync(path, 0, gid);
}
// The warning comes first: "listening on" is the last start-up line, the one watchers wait for.
if (!existsSync(library)) log(`warning: ${ws281xLibraryMissing(library, true)}`);
log(`listening on ${path} (library ${library})`);

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    const d = current?.data.driver;
    if (d) {
      d.write(new Uint8Array(current!.data.frame.length));
      await d.close();
    }
    rmSync(path, { force: true });
    process.exit(0);
  });
}
