// Helper for faults.test.ts (not a test itself): 200 polls with a 20 s deadline against fakes that
// answer or fail at once, then the fakes close and the process should end by itself at once. A
// deadline timer or a socket left behind would keep it alive for up to 20 s.
import type { ServerConfig } from "../../src/servers/config.ts";
import { pollServer } from "../../src/servers/poll.ts";
import { fakeA2s, fakeMinecraft, fakeRcon } from "./fakes.ts";
import { L4D2 } from "./status-fixtures.ts";

const INFO = { name: "x", map: "m", folder: "tf", game: "TF2", appId: 440, players: 1, maxPlayers: 8, bots: 0, version: "1" };
const fakes = [
  await fakeA2s({ info: INFO, players: [{ name: "a", score: 0, duration: 1 }] }),
  await fakeA2s({ info: INFO, players: [], override: () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x49, 17]) }),
  await fakeRcon({ password: "pw", emptyBeforeAuth: true, output: L4D2, mirror: true }),
  await fakeRcon({ password: "pw", emptyBeforeAuth: false, output: "", mirror: false, raw: () => new Uint8Array([255, 255, 255, 127]) }),
  await fakeMinecraft({ status: { players: { online: 0, max: 5 }, description: "" } }),
  await fakeMinecraft({ status: null, raw: new Uint8Array([3, 0, 9, 9]) }),
];
const [good, bad, rcon, rconBad, mc, mcBad] = fakes;
const base = { intervalMs: 1000, timeoutMs: 20_000, enabled: true, name: "x", host: "127.0.0.1" };
const configs: ServerConfig[] = [
  { ...base, kind: "source", port: good.port },
  { ...base, kind: "source", port: bad.port },
  { ...base, kind: "source-rcon", port: good.port, rconPort: rcon.port, rconPassword: "pw" },
  { ...base, kind: "source-rcon", port: good.port, rconPort: rcon.port, rconPassword: "wrong" },
  { ...base, kind: "source-rcon", port: good.port, rconPort: rconBad.port, rconPassword: "pw" },
  { ...base, kind: "minecraft", port: mc.port },
  { ...base, kind: "minecraft", port: mcBad.port },
  { ...base, kind: "minecraft", port: 1 },
];
const outcomes = new Map<string, number>();
for (let i = 0; i < 200; i += configs.length) {
  const results = await Promise.all(configs.map((c) => pollServer(c).then((s) => (s.problems[0] ?? "ok").split(":")[0], (e: Error) => e.message.split(":")[0])));
  for (const r of results) outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
}
fakes.forEach((f) => f.close());
console.log(`DONE ${Date.now()} ${JSON.stringify(Object.fromEntries(outcomes))}`);
