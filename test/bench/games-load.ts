// Load generator for the games bench, in its own process: N integrations, each posting CS2 GSI
// payloads at a fixed rate on its own keep-alive connection, one request in flight (as the game
// does: it never sends again before the answer). Prints one line: RESULT {json}.
//
//   bun test/bench/games-load.ts --url URL --seconds S --rate 64 --targets '[{"id":…,"token":…}]'
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { summary } from "./lib.ts";

const arg = (name: string) => process.argv[process.argv.indexOf(`--${name}`) + 1];
const url = arg("url");
const seconds = Number(arg("seconds"));
const rate = Number(arg("rate"));
const targets = JSON.parse(arg("targets")) as { id: string; token: string }[];
setTimeout(() => process.exit(3), (seconds + 15) * 1000);

const steps = JSON.parse(readFileSync(join(import.meta.dir, "..", "games", "fixtures", "cs2-round.json"), "utf8")).steps as { payload: any }[];
const latencies: number[] = [];
const status: Record<string, number> = {};
let sent = 0, missed = 0;

async function run(t: { id: string; token: string }, offset: number) {
  // A game's sequence with its own token, serialised once: the generator must stay cheap.
  const bodies = steps.map((s) => JSON.stringify({ ...s.payload, auth: { token: t.token } }));
  const period = 1000 / rate;
  const start = performance.now() + offset;
  const end = start + seconds * 1000;
  for (let i = 0; ; i++) {
    const due = start + i * period;
    if (due >= end) break;
    const wait = due - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    else if (wait < -period) {
      missed++; // still waiting for the last answer when this one was due: the game would skip it too
      continue;
    }
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/integrations/${t.id}/event`, { method: "POST", headers: { "content-type": "application/json" }, body: bodies[i % bodies.length] });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    status[res.status] = (status[res.status] ?? 0) + 1;
    sent++;
  }
}

await Promise.all(targets.map((t, k) => run(t, (k * 1000) / rate / targets.length)));
const l = summary(latencies);
console.log("RESULT " + JSON.stringify({ sent, missed, perSec: sent / seconds, status, latencyMs: { p50: l.p50, p99: l.p99, max: l.max } }));
