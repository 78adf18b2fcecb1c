// Servers: 50 game servers polled every second (30 A2S, 10 A2S + RCON `status`, 10 Minecraft; fakes
// in their own process, with players coming and going) while the loop runs at 60 fps.
// Targets: delivered frames ≥ 99.5% and frame interval p99 ≤ 16.67 + 2 ms (or the p99 without
// polling + 1 ms, on a machine already noisier than that) while polling; the
// CPU cost per poll is reported (this process's CPU with polling minus without, per poll).
//
//   npx bun test/bench/servers.ts [--quick]
import { rmSync } from "node:fs";
import { Ledbox } from "../../src/ledbox.ts";
import { atLeast, atMost, BENCH_DIR, BUN, delivery, FrameRecorder, header, info, options, report, sleep, tempDir, type Row } from "./lib.ts";

const opts = options();
const WINDOW_S = opts.quick ? 4 : 20;
const FPS = 60;
header(`servers: 50 servers polled every 1 s, loop at ${FPS} fps, ${WINDOW_S} s without then ${WINDOW_S} s with polling`, opts);

const fakes = Bun.spawn([BUN, `${BENCH_DIR}/fake-servers.ts`, "--seconds", String(WINDOW_S * 2 + 60)], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
const ports = await (async () => {
  const reader = fakes.stdout.getReader();
  let text = "";
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const m = /^PORTS (.+)$/m.exec(text);
    if (m) return JSON.parse(m[1]) as { a2s: number[]; rcon: [number, number][]; minecraft: number[] };
  }
  fakes.kill();
  throw new Error(`fake servers did not start: ${text}`);
})();

const dataDir = tempDir("ledbox-bench-servers-");
const box = new Ledbox({ dataDir, port: 0, host: "127.0.0.1" }, () => {});
await box.start();
const frames = new FrameRecorder(FPS * WINDOW_S * 3);
box.engine.onFrame((e) => frames.push(e.lastFrameMs));

/** Frame delivery and this process's CPU over one window. */
async function window() {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const polls0 = box.servers.polls;
  await sleep(WINDOW_S * 1000);
  const t1 = performance.now();
  const c = process.cpuUsage(c0);
  return { d: delivery(frames.between(t0, t1), t0, t1, FPS), cpuS: (c.user + c.system) / 1e6, wallS: (t1 - t0) / 1000, polls: box.servers.polls - polls0 };
}

await sleep(1000);
const idle = await window();
const add = (input: Record<string, unknown>) => box.servers.create(input);
ports.a2s.forEach((port, i) => add({ name: `a2s ${i}`, kind: "source", host: "127.0.0.1", port, intervalMs: 1000 }));
ports.rcon.forEach(([port, rconPort], i) => add({ name: `rcon ${i}`, kind: "source-rcon", host: "127.0.0.1", port, rconPort, rconPassword: "bench", intervalMs: 1000 }));
ports.minecraft.forEach((port, i) => add({ name: `mc ${i}`, kind: "minecraft", host: "127.0.0.1", port, intervalMs: 1000 }));
await sleep(2000);
const busy = await window();

const statuses = box.servers.list().map((r) => box.servers.status(r.id));
const online = statuses.filter((s) => s.state === "online" && !s.problem).length;
const events = box.ingest.accepted;
await box.stop();
fakes.kill();
await fakes.exited;
rmSync(dataDir, { recursive: true, force: true });

const perPollMs = ((busy.cpuS - idle.cpuS) * 1000) / Math.max(1, busy.polls);
const pollsPerS = busy.polls / busy.wallS;
console.log(`without polling: ${idle.d.frames} of ${idle.d.expected.toFixed(0)} frames, interval p99 ${idle.d.interval.p99.toFixed(2)} ms, CPU ${(100 * idle.cpuS / idle.wallS).toFixed(1)}% of one core`);
console.log(`with polling:    ${busy.d.frames} of ${busy.d.expected.toFixed(0)} frames, interval p99 ${busy.d.interval.p99.toFixed(2)} ms, CPU ${(100 * busy.cpuS / busy.wallS).toFixed(1)}% of one core; ${busy.polls} polls (${pollsPerS.toFixed(1)}/s), ${online} of 50 servers online without a problem, ${events} events`);
console.log(`CPU per poll ≈ ${perPollMs.toFixed(3)} ms (the difference between the two windows ÷ polls)`);

const rows: Row[] = [
  atLeast("servers", "frames delivered while polling", 100 * busy.d.ratio, "%", 99.5, `without polling ${(100 * idle.d.ratio).toFixed(2)}%`),
  // Relative to the same loop a moment before: the shared machine's own jitter is not the pollers'.
  atMost("servers", "interval p99 while polling", busy.d.interval.p99, "ms", Math.max(1000 / FPS + 2, idle.d.interval.p99 + 1), `without polling ${idle.d.interval.p99.toFixed(2)} ms`),
  atLeast("servers", "polls per second", pollsPerS, "/s", 45, `${online} of 50 servers online without a problem`),
  info("servers", "CPU per poll", perPollMs, "ms", `${(100 * (busy.cpuS / busy.wallS - idle.cpuS / idle.wallS)).toFixed(1)}% of one core for 50 servers at 1 s`),
];
report(rows, opts);
process.exit(0);
