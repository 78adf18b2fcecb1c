// Runs the benchmarks one after another, each in its own process (so one bench's heap, JIT
// state or stray timers never colour the next), then prints one summary table.
//
//   npm run bench                        all of them (about 4 minutes: the soak alone is 60 s)
//   npm run bench -- --quick             a smoke run of a few seconds each
//   npx bun test/bench/run.ts render idle [--quick]
//   npx bun test/bench/run.ts fuzz       the long fuzz run (only when named)
//
// Exit code: 0 when every bench ran (a MISS is a figure to read, not a crash), 1 if one failed to run.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR, BUN, machine, options, table, tempDir, type Row } from "./lib.ts";

const ALL = ["render", "latency", "ingest", "idle", "soak", "mqtt", "servers", "games", "outputs", "bridge", "faults", "sdcard"];
/** Run only when named: the fuzzer's long run takes far longer than the others together. */
const NAMED_ONLY = ["fuzz"];
const KNOWN = [...ALL, ...NAMED_ONLY];
const opts = options();
const unknown = opts.rest.filter((n) => !KNOWN.includes(n));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(", ")}; the benches are: ${KNOWN.join(", ")}`);
  process.exit(2);
}
const names = opts.rest.length ? KNOWN.filter((n) => opts.rest.includes(n)) : ALL;
const dir = tempDir("ledbox-bench-");
const rows: Row[] = [];
const failed: string[] = [];
const started = performance.now();

for (const name of names) {
  const out = join(dir, `${name}.json`);
  const t0 = performance.now();
  const p = Bun.spawn([BUN, join(BENCH_DIR, `${name}.ts`), ...(opts.quick ? ["--quick"] : []), "--json", out], { stdout: "inherit", stderr: "inherit", stdin: "ignore" });
  const code = await p.exited;
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  try {
    rows.push(...(JSON.parse(readFileSync(out, "utf8")) as Row[]));
    console.log(`-- ${name}: ${took} s${code ? ` (exit ${code})` : ""}\n`);
  } catch {
    failed.push(name);
    console.log(`-- ${name}: FAILED to run (exit ${code}) after ${took} s\n`);
  }
}
rmSync(dir, { recursive: true, force: true });

console.log(`== summary${opts.quick ? " (--quick: smoke run, figures are rough)" : ""}: ${machine()}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(table(rows, false));
const targets = rows.filter((r) => r.pass !== null);
console.log(`\n${targets.filter((r) => r.pass).length} of ${targets.length} targets met${failed.length ? `; did not run: ${failed.join(", ")}` : ""}. ` +
  "The machine is shared: figures move between runs, compare against the peers printed beside them.");
process.exit(failed.length ? 1 : 0);
