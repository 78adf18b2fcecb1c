// End to end: a fake game server's player joins → player_joined on the bus → the Game Servers
// preset's green sweep in the live frames.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { call, led, openLive, startBox, until, type TestBox } from "../helpers/box.ts";
import { fakeA2s } from "../servers/fakes.ts";

setDefaultTimeout(20_000);

let t: TestBox;
let a2s: Awaited<ReturnType<typeof fakeA2s>>;
beforeAll(async () => {
  t = await startBox();
  a2s = await fakeA2s({
    info: { name: "Lan Party", map: "c1m1_hotel", folder: "left4dead2", game: "Left 4 Dead 2", appId: 550, players: 1, maxPlayers: 8, bots: 0, version: "1" },
    players: [{ name: "Zoey", score: 0, duration: 30 }],
  });
});
afterAll(async () => {
  await t.stop();
  a2s.close();
});

const isJoinSweep = ([r, g, b]: number[]) => g > 80 && g > 2 * r && g > 1.5 * b;

test("a player joining a game server sweeps the strip green", async () => {
  const admin = { cookie: await t.admin() };
  expect((await call(t.url, "POST", "/api/v1/presets/game-servers/apply", undefined, admin)).body).toEqual({ applied: "game-servers", mappings: 8 });
  const c = await call(t.url, "POST", "/api/v1/servers", { name: "lan", kind: "source", host: "127.0.0.1", port: a2s.port, intervalMs: 1000 }, admin);
  expect(c.status).toBe(201);
  await until(async () => (await call(t.url, "GET", `/api/v1/servers/${c.body.id}/status`)).body.state === "online", "the first poll", 5000);

  const live = await openLive(t.url);
  try {
    // The first poll only sets the players bar (1 of 8 over the first 60%): the far end shows no sweep.
    await live.waitFrame((f) => !isJoinSweep(led(f, 149)), "a frame before the join");
    const from = live.mark();
    a2s.behaviour.info.players = 2;
    a2s.behaviour.players.push({ name: "Francis", score: 0, duration: 1 });

    const joined = await live.waitMessage("events", (m) => m.items.some((i) => i.event.type === "player_joined"), 5000);
    expect(joined.items.find((i) => i.event.type === "player_joined")!.event).toMatchObject({ type: "player_joined", name: "Francis", game: "left4dead2", source: "server:lan" });
    await live.waitFrame((f) => isJoinSweep(led(f, 149)), "the green join sweep at the far end of the strip", { from, timeoutMs: 3000 });
    const fraction = live.events().find((i) => i.event.type === "players" && i.event.value === 2);
    expect(fraction?.event).toMatchObject({ min: 0, max: 8 });
    expect(live.invalid).toEqual([]);
  } finally {
    await live.close();
  }
});
