// 1,000 polls against misbehaving fake servers: every one ends in a clear error, none crashes,
// and the open file descriptors (sockets) stay flat.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../../src/servers/config.ts";
import { encodePacket } from "../../src/servers/rcon.ts";
import { pollServer } from "../../src/servers/poll.ts";
import { until } from "../helpers/box.ts";
import { Bytes, fakeA2s, fakeMinecraft, fakeRcon } from "./fakes.ts";

const INFO = { name: "x", map: "m", folder: "tf", game: "TF2", appId: 440, players: 1, maxPlayers: 8, bots: 0, version: "1" };
const fds = () => readdirSync("/proc/self/fd").length;
const fakes: { close(): void }[] = [];
let cases: { what: string; config: ServerConfig; expect: RegExp }[] = [];

beforeAll(async () => {
  const keep = <T extends { close(): void }>(f: T) => (fakes.push(f), f);
  const garbage = keep(await fakeA2s({ info: INFO, players: [], override: () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x49, 17, 0x41]) }));
  const silent = keep(await fakeA2s({ info: INFO, players: [], override: () => null }));
  const huge = keep(await fakeA2s({ info: INFO, players: [], override: () => new Bytes().i32(-1).u8(0x49).raw(new Uint8Array(9000).fill(0x41)).build() }));
  const good = keep(await fakeA2s({ info: INFO, players: [] }));
  const wrongPw = keep(await fakeRcon({ password: "right", emptyBeforeAuth: true, output: "", mirror: true }));
  const rconGarbage = keep(await fakeRcon({ password: "pw", emptyBeforeAuth: false, output: "", mirror: false, raw: () => new Uint8Array([255, 255, 255, 127, 1, 2]) }));
  const rconTruncated = keep(await fakeRcon({ password: "pw", emptyBeforeAuth: false, output: "", mirror: false, raw: () => encodePacket(2, 0, "half a packet").subarray(0, 9) }));
  const mcGarbage = keep(await fakeMinecraft({ status: null, raw: new Uint8Array([3, 0, 9, 9]) }));
  const mcSlow = keep(await fakeMinecraft({ status: { players: { online: 1, max: 2 } }, dribble: 20 }));
  const base = { intervalMs: 1000, timeoutMs: 150, enabled: true };
  const source = (port: number): ServerConfig => ({ ...base, name: "s", kind: "source", host: "127.0.0.1", port });
  const rcon = (rconPort: number, pw: string): ServerConfig => ({ ...base, name: "r", kind: "source-rcon", host: "127.0.0.1", port: good.port, rconPort, rconPassword: pw });
  const mc = (port: number): ServerConfig => ({ ...base, name: "m", kind: "minecraft", host: "127.0.0.1", port });
  cases = [
    { what: "truncated A2S", config: source(garbage.port), expect: /^malformed reply at byte 6: name has no terminating zero$/ },
    { what: "silent A2S", config: source(silent.port), expect: /^timeout after 0\.2 s waiting for an A2S reply/ },
    { what: "oversized A2S", config: source(huge.port), expect: /^malformed reply at byte \d+: /  },
    { what: "wrong RCON password", config: rcon(wrongPw.port, "wrong"), expect: /^RCON: auth failed/ },
    { what: "RCON garbage", config: rcon(rconGarbage.port, "pw"), expect: /^RCON: malformed reply at byte 14: packet size 2147483647 outside 10–4096$/ },
    { what: "RCON truncated", config: rcon(rconTruncated.port, "pw"), expect: /^RCON: timeout after 0\.2 s/ },
    { what: "Minecraft garbage", config: mc(mcGarbage.port), expect: /^malformed reply at byte 2: status string runs past the frame$/ },
    { what: "Minecraft too slow", config: mc(mcSlow.port), expect: /^timeout after 0\.2 s waiting for a Minecraft status reply/ },
    { what: "refused port", config: mc(1), expect: /^cannot connect to 127\.0\.0\.1:1/ },
  ];
  for (const c of cases) c.config.timeoutMs = 200;
});
afterAll(() => fakes.forEach((f) => f.close()));

/** A poll's outcome as one line: the error message, or the RCON problem of an otherwise good poll. */
async function outcome(c: ServerConfig): Promise<string> {
  try {
    const s = await pollServer(c);
    return s.problems.join("; ") || "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

/** Peers that fail as real ones do: a port bound then closed, a reset after a few bytes, a mute peer. */
async function nastyPeers() {
  const udp = await Bun.udpSocket({ hostname: "127.0.0.1" });
  const closedUdp = udp.port;
  udp.close();
  const gone = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const closedTcp = gone.port;
  gone.stop(true);
  const reset = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data(s) { s.write(new Uint8Array([0x40, 0x00, 0x00])); s.terminate(); } } });
  const mute = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  return { closedUdp, closedTcp, reset: reset.port, mute: mute.port, close: () => (reset.stop(true), mute.stop(true)) };
}

test("each client against a closed port, a reset mid-reply, a mute peer and a name that does not resolve", async () => {
  const p = await nastyPeers();
  fakes.push(p);
  const t = { intervalMs: 1000, timeoutMs: 300, enabled: true, name: "x" };
  const at = (port: number) => `127.0.0.1:${port}`;
  const table: [string, ServerConfig, string | RegExp][] = [
    ["A2S closed", { ...t, kind: "source", host: "127.0.0.1", port: p.closedUdp }, `nothing answers on UDP ${at(p.closedUdp)}: its host says the port is closed (is the game server running?)`],
    ["A2S unresolvable", { ...t, kind: "source", host: "no-such-host.invalid", timeoutMs: 15_000 }, 'cannot resolve host "no-such-host.invalid"'],
    ["RCON closed", { ...t, kind: "source-rcon", host: "127.0.0.1", port: p.closedUdp, rconPort: p.closedTcp, rconPassword: "pw" }, new RegExp(`; RCON: cannot connect to 127\\.0\\.0\\.1:${p.closedTcp}`)],
    ["RCON reset", { ...t, kind: "source-rcon", host: "127.0.0.1", port: p.closedUdp, rconPort: p.reset, rconPassword: "pw" }, /; RCON: (the server closed the connection|connection error: .*|malformed reply at byte \d+: .*)$/],
    ["RCON mute", { ...t, kind: "source-rcon", host: "127.0.0.1", port: p.closedUdp, rconPort: p.mute, rconPassword: "pw" }, `nothing answers on UDP ${at(p.closedUdp)}: its host says the port is closed (is the game server running?); RCON: timeout after 0.3 s waiting for an RCON reply from ${at(p.mute)}`],
    ["Minecraft closed", { ...t, kind: "minecraft", host: "127.0.0.1", port: p.closedTcp }, new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${p.closedTcp}`)],
    ["Minecraft reset", { ...t, kind: "minecraft", host: "127.0.0.1", port: p.reset }, /^(the server closed the connection before replying|connection error: .*)$/],
    ["Minecraft mute", { ...t, kind: "minecraft", host: "127.0.0.1", port: p.mute }, `timeout after 0.3 s waiting for a Minecraft status reply from ${at(p.mute)}`],
    ["Minecraft unresolvable", { ...t, kind: "minecraft", host: "no-such-host.invalid", timeoutMs: 15_000 }, 'cannot resolve host "no-such-host.invalid"'],
    ["JSON closed", { ...t, kind: "json", url: `http://${at(p.closedTcp)}/s`, rules: { players: "n", playerName: "name", events: [] } }, `cannot connect to ${at(p.closedTcp)} (connection refused)`],
    ["JSON reset", { ...t, kind: "json", url: `http://${at(p.reset)}/s`, rules: { players: "n", playerName: "name", events: [] } }, /^(127\.0\.0\.1:\d+ sent a malformed HTTP reply|the connection to 127\.0\.0\.1:\d+ closed before the reply was complete)$/],
    ["JSON mute", { ...t, kind: "json", url: `http://${at(p.mute)}/s`, rules: { players: "n", playerName: "name", events: [] } }, `timeout after 0.3 s waiting for ${at(p.mute)}`],
    // RFC 6761: .invalid never resolves. The long deadline leaves room for a slow resolver, so
    // only the resolution failure in words passes, not a timeout.
    ["JSON unresolvable", { ...t, kind: "json", url: "http://no-such-host.invalid:8080/s", timeoutMs: 15_000, rules: { players: "n", playerName: "name", events: [] } }, 'cannot resolve host "no-such-host.invalid"'],
  ];
  for (const [what, config, want] of table) {
    const got = await outcome(config);
    if (typeof want === "string") expect({ what, got }).toEqual({ what, got: want });
    else expect({ what, matches: want.test(got), got }).toEqual({ what, matches: true, got });
  }
});

test("every fault has its plain-words status", async () => {
  for (const c of cases) expect(`${c.what}: ${await outcome(c.config)}`).toMatch(new RegExp(`^${c.what}: ${c.expect.source.slice(1)}`));
  const dns = await outcome({ ...cases[0].config, host: "no-such-host.invalid", timeoutMs: 15_000 });
  expect(dns).toBe('cannot resolve host "no-such-host.invalid"');
});

test("1,000 polls against misbehaving servers leave no sockets open", async () => {
  // Warm up (lazy runtime allocations: the DNS resolver, the UDP machinery) before counting.
  await Promise.all(cases.map((c) => outcome(c.config)));
  const before = fds();
  let done = 0;
  for (let batch = 0; done < 1000; batch++) {
    const list = Array.from({ length: 50 }, (_, i) => cases[(batch * 50 + i) % cases.length]);
    const results = await Promise.all(list.map((c) => outcome(c.config)));
    // Each ends in its own error (checked one at a time above), or, where fifty polls at once
    // keep this shared machine from answering within the 0.2 s deadline, in that deadline.
    results.forEach((r, i) => expect(r).toMatch(new RegExp(`${list[i].expect.source}|^(RCON: )?timeout after 0\\.2 s`)));
    done += list.length;
  }
  expect(done).toBe(1000);
  // Sockets close asynchronously: the count must come back to where it was.
  await until(() => fds() <= before + 2, `the open descriptors back to ${before} (+2)`, 3000);
});

test("after 200 polls with a 20 s deadline, nothing is left to keep the process alive", async () => {
  const p = Bun.spawn([process.execPath, join(import.meta.dir, "exit-check.ts")], { stdout: "pipe", stderr: "pipe" });
  // Once it says DONE it must end by itself. A deadline timer or socket left behind would hold it
  // until the 20 s deadline; it is killed (and so fails) half-way there.
  let out = "";
  let killer: ReturnType<typeof setTimeout> | undefined;
  for await (const chunk of p.stdout) {
    out += new TextDecoder().decode(chunk);
    if (!killer && out.includes("DONE")) killer = setTimeout(() => p.kill("SIGKILL"), 10_000);
  }
  await p.exited;
  clearTimeout(killer);
  const m = /^DONE \d+ (.*)$/m.exec(out);
  expect(m, `${out}${await new Response(p.stderr).text()}`).not.toBeNull();
  expect({ exitCode: p.exitCode, signal: p.signalCode }).toEqual({ exitCode: 0, signal: null });
  // Successes and each kind of failure all took part.
  expect(Object.keys(JSON.parse(m![1])).sort()).toEqual(["RCON", "cannot connect to 127.0.0.1", "malformed reply at byte 2", "malformed reply at byte 6", "ok"]);
}, 30_000);
