// Fuzz bench, the long run of test/fuzz/: 100,000 cases per entry point in-process on a real
// device (its engine rendering at 60 fps in the same process all along), then mutated HTTP
// requests to a ledbox process and MQTT messages through a real broker. Per entry point: cases,
// time, findings, how many were refused, the slowest case, cases longer than a frame, frames the
// engine skipped, and memory before and after.
//
//   npx bun test/bench/fuzz.ts [--quick] [--cases N] [--through N] [--seed S] [--only NAME] [--case I]
//
// --only NAME --case I replays one case of one entry point and prints its whole input and answer.
import { rmSync } from "node:fs";
import { BROKERS } from "../helpers/brokers.ts";
import { call } from "../helpers/box.ts";
import { startProcess } from "../helpers/process.ts";
import { caseInput, fuzz, FRAME_MS, preview, type Target } from "../fuzz/lib.ts";
import { ADAPTER_CONFIGS, ADAPTER_SEEDS, deviceTargets, harness, parserTargets } from "../fuzz/targets.ts";
import { fuzzHttp, fuzzMqtt, type Integration, type ThroughResult } from "../fuzz/through.ts";
import { atMost, fmt, header, info, options, report, tempDir, type Row } from "./lib.ts";

const opts = options();
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const CASES = Number(arg("cases") ?? (opts.quick ? 2000 : 100_000));
const THROUGH = Number(arg("through") ?? (opts.quick ? 500 : 20_000));
const SEED = Number(arg("seed") ?? 20261129);
const only = arg("only");
const replay = arg("case");

header(`fuzz: ${CASES.toLocaleString("en-US")} cases per entry point in-process, ${THROUGH.toLocaleString("en-US")} through HTTP and MQTT, seed ${SEED}`, opts);
const rssMb = () => {
  Bun.gc(true);
  return process.memoryUsage().rss / 1024 / 1024;
};

const h = await harness();
const targets: Target[] = [...parserTargets(), ...deviceTargets(h)].filter((t) => !only || t.name.includes(only));

if (replay !== undefined) {
  for (const t of targets) {
    const input = caseInput(t, SEED, Number(replay));
    console.log(`${t.name}, case ${replay}:\n${JSON.stringify(input, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v))}`);
    try {
      console.log("returned:", preview(await t.run(input)));
    } catch (err) {
      console.log(`threw (${t.expected(err) ? "an expected answer" : "a FINDING"}):`, err);
    }
    console.log("check:", t.check?.(input) ?? "ok");
  }
  await h.stop();
  process.exit(0);
}

const rows: Row[] = [];
let total = 0, totalFindings = 0;
console.log(`\n${"entry point".padEnd(48)} ${"cases".padStart(8)} ${"s".padStart(6)} ${"findings".padStart(8)} ${"refused".padStart(8)} ${"slowest".padStart(9)} ${">frame".padStart(7)} ${"skipped".padStart(7)} ${"RSS MB".padStart(12)}`);
for (const t of targets) {
  const rss0 = rssMb();
  await Bun.sleep(100); // the frames the collection held up are past before counting
  const o0 = h.t.box.engine.stats().overruns;
  const r = await fuzz(t, { cases: CASES, seed: SEED });
  const skipped = h.t.box.engine.stats().overruns - o0;
  const rss1 = rssMb();
  total += r.cases;
  totalFindings += r.findings.length;
  console.log(`${t.name.padEnd(48)} ${fmt(r.cases).padStart(8)} ${(r.ms / 1000).toFixed(1).padStart(6)} ${String(r.findings.length).padStart(8)} ${`${Math.round((100 * r.refused) / r.cases)}%`.padStart(8)} ${`${r.maxCaseMs.toFixed(1)} ms`.padStart(9)} ${String(r.overFrame).padStart(7)} ${String(skipped).padStart(7)} ${`${rss0.toFixed(0)}→${rss1.toFixed(0)}`.padStart(12)}`);
  for (const f of r.findings.slice(0, 5)) console.log(`   FINDING case ${f.case}: ${f.error}\n     ${f.input}`);
  const note = `${fmt(r.cases)} cases in ${(r.ms / 1000).toFixed(1)} s, ${Math.round((100 * r.refused) / r.cases)}% refused; slowest ${r.maxCaseMs.toFixed(1)} ms, ${r.overFrame} over ${FRAME_MS.toFixed(1)} ms; ${skipped} frames skipped; RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB`;
  rows.push(atMost("fuzz", `${t.name}: findings`, r.findings.length, "", 0, note));
}
rows.push(info("fuzz", "in-process cases, all entry points", total, "cases"));
await h.stop();

// Through the real edges: a ledbox process, its HTTP server and a broker.
if (!only && THROUGH > 0) {
  const dir = tempDir("ledbox-fuzz-");
  const broker = await BROKERS[0].start();
  const box = await startProcess(dir);
  try {
    const cookie = await box.admin();
    const authorization = `Bearer ${(await call(box.url, "POST", "/api/v1/auth/tokens", { name: "fuzz" }, { cookie })).body.token}`;
    const auth = { authorization };
    await call(box.url, "PUT", "/api/v1/settings", { mqtt: { enabled: true, url: broker.url } }, auth);
    const integrations: Integration[] = [];
    for (const type of Object.keys(ADAPTER_SEEDS)) {
      const id = (await call(box.url, "POST", "/api/v1/integrations", { name: `fuzz ${type}`, type, config: ADAPTER_CONFIGS[type] ?? {} }, auth)).body.id;
      integrations.push({ id, type, token: (await call(box.url, "GET", `/api/v1/integrations/${id}/setup`, undefined, auth)).body.token });
    }
    const deadline = performance.now() + 10_000;
    while ((await call(box.url, "GET", "/api/v1/mqtt/status", undefined, auth)).body.state !== "connected" && performance.now() < deadline) await Bun.sleep(100);
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(require("node:fs").readFileSync(`/proc/${box.proc.pid}/status`, "utf8"))![1]) / 1024;
    const through = async (name: string, run: () => Promise<ThroughResult>) => {
      const rss0 = rss();
      const r = await run();
      const rss1 = rss();
      const statuses = Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(", ");
      console.log(`\n${name}: ${fmt(r.cases)} in ${(r.ms / 1000).toFixed(1)} s; ${statuses}; ${r.findings.length} findings; ${r.overruns} frames skipped; process RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB`);
      for (const f of r.findings.slice(0, 5)) console.log(`   FINDING ${f}`);
      rows.push(atMost("fuzz", `${name}: findings`, r.findings.length, "", 0, `${fmt(r.cases)} in ${(r.ms / 1000).toFixed(1)} s (${statuses}); ${r.overruns} frames skipped; RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB`));
      totalFindings += r.findings.length;
    };
    await through("HTTP to a ledbox process", () => fuzzHttp(box.url, authorization, integrations, THROUGH, SEED));
    await through("MQTT through a broker", () => fuzzMqtt(box.url, authorization, broker.url, integrations, THROUGH, SEED));
    if (box.proc.exitCode !== null) throw new Error(`the ledbox process exited (${box.proc.exitCode}): ${box.err()}`);
  } finally {
    await box.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\n${fmt(total)} in-process cases, ${totalFindings} findings`);
report(rows, opts);
process.exit(0);
