// MQTT load generator for the benchmarks, in its own process: publishes one GameEvent per
// message (QoS 1) to <topic> at --rate messages/s, in slots of 10 ms. Bounded: a slot's
// publishes must be acknowledged before the next slot starts; slots missed while behind are
// skipped and counted. Stops after --seconds (or on SIGTERM) and prints one line: RESULT {json}.
//
//   bun test/bench/mqtt-loadgen.ts --url mqtt://127.0.0.1:PORT --topic ledbox/x/event --seconds 10 --rate 5000
import mqtt from "mqtt";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const url = arg("url", "");
const topic = arg("topic", "");
const seconds = Number(arg("seconds", "10"));
const rate = Number(arg("rate", "5000"));
if (!url || !topic) throw new Error("--url and --topic are required");
setTimeout(() => process.exit(3), (seconds + 15) * 1000);

const game = "cs2";
/** Meters and triggers, as a game relay would send them; bodies prepared up front. */
const bodies = Array.from({ length: 100 }, (_, i) => JSON.stringify(
  i % 4 === 0 ? { type: "health", game, value: i } : i % 4 === 1 ? { type: "ammo", game, value: i % 31 } : i % 4 === 2 ? { type: "damage_dealt", game, amount: i } : { type: "kill", game },
));

const client = await mqtt.connectAsync(url, { clientId: `ledbox-bench-${process.pid}`, reconnectPeriod: 0 });
const SLOT_MS = 10;
const perSlot = (rate * SLOT_MS) / 1000;
let sent = 0, acked = 0, skipped = 0, errors = 0, stop = false;
process.on("SIGTERM", () => (stop = true));
const start = performance.now();
const end = start + seconds * 1000;
let due = start, owed = 0;
while (!stop && due < end) {
  const wait = due - performance.now();
  if (wait > 1) await Bun.sleep(wait);
  owed += perSlot;
  const n = Math.floor(owed);
  owed -= n;
  const batch: Promise<unknown>[] = [];
  for (let k = 0; k < n; k++) batch.push(client.publishAsync(topic, bodies[sent++ % bodies.length], { qos: 1 }).then(() => acked++, () => errors++));
  await Promise.all(batch);
  due += SLOT_MS;
  const behind = performance.now() - due;
  if (behind > 4 * SLOT_MS) {
    const missed = Math.floor(behind / SLOT_MS);
    skipped += missed;
    due += missed * SLOT_MS;
  }
}
const elapsed = (performance.now() - start) / 1000;
await client.endAsync();
console.log("RESULT " + JSON.stringify({ seconds: elapsed, sent, acked, errors, skippedSlots: skipped, perSec: acked / elapsed }));
process.exit(0);
