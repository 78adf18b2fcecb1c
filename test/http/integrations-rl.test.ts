// Rocket League end to end: ledbox connects to a fake Stats API TCP stream on loopback that sends
// concatenated JSON split at awkward places, then drops the connection to test the reconnect.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { call, integrationStatus, startBox, until, type TestBox } from "../helpers/box.ts";
import { loadFixture } from "../games/fixture.ts";

setDefaultTimeout(20_000);
const steps = loadFixture("rocketleague-stream.json").steps;

describe("Rocket League integration over TCP", () => {
  let t: TestBox;
  let admin: Record<string, string>;
  let game: TCPSocketListener<undefined>;
  const clients: Socket<undefined>[] = [];
  let connections = 0;

  beforeAll(async () => {
    game = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(s) {
          connections++;
          clients.push(s);
        },
        data() {},
      },
    });
    t = await startBox();
    admin = { cookie: await t.admin() };
  });
  afterAll(async () => {
    await t.stop();
    game.stop(true);
  });

  const status = (id: string) => integrationStatus(t, id);

  test("reads the stream, fires each occurrence once, and reconnects after the game drops it", async () => {
    const r = await call(t.url, "POST", "/api/v1/integrations", { name: "rl", type: "rocketleague", config: { playerName: "Octane", host: "127.0.0.1", port: game.port } }, admin);
    expect(r.status).toBe(201);
    const id = r.body.id;
    const setup = (await call(t.url, "GET", `/api/v1/integrations/${id}/setup`, undefined, admin)).body;
    expect(setup.file).toMatchObject({ filename: "TAStatsAPI.ini", content: expect.stringContaining("Port=49123") });
    await until(() => clients.length === 1, "ledbox to connect");
    const stream = steps.map((s) => JSON.stringify(s.payload)).join("");
    // Awkward chunks: 97 bytes each, so objects and strings are cut mid-way.
    for (let i = 0; i < stream.length; i += 97) clients[0].write(stream.slice(i, i + 97));
    const st = await until(async () => {
      const x = await status(id);
      return x.counts.match_end === 1 && x;
    }, "the match end", 5000);
    expect(st.counts).toMatchObject({ match_start: 1, round_start: 1, objective: 3, kill: 1, death: 1, match_end: 1 });
    expect(st.connected).toBe(true);

    clients[0].end();
    await until(() => connections === 2, "a reconnect", 5000);
    // The same messages again on the new connection are the same occurrences: nothing new fires.
    clients[1].write(steps.slice(1).map((s) => JSON.stringify(s.payload)).join("\n"));
    await until(async () => (await status(id)).payloads >= steps.length * 2 - 1, "the second pass to be read");
    expect((await status(id)).counts).toMatchObject({ round_start: 1, objective: 3, kill: 1, death: 1, match_end: 1 });
    await call(t.url, "DELETE", `/api/v1/integrations/${id}`, undefined, admin);
  });

  test("with no game listening the status says it is not connected", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const r = await call(t.url, "POST", "/api/v1/integrations", { name: "rl-off", type: "rocketleague", config: { host: "127.0.0.1", port } }, admin);
    await until(async () => (await status(r.body.id)).problem?.text.includes("not connected to the game"), "the not-connected problem");
    expect((await status(r.body.id)).connected).toBe(false);
    await call(t.url, "DELETE", `/api/v1/integrations/${r.body.id}`, undefined, admin);
  });
});
