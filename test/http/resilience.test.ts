// Peers that fail the way real ones do, against the real process: a game server whose host is up
// but whose port is closed (ICMP port unreachable on loopback), a refused TCP connect, a peer that
// accepts and never answers, a reset in the middle of a reply, a name that does not resolve, and a
// LAN receiver that is switched off. The process keeps serving frames, says what is wrong in
// plain words, and comes back up with all of it stored.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { call, tempDir, until } from "../helpers/box.ts";
import { startProcess, type LedboxProcess } from "../helpers/process.ts";

setDefaultTimeout(90_000);

/** How long the process runs against the failing peers before it is checked. */
const SOAK_MS = 30_000;

async function closedUdpPort(): Promise<number> {
  const s = await Bun.udpSocket({ hostname: "127.0.0.1" });
  const port = s.port;
  s.close();
  return port;
}

function closedTcpPort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

describe("failing peers, in a real process", () => {
  const dir = tempDir();
  const peers: { stop(): void }[] = [];
  let lb: LedboxProcess;
  let cookie: string;
  const ports = { a2s: 0, rcon: 0, mute: 0, reset: 0, ddp: 0 };

  beforeAll(async () => {
    ports.a2s = await closedUdpPort();
    ports.ddp = await closedUdpPort();
    ports.rcon = closedTcpPort();
    // Accepts and never says a word.
    const mute = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    // Answers an HTTP request with half a reply, then resets the connection.
    const reset = Bun.listen({
      hostname: "127.0.0.1", port: 0,
      socket: { data(s) { s.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"players\": ["); s.terminate(); } },
    });
    peers.push({ stop: () => mute.stop(true) }, { stop: () => reset.stop(true) });
    ports.mute = mute.port;
    ports.reset = reset.port;
    lb = await startProcess(dir);
    cookie = await lb.admin();
  });

  afterAll(async () => {
    if (lb?.proc.exitCode === null) lb.proc.kill("SIGKILL");
    peers.forEach((p) => p.stop());
    rmSync(dir, { recursive: true, force: true });
  });

  test(`${SOAK_MS / 1000} s against them: still 60 fps, every problem in plain words; restarted with them stored, it comes up`, async () => {
    const admin = { cookie };
    const servers = [
      { name: "stopped source", kind: "source", host: "127.0.0.1", port: ports.a2s },
      { name: "refused rcon", kind: "source-rcon", host: "127.0.0.1", port: ports.a2s, rconPort: ports.rcon, rconPassword: "pw" },
      { name: "mute minecraft", kind: "minecraft", host: "127.0.0.1", port: ports.mute },
      { name: "reset json", kind: "json", url: `http://127.0.0.1:${ports.reset}/state`, rules: { players: "players" } },
      // RFC 6761: .invalid never resolves. Its deadline leaves a slow resolver time to say so,
      // so the status must be the resolution failure, not a timeout.
      { name: "unresolvable", kind: "minecraft", host: "no-such-host.invalid", timeoutMs: 15_000 },
    ];
    const ids: string[] = [];
    for (const s of servers) {
      const r = await call(lb.url, "POST", "/api/v1/servers", { intervalMs: 1000, timeoutMs: 500, ...s }, admin);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const out = await call(lb.url, "PUT", "/api/v1/settings", { outputs: [{ driver: "virtual", length: 100 }, { driver: "ddp", start: 100, host: "127.0.0.1", port: ports.ddp }] }, admin);
    expect(out.status).toBe(200);

    const before = (await call(lb.url, "GET", "/api/v1/state")).body.stats.frames;
    const t0 = performance.now();
    await Bun.sleep(SOAK_MS);
    const after = await call(lb.url, "GET", "/api/v1/state");
    const elapsedS = (performance.now() - t0) / 1000;
    expect(lb.proc.exitCode).toBeNull();
    expect(after.body.stats.targetFps).toBe(60);
    // Frames kept coming at the target rate (the clock skips a frame only when it runs late).
    expect((after.body.stats.frames - before) / elapsedS).toBeGreaterThan(60 * 0.9);

    const problems = await Promise.all(ids.map(async (id) => (await call(lb.url, "GET", `/api/v1/servers/${id}/status`)).body));
    expect(problems.map((s) => [s.name, s.state])).toEqual(servers.map((s) => [s.name, "offline"]));
    expect(problems[0].problem).toBe(`nothing answers on UDP 127.0.0.1:${ports.a2s}: its host says the port is closed (is the game server running?)`);
    expect(problems[1].problem).toMatch(new RegExp(`^nothing answers on UDP 127\\.0\\.0\\.1:${ports.a2s}: .*; RCON: cannot connect to 127\\.0\\.0\\.1:${ports.rcon}`));
    expect(problems[2].problem).toBe(`timeout after 0.5 s waiting for a Minecraft status reply from 127.0.0.1:${ports.mute}`);
    expect(problems[3].problem).toBe(`the connection to 127.0.0.1:${ports.reset} closed before the reply was complete`);
    expect(problems[4].problem).toBe('cannot resolve host "no-such-host.invalid"');
    const ddp = after.body.outputs[1];
    expect(ddp.driver).toBe("ddp");
    expect(ddp.health.ok).toBe(false);
    expect(ddp.health.message).toMatch(new RegExp(`^nothing answers on UDP 127\\.0\\.0\\.1:${ports.ddp}: its host says the port is closed; retrying in`));

    expect(await lb.stop()).toBe(0);
    lb = await startProcess(dir);
    const health = await call(lb.url, "GET", "/api/v1/health");
    expect(health.status).toBe(200);
    expect(health.body.servers.map((s: { name: string }) => s.name)).toEqual(servers.map((s) => s.name));
    const again = await until(async () => {
      const r = await call(lb.url, "GET", `/api/v1/servers/${ids[0]}/status`);
      return r.body.problem && r.body;
    }, "the stopped server's problem after the restart", 10_000);
    expect(again.problem).toContain("its host says the port is closed");
    expect(lb.proc.exitCode).toBeNull();
  });
});
