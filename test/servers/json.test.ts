import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { JsonRulesSchema, mapJson, queryJson } from "../../src/servers/json.ts";
import { until } from "../helpers/box.ts";

const DOC = { server: { title: "Valheim", world: "Midgard", max: 10, up: true }, players: [{ nick: "Odin" }, { nick: "Thor" }] };
let server: ReturnType<typeof Bun.serve>;
let body = JSON.stringify(DOC);
let status = 200;
let delayMs = 0;

beforeAll(() => {
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: async () => {
    if (delayMs) await Bun.sleep(delayMs);
    return new Response(body, { status });
  } });
});
afterAll(() => server.stop(true));

const rules = JsonRulesSchema.parse({ players: "players", maxPlayers: "server.max", map: "server.world", name: "server.title", playerList: "players", playerName: "nick", online: "server.up" });

describe("JSON endpoint", () => {
  test("paths map fields; an array counts its players", async () => {
    expect(await queryJson(`${server.url}status`, rules)).toEqual({ online: true, name: "Valheim", map: "Midgard", players: 2, maxPlayers: 10, names: ["Odin", "Thor"], doc: DOC });
    const doc = { a: { n: [0, 7] } };
    expect(mapJson(doc, JsonRulesSchema.parse({ players: "a.n.1" }))).toEqual({ online: true, name: undefined, map: undefined, players: 7, maxPlayers: undefined, names: null, doc });
  });

  test("bad paths are refused; a missing count, bad JSON, HTTP errors and slowness are clear", async () => {
    expect(JsonRulesSchema.safeParse({ players: "a..b" }).success).toBe(false);
    expect(JsonRulesSchema.safeParse({ players: "a", events: [{ event: "no_such_event" }] }).success).toBe(false);
    expect(() => mapJson({}, rules)).toThrow('"players" is not a number or an array in the reply');
    body = "<html>";
    await expect(queryJson(`${server.url}x`, rules)).rejects.toThrow("reply is not valid JSON");
    status = 503;
    await expect(queryJson(`${server.url}x`, rules)).rejects.toThrow(`${new URL(server.url).host} answered HTTP 503`);
    status = 200;
    body = JSON.stringify({ players: 1, pad: "x".repeat(1_100_000) });
    await expect(queryJson(`${server.url}x`, rules)).rejects.toThrow(`the reply from ${new URL(server.url).host} is over 1048576 bytes`);
    delayMs = 500;
    await expect(queryJson(`${server.url}x`, rules, { timeoutMs: 200 })).rejects.toThrow(`timeout after 0.2 s waiting for ${new URL(server.url).host}`);
  });

  test("a body without end is cut at the cap; a reply that breaks off is said so", async () => {
    // Chunked, no length: streams until the reader stops it.
    let sent = 0;
    const endless = Bun.serve({
      hostname: "127.0.0.1", port: 0,
      fetch: () => new Response(new ReadableStream({ pull(c) { sent += 65536; c.enqueue(new Uint8Array(65536).fill(0x20)); } })),
    });
    const reset = Bun.listen({
      hostname: "127.0.0.1", port: 0,
      socket: { data(s) { s.write("HTTP/1.1 200 OK\r\ncontent-length: 400\r\n\r\n{\"players\": ["); s.terminate(); } },
    });
    try {
      await expect(queryJson(`${endless.url}x`, rules, { timeoutMs: 5000 })).rejects.toThrow(`the reply from ${new URL(endless.url).host} is over 1048576 bytes`);
      // The reader let the connection go: the server is not still streaming into nobody.
      expect(sent).toBeGreaterThan(1 << 20);
      await until(() => endless.pendingRequests === 0, "the endless reply to be dropped");
      await expect(queryJson(`http://127.0.0.1:${reset.port}/x`, rules)).rejects.toThrow(`the connection to 127.0.0.1:${reset.port} closed before the reply was complete`);
    } finally {
      endless.stop(true);
      reset.stop(true);
    }
  });
});
