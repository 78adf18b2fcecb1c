// SD card: what the real server (`bun src/main.ts`, its own process) writes to storage per
// minute, idle and under load. The figure is write_bytes from /proc/<pid>/io — the bytes the
// process caused to be written to the block layer (SQLite's WAL and checkpoints; logs go to
// stdout, journald's business) — over each window, for: idle with 300 LEDs at 60 fps; 20 events/s
// over HTTP, one per request; one CS2 integration posting game state at 10 Hz (adapter state is
// kept in SQLite, so a restart neither forgets nor repeats). Targets: idle ≤ 64 kB/min, under
// either load ≤ 1 MB/min (a card's life is spent on rewrites; a day at 1 MB/min is 1.4 GB).
//
//   npx bun test/bench/sdcard.ts [--quick]
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadFixture } from "../games/fixture.ts";
import { call } from "../helpers/box.ts";
import { startProcess } from "../helpers/process.ts";
import { atMost, header, info, options, report, sleep, tempDir, type Row } from "./lib.ts";

const opts = options();
const WINDOW_S = opts.quick ? 10 : 60;
header(`sdcard: bytes written per minute by the server process, ${WINDOW_S} s per window`, opts);

const dataDir = tempDir("ledbox-bench-sdcard-");
const p = await startProcess(dataDir);
const admin = { cookie: await p.admin() };
const s = await call(p.url, "PUT", "/api/v1/settings", { strip: { ledCount: 300 }, render: { fps: 60 } }, admin);
if (s.status !== 200) throw new Error(`settings: ${s.status} ${s.text}`);
const created = await call(p.url, "POST", "/api/v1/integrations", { name: "bench-cs2", type: "cs2" }, admin);
const setup = await call(p.url, "GET", `/api/v1/integrations/${created.body.id}/setup`, undefined, admin);

/** write_bytes of the server process (every thread). */
const written = () => Number(/write_bytes:\s*(\d+)/.exec(readFileSync(`/proc/${p.proc.pid}/io`, "utf8"))?.[1]);

/** Bytes per minute written over one window while `load` runs (it must stop at `until`). */
async function window(load: (until: number) => Promise<number>): Promise<{ perMin: number; sent: number }> {
  await sleep(2000); // what the last window or the set-up left to flush
  const w0 = written(), t0 = performance.now();
  const sent = await load(t0 + WINDOW_S * 1000);
  const w1 = written(), minutes = (performance.now() - t0) / 60_000;
  return { perMin: (w1 - w0) / minutes, sent };
}

/** Requests at `rate` per second, one in flight, until `until`. */
async function paced(rate: number, until: number, send: (i: number) => Promise<Response>): Promise<number> {
  let i = 0;
  for (const start = performance.now(); ; i++) {
    const due = start + (i * 1000) / rate;
    if (due >= until) return i;
    if (due > performance.now()) await sleep(due - performance.now());
    const r = await send(i);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`load: ${r.status}`);
  }
}

const payloads = loadFixture("cs2-round.json").steps.map((st) => JSON.stringify({ ...(st.payload as object), auth: { token: setup.body.token } }));
let idle, events, game, code;
try {
  idle = await window(async (until) => (await sleep(until - performance.now()), 0));
  events = await window((until) =>
    paced(20, until, (i) => fetch(`${p.url}/api/v1/events`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(i % 2 ? { source: "bench", type: "kill" } : { source: "bench", type: "health", value: i % 100 }),
    })),
  );
  game = await window((until) =>
    paced(10, until, (i) => fetch(`${p.url}/api/v1/integrations/${created.body.id}/event`, { method: "POST", headers: { "content-type": "application/json" }, body: payloads[i % payloads.length] })),
  );
} finally {
  code = await p.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const kB = (b: number) => b / 1024;
console.log(`idle: ${kB(idle.perMin).toFixed(1)} kB/min`);
console.log(`20 events/s: ${kB(events.perMin).toFixed(1)} kB/min (${events.sent} events)`);
console.log(`CS2 at 10 Hz: ${kB(game.perMin).toFixed(1)} kB/min (${game.sent} payloads)`);
const rows: Row[] = [
  atMost("sdcard", "idle, 300 LEDs at 60 fps", kB(idle.perMin), "kB/min", 64),
  atMost("sdcard", "20 events/s over HTTP", kB(events.perMin), "kB/min", 1024, `${events.sent} events in ${WINDOW_S} s`),
  atMost("sdcard", "one CS2 integration at 10 Hz", kB(game.perMin), "kB/min", 1024, `${game.sent} payloads in ${WINDOW_S} s`),
];
if (code !== 0) rows.push(info("sdcard", "SIGTERM exit code", Number(code), ""));
report(rows, opts);
process.exit(0);
