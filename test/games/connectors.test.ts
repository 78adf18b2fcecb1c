// The connectors (LoL poller, Rocket League client) against real sockets on loopback that fail the
// ways networks do: a closed port, a reset in the middle of a reply, a name that does not resolve,
// a peer that accepts and never answers. Each shows in words (what the integration's status shows),
// nothing throws out of them, and failing again and again backs off.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import type { Connector, ConnectorContext } from "../../src/games/adapter.ts";
import { lolPoller } from "../../src/games/lol-poller.ts";
import { rlClient } from "../../src/games/rl-client.ts";
import { until } from "../helpers/box.ts";

setDefaultTimeout(20_000);

/** What a connector reports, in order: problems (null = healthy again) and payloads fed. */
function context<C>(config: C) {
  const problems: (string | null)[] = [];
  const fed: unknown[] = [];
  const ctx: ConnectorContext<C> = { config, feed: (p) => void fed.push(p), problem: (t) => void problems.push(t), log: () => {} };
  return { ctx, problems, fed };
}

/** A port that was open a moment ago and is closed now. */
function closedPort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});
const started = (c: Connector) => {
  c.start();
  cleanup.push(() => void c.stop());
  return c;
};
const listen = (socket: Parameters<typeof Bun.listen<undefined>>[0]["socket"]): TCPSocketListener<undefined> => {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket });
  cleanup.push(() => l.stop(true));
  return l;
};

const LOADING = { errorCode: "RESOURCE_NOT_FOUND", httpStatus: 404, implementationDetails: {}, message: "Invalid URI format" };

describe("LoL poller", () => {
  const poller = (url: string, timeoutMs?: number) => {
    const c = context({ url, intervalMs: 100 });
    started(lolPoller(c.ctx, timeoutMs));
    return c;
  };

  test("a closed port: no game running, connection refused; retries back off 0.1 → 0.2 → 0.4 s", async () => {
    const port = closedPort();
    const { problems, fed } = poller(`http://127.0.0.1:${port}`);
    await until(() => problems.length >= 3, "three failed polls");
    expect(problems.slice(0, 3)).toEqual([0.1, 0.2, 0.4].map((s) => `no game running at http://127.0.0.1:${port} (connection refused); retrying in ${s} s`));
    expect(fed).toEqual([]);
  });

  test("a reset in the middle of the reply is said so; nothing half-read is fed", async () => {
    const game = listen({
      data(s) {
        s.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"activePlayer":{"summonerName":"Fa');
        s.terminate();
      },
    });
    const { problems, fed } = poller(`http://127.0.0.1:${game.port}`);
    await until(() => problems.length >= 2, "two failed polls");
    expect(problems.slice(0, 2)).toEqual([0.1, 0.2].map((s) => `the game API at http://127.0.0.1:${game.port}: the connection was reset; retrying in ${s} s`));
    expect(fed).toEqual([]);
  });

  test("a host name that does not resolve is said so", async () => {
    const { problems } = poller("https://no-such-host.invalid:2999");
    // A generous deadline: a resolver without network may take seconds to say no.
    await until(() => problems.length >= 1, "the failed poll", 15_000);
    expect(problems[0]).toBe('the game API at https://no-such-host.invalid:2999: cannot resolve host "no-such-host.invalid"; retrying in 0.1 s');
  });

  test("a peer that accepts and never answers: no answer within the timeout", async () => {
    const game = listen({ data() {} });
    const { problems, fed } = poller(`http://127.0.0.1:${game.port}`, 300);
    await until(() => problems.length >= 1, "the timed-out poll");
    expect(problems[0]).toBe(`no answer from the game API at http://127.0.0.1:${game.port} within 0.3 s; retrying in 0.1 s`);
    expect(fed).toEqual([]);
  });

  test("answers that are not the API's: a 500 without JSON, then JSON that is not an error answer; then the loading screen goes to the adapter and the problem clears", async () => {
    let answer = () => new Response("oops", { status: 500 });
    const game = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => answer() });
    cleanup.push(() => game.stop(true));
    const { problems, fed } = poller(`http://127.0.0.1:${game.port}`);
    await until(() => problems.length >= 1, "the failed poll");
    expect(problems[0]).toBe(`the game API at http://127.0.0.1:${game.port} answered 500 with something that is not JSON; retrying in 0.1 s`);
    answer = () => Response.json({ nope: true }, { status: 503 });
    await until(() => problems.some((p) => p?.includes("answered 503")), "the 503");
    expect(problems.at(-1)).toMatch(/^the game API at http:\/\/127\.0\.0\.1:\d+ answered 503; retrying in \d/);
    answer = () => Response.json(LOADING, { status: 404 });
    await until(() => fed.length >= 2, "two loading answers fed");
    expect(fed[0]).toEqual(LOADING);
    expect(problems.at(-1)).toBeNull();
  });
});

describe("Rocket League client", () => {
  const client = (host: string, port: number, silenceMs?: number) => {
    const c = context({ host, port });
    started(rlClient(c.ctx, silenceMs));
    return c;
  };
  const msg = (o: unknown) => JSON.stringify(o);

  test("a closed port: connection refused; retries back off 0.5 → 1 s", async () => {
    const port = closedPort();
    const { problems } = client("127.0.0.1", port);
    await until(() => problems.length >= 2, "two failed connects");
    expect(problems.slice(0, 2)).toEqual([0.5, 1].map((s) => `not connected to the game at 127.0.0.1:${port} (connection refused); retrying in ${s} s`));
  });

  test("a host name that does not resolve is said so", async () => {
    const { problems } = client("no-such-host.invalid", 49123);
    await until(() => problems.length >= 1, "the failed connect", 15_000);
    expect(problems[0]).toBe('not connected to the game at no-such-host.invalid:49123 (cannot resolve host "no-such-host.invalid"); retrying in 0.5 s');
  });

  test("a reset in the middle of a message: the whole ones are fed, the cut one is dropped, the next connection starts clean", async () => {
    const first = { Event: "MatchCreated", Data: { MatchGuid: "A1" } };
    const second = { Event: "RoundStarted", Data: { MatchGuid: "A1" } };
    let connections = 0;
    const game = listen({
      open(s) {
        if (++connections === 1) {
          s.write(msg(first) + msg(second).slice(0, 20));
          s.terminate();
        } else s.write(msg(second));
      },
      data() {},
    });
    const { problems, fed } = client("127.0.0.1", game.port);
    await until(() => fed.length >= 2, "both messages");
    expect(fed).toEqual([first, second]);
    expect(problems).toContain(`not connected to the game at 127.0.0.1:${game.port} (the connection was reset); retrying in 0.5 s`);
    expect(problems.at(-1)).toBeNull();
  });

  test("a peer that accepts and never sends is said so; its first message clears it", async () => {
    let peer: Socket<undefined> | null = null;
    const game = listen({ open: (s) => void (peer = s), data() {} });
    const { problems, fed } = client("127.0.0.1", game.port, 200);
    await until(() => problems.length >= 2, "the silence");
    expect(problems).toEqual([null, `connected to the game at 127.0.0.1:${game.port}, but nothing received for 0.2 s: is a match running?`]);
    peer!.write(msg({ Event: "MatchCreated", Data: {} }));
    await until(() => fed.length === 1, "the message");
    expect(problems.at(-1)).toBeNull();
  });

  test("a peer that accepts and hangs up at once keeps backing off (0.5 → 1 s): connecting is not success", async () => {
    const game = listen({ open: (s) => void s.end(), data() {} });
    const { problems } = client("127.0.0.1", game.port);
    await until(() => problems.filter((p) => p !== null).length >= 2, "two dropped connections");
    expect(problems.filter((p) => p !== null).slice(0, 2)).toEqual([0.5, 1].map((s) => `not connected to the game at 127.0.0.1:${game.port} (the game closed the stream); retrying in ${s} s`));
  });

  test("a character split across packets arrives whole", async () => {
    const named = { Event: "UpdateState", Data: { Players: [{ Name: "Öctane ✓ 🚀", Boost: 33 }] } };
    const bytes = new TextEncoder().encode(msg(named) + msg(named));
    // Cut inside every multi-byte character (before each continuation byte 10xxxxxx).
    const cuts = [0, ...Array.from(bytes).flatMap((b, i) => ((b & 0xc0) === 0x80 && (bytes[i - 1] & 0xc0) !== 0x80 ? [i] : [])), bytes.length];
    const game = listen({
      async open(s) {
        for (let k = 1; k < cuts.length; k++) {
          s.write(bytes.subarray(cuts[k - 1], cuts[k]));
          s.flush();
          await Bun.sleep(10); // paced, so each piece goes as its own packet
        }
      },
      data() {},
    });
    const { fed } = client("127.0.0.1", game.port);
    await until(() => fed.length === 2, "both messages");
    expect(fed).toEqual([named, named]);
  });
});
