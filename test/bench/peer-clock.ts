// The peer for the loop benchmarks: ledbox's own FrameClock with an empty frame, alone in its
// own process. Run side by side with the real server, it shows what the machine (a shared,
// noisy 2-core box) does to timer jitter, CPU and memory when there is nothing to render.
//
//   bun test/bench/peer-clock.ts --seconds 20 [--fps 60]
//
// Stops by itself after --seconds, or earlier on SIGTERM, and prints: RESULT {json}.
import { FrameClock } from "../../src/light/clock.ts";
import { delivery } from "./lib.ts";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const seconds = Number(arg("seconds", "10"));
const fps = Number(arg("fps", "60"));
setTimeout(() => process.exit(3), (seconds + 10) * 1000);

const times = new Float64Array(Math.ceil(seconds * fps * 1.5) + 100);
let n = 0;
const clock = new FrameClock(fps, (t) => {
  if (n < times.length) times[n++] = t;
});
const start = performance.now();
clock.start();
function finish(): void {
  clock.stop();
  const end = performance.now();
  // Skip the first second: start-up (JIT, first timers) is not the steady state being compared.
  const from = Math.min(start + 1000, end - 100);
  const inWindow = times.subarray(0, n).filter((t) => t >= from && t < end);
  const d = delivery(inWindow, from, end, fps);
  console.log("RESULT " + JSON.stringify({ fps, frames: d.frames, expected: d.expected, ratio: d.ratio, intervalMs: d.interval, overruns: clock.overruns }));
  process.exit(0);
}
process.on("SIGTERM", finish);
setTimeout(finish, seconds * 1000);
