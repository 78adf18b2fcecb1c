// The loop's rate through faults, measured here rather than asserted in the functional tests
// (which check only what cannot flake on a shared machine: frames go on, nothing is rebuilt).
//
// The real server (startBox, default settings) with its clock at 60 fps; every frame's time is
// recorded through engine.onFrame. Phases, each judged over its own window:
//   - bad input: invalid events, malformed and oversized bodies, and refused settings documents,
//     posted back to back;
//   - a serial bridge that never answers (a socat pty nobody reads) beside a virtual output: from
//     the settings answer through its 3 s hello wait (skipped without socat);
//   - a new frame rate: 30 fps after a settings change, from the answer on.
// Targets: ≥ 99.5% of the frames due delivered in each phase; the settings change with the silent
// bridge answered within 1.5 s (the driver waits at most 250 ms for a device to open).
//
//   npx bun test/bench/faults.ts [--quick]
import { call, startBox } from "../helpers/box.ts";
import { ptyPair, socat } from "../outputs/pty.ts";
import { atLeast, atMost, delivery, FrameRecorder, header, info, options, report, sleep, type Row } from "./lib.ts";

const opts = options();
const SECONDS = opts.quick ? 1 : 3;
header(`faults: the loop's delivered frames through bad input, a silent serial bridge and a rate change (${SECONDS} s each)`, opts);

const rows: Row[] = [];
const t = await startBox();
const cookie = await t.admin();
const frames = new FrameRecorder(200 * 60 * SECONDS);
t.box.engine.onFrame((e) => frames.push(e.lastFrameMs));
await sleep(500);

/** Delivery between two engine times at fps, as a row and a printed line. */
function judge(name: string, from: number, to: number, fps: number) {
  const d = delivery(frames.between(from, to), from, to, fps);
  console.log(`${name}: ${d.frames} of ${d.expected.toFixed(0)} frames (${(100 * d.ratio).toFixed(2)}%), interval p50 ${d.interval.p50.toFixed(2)} p99 ${d.interval.p99.toFixed(2)} max ${d.interval.max.toFixed(1)} ms`);
  rows.push(atLeast("faults", `${name}: frames delivered`, 100 * d.ratio, "%", 99.5, `interval p99 ${d.interval.p99.toFixed(2)} ms, max ${d.interval.max.toFixed(1)} ms`));
}

// Bad input, back to back for the whole window.
{
  const bodies: [string, string, unknown][] = [
    ["POST", "/api/v1/events", { type: "explosion" }],
    ["POST", "/api/v1/events", '{"type": "kill"'],
    ["POST", "/api/v1/events", JSON.stringify([{ type: "kill" }]) + " ".repeat(300 * 1024)],
    ["PUT", "/api/v1/settings", { render: { fps: 0 } }],
    ["PUT", "/api/v1/settings", { outputs: [{ driver: "laser" }] }],
  ];
  const from = t.box.engine.now();
  let sent = 0;
  while (t.box.engine.now() - from < SECONDS * 1000) {
    const [method, path, body] = bodies[sent++ % bodies.length];
    await call(t.url, method, path, body, { cookie });
  }
  rows.push(info("faults", "bad requests sent", sent, "", "all refused"));
  judge("bad input", from, t.box.engine.now(), 60);
}

// A serial bridge that never answers, beside a virtual output.
if (socat.skip) rows.push(info("faults", "silent serial bridge: skipped", 0, "", "socat not installed"));
else {
  const p = await ptyPair();
  try {
    const asked = performance.now();
    const r = await call(t.url, "PUT", "/api/v1/settings", {
      strip: { ledCount: 100 }, outputs: [{ driver: "serial", device: p.a, length: 50 }, { driver: "virtual", start: 50 }],
    }, { cookie });
    if (r.status !== 200) throw new Error(`settings refused: ${r.text}`);
    rows.push(atMost("faults", "silent serial bridge: settings answered", performance.now() - asked, "ms", 1500, "its hello times out after 3 s"));
    const from = t.box.engine.now();
    await sleep(SECONDS * 1000);
    judge("silent serial bridge", from, t.box.engine.now(), 60);
    await call(t.url, "PUT", "/api/v1/settings", { strip: { ledCount: 150 }, outputs: [{ driver: "virtual", start: 0 }] }, { cookie });
  } finally {
    await p.stop();
  }
}

// A new frame rate.
{
  const r = await call(t.url, "PUT", "/api/v1/settings", { render: { fps: 30 } }, { cookie });
  if (r.status !== 200) throw new Error(`settings refused: ${r.text}`);
  const from = t.box.engine.now();
  await sleep(SECONDS * 1000);
  judge("after a change to 30 fps", from, t.box.engine.now(), 30);
}

await t.stop();
report(rows, opts);
