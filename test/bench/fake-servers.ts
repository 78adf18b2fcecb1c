// Helper for the servers bench (not a bench itself): N fake game servers on loopback in their own
// process, so their CPU does not count as ledbox's. Prints one "PORTS {json}" line, then every
// 3 s a player joins or leaves somewhere; stops on SIGTERM or after --seconds.
import { fakeA2s, fakeMinecraft, fakeRcon } from "../servers/fakes.ts";
import { L4D2 } from "../servers/status-fixtures.ts";

const arg = (k: string, d: number) => Number(process.argv[process.argv.indexOf(k) + 1]) || d;
const A2S = arg("--a2s", 30), RCON = arg("--rcon", 10), MC = arg("--minecraft", 10), SECONDS = arg("--seconds", 120);

const info = (i: number) => ({ name: `bench ${i}`, map: "c1m1_hotel", folder: "left4dead2", game: "L4D2", appId: 550, players: 2, maxPlayers: 8, bots: 1, version: "1" });
const a2s = await Promise.all(Array.from({ length: A2S + RCON }, (_, i) => fakeA2s({ info: info(i), players: [{ name: "Ellis", score: 1, duration: 60 }] })));
const rcon = await Promise.all(Array.from({ length: RCON }, () => fakeRcon({ password: "bench", emptyBeforeAuth: true, output: L4D2, mirror: true })));
const mc = await Promise.all(Array.from({ length: MC }, () => fakeMinecraft({ status: { version: { name: "1.21", protocol: 769 }, players: { online: 1, max: 20, sample: [{ name: "Steve", id: "s" }] }, description: "bench" } })));

console.log(`PORTS ${JSON.stringify({ a2s: a2s.slice(0, A2S).map((f) => f.port), rcon: rcon.map((f, i) => [a2s[A2S + i].port, f.port]), minecraft: mc.map((f) => f.port) })}`);

let tick = 0;
const churn = setInterval(() => {
  const f = a2s[tick++ % A2S];
  const joined = f.behaviour.players.length === 1;
  f.behaviour.players = joined ? [...f.behaviour.players, { name: `guest ${tick}`, score: 0, duration: 1 }] : f.behaviour.players.slice(0, 1);
  f.behaviour.info.players = f.behaviour.players.length + 1;
}, 3000);

const stop = () => {
  clearInterval(churn);
  [...a2s, ...rcon, ...mc].forEach((f) => f.close());
  process.exit(0);
};
process.on("SIGTERM", stop);
setTimeout(stop, SECONDS * 1000);
