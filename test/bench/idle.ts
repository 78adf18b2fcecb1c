// Idle: the real server as its own process (`bun src/main.ts`), 300 LEDs at 60 fps, no clients.
// Targets: CPU ≤ 3% of one core; RSS ≤ 80 MB.
//
// The data folder is prepared first as a new device would be (first run: FPS Combat preset),
// with strip.ledCount = 300 written through the settings service. After a settle time, CPU is
// utime+stime from /proc/<pid>/stat over the window (all threads), RSS is VmRSS from
// /proc/<pid>/status (VmHWM, the peak, is printed too). The peer, measured the same way at the
// same time: a bare FrameClock at 60 fps in its own Bun process — what the runtime and timers
// cost before ledbox renders anything. Afterwards the server's own stats confirm it ran 300 LEDs
// at 60 fps, and SIGTERM must stop it cleanly.
//
//   npx bun test/bench/idle.ts [--quick]
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Ledbox } from "../../src/ledbox.ts";
import { atMost, BENCH_DIR, BUN, header, info, options, report, sleep, tempDir, type Row } from "./lib.ts";

const opts = options();
const SETTLE_S = opts.quick ? 1.5 : 5;
const WINDOW_S = opts.quick ? 3 : 20;
const LEDS = 300;
header(`idle: ${LEDS} LEDs at 60 fps, no clients, CPU over ${WINDOW_S} s after ${SETTLE_S} s settling`, opts);

const ROOT = join(BENCH_DIR, "../..");
const dataDir = tempDir("ledbox-bench-idle-");

// A new device with 300 LEDs: first run (preset, setup code), then the setting through the service.
{
  const box = new Ledbox({ dataDir, port: 0, host: "127.0.0.1" }, () => {});
  const r = await box.settings.update({ strip: { ledCount: LEDS }, render: { fps: 60 } });
  if (!r.ok) throw new Error(r.error);
  await box.stop();
}

const CLK_TCK = (() => {
  const r = Bun.spawnSync(["getconf", "CLK_TCK"]);
  return Number(r.stdout.toString().trim()) || 100;
})();
/** utime + stime in seconds, every thread of the process. */
function cpuSeconds(pid: number): number {
  // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
function memoryMb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s*(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

const server = Bun.spawn([BUN, "src/main.ts", "--port", "0", "--host", "127.0.0.1", "--data", dataDir], {
  cwd: ROOT, stdout: "pipe", stderr: "pipe", stdin: "ignore",
});
const hardStop = setTimeout(() => server.kill("SIGKILL"), (SETTLE_S + WINDOW_S + 60) * 1000);
let log = "";
const url = await (async () => {
  const reader = server.stdout.getReader();
  const dec = new TextDecoder();
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    log += dec.decode(value);
    const m = /listening on (http:\/\/\S+?:\d+)/.exec(log);
    if (m) {
      // Keep draining stdout so the server never blocks on a full pipe.
      (async () => { while (!(await reader.read()).done); })();
      return m[1].replace("localhost", "127.0.0.1");
    }
  }
  server.kill("SIGKILL");
  throw new Error(`server did not start:\n${log}\n${await new Response(server.stderr).text()}`);
})();
console.log(`server pid ${server.pid} at ${url}; ${log.trim().split("\n").find((l) => l.includes("listening"))}`);

const peer = Bun.spawn([BUN, join(BENCH_DIR, "peer-clock.ts"), "--seconds", String(SETTLE_S + WINDOW_S + 5), "--fps", "60"], { stdout: "ignore", stderr: "ignore", stdin: "ignore" });

await sleep(SETTLE_S * 1000);
const t0 = performance.now();
const c0 = cpuSeconds(server.pid), p0 = cpuSeconds(peer.pid);
await sleep(WINDOW_S * 1000);
const c1 = cpuSeconds(server.pid), p1 = cpuSeconds(peer.pid);
const wall = (performance.now() - t0) / 1000;
const mem = memoryMb(server.pid), peerMem = memoryMb(peer.pid);
const cpu = (100 * (c1 - c0)) / wall, peerCpu = (100 * (p1 - p0)) / wall;
peer.kill();

// The server's own view, read after the window so the request does not count in it.
const state = (await (await fetch(`${url}/api/v1/state`)).json()) as {
  stats: { deliveredFps: number; targetFps: number; intervalMs: { p99: number }; renderMs: { p50: number; p99: number }; frames: number };
  strip: { ledCount: number };
};
server.kill("SIGTERM");
const code = await Promise.race([server.exited, sleep(5000).then(() => "timeout" as const)]);
if (code === "timeout") server.kill("SIGKILL");
clearTimeout(hardStop);
await peer.exited;
rmSync(dataDir, { recursive: true, force: true });

console.log(`server: CPU ${(c1 - c0).toFixed(2)} s over ${wall.toFixed(1)} s = ${cpu.toFixed(2)}% of one core (clock ticks of ${(1000 / CLK_TCK).toFixed(0)} ms); RSS ${mem.rss.toFixed(1)} MB, peak ${mem.hwm.toFixed(1)} MB`);
console.log(`peer (bare FrameClock at 60 fps, own Bun process): CPU ${peerCpu.toFixed(2)}%, RSS ${peerMem.rss.toFixed(1)} MB → ledbox's own share above the runtime ≈ ${(cpu - peerCpu).toFixed(2)}% CPU, ${(mem.rss - peerMem.rss).toFixed(1)} MB`);
console.log(`server stats: ${state.strip.ledCount} LEDs, ${state.stats.deliveredFps} of ${state.stats.targetFps} fps, interval p99 ${state.stats.intervalMs.p99} ms, render p50 ${state.stats.renderMs.p50} p99 ${state.stats.renderMs.p99} ms`);
console.log(`SIGTERM: ${code === "timeout" ? "did not exit within 5 s (killed)" : `exit code ${code}`}`);
if (state.strip.ledCount !== LEDS) throw new Error(`the server ran ${state.strip.ledCount} LEDs, not ${LEDS}`);

const rows: Row[] = [
  atMost("idle", "CPU", cpu, "% core", 3, `${(c1 - c0).toFixed(2)} s CPU in ${wall.toFixed(1)} s`),
  atMost("idle", "RSS", mem.rss, "MB", 80, `peak ${mem.hwm.toFixed(1)} MB`),
  info("idle", "delivered fps", state.stats.deliveredFps, "fps", `interval p99 ${state.stats.intervalMs.p99} ms`),
  info("idle", "peer CPU", peerCpu, "% core", "bare FrameClock at 60 fps"),
  info("idle", "peer RSS", peerMem.rss, "MB", "bare FrameClock at 60 fps"),
];
if (code !== 0) rows.push({ bench: "idle", metric: "clean SIGTERM exit", value: code === "timeout" ? NaN : Number(code), unit: "", target: "0", ratio: null, pass: false });
report(rows, opts);
process.exit(0);
