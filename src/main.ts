// Entry point: read start-up options, build ledbox, start it; restart it when asked (the page's
// Restart and Restore); black out and stop cleanly on a signal. Under systemd it tells the unit
// when it is ready and keeps its watchdog fed from the render loop. A start that cannot go ahead
// (a bad option, the data directory, the port in use or not allowed) says why in one line and exits 1.
import { readBoot, type Boot } from "./config/boot.ts";
import { VERSION } from "./config/version.ts";
import { Ledbox } from "./ledbox.ts";
import { replaceDatabase } from "./store/backup.ts";
import { Systemd } from "./system/notify.ts";
import { LogRing, ringLog } from "./util/log.ts";

function cannotStart(err: unknown): never {
  console.error(`[ledbox] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

let boot: Boot;
try {
  boot = readBoot();
} catch (err) {
  cannotStart(err);
}
const logs = new LogRing();
const log = ringLog(logs);
const systemd = Systemd.fromEnv(log);
let box: Ledbox | null = null;
let restarting: Promise<void> | null = null;
let stopping = false;

async function run(b: Boot): Promise<void> {
  try {
    box = new Ledbox(b, log, { logs, restart });
    if (systemd) box.engine.onFrame(systemd.beat);
    await box.start();
  } catch (err) {
    await box?.stop().catch(() => {});
    cannotStart(err);
  }
  // Outputs are open and HTTP listens: only now is the unit active.
  systemd?.ready(`ledbox ${VERSION} listening on ${box.url}`);
}

/** Once the answer to the request that asked has gone out: stop, swap in a restore, start on the same port. */
function restart(restore?: Uint8Array): void {
  if (restarting || stopping) return;
  restarting = (async () => {
    await Bun.sleep(200);
    const port = box!.port;
    log(`[ledbox] restarting${restore ? " on a restored backup" : ""}`);
    await box!.stop();
    if (restore) log(`[ledbox] backup restored; the previous database is kept as ${replaceDatabase(boot.dataDir, restore)}`);
    if (!stopping) await run({ ...boot, port });
  })().finally(() => (restarting = null));
}

await run(boot);

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    log(`[ledbox] ${sig}: blacking out and stopping`);
    systemd?.stopping();
    await restarting;
    await box!.stop();
    process.exit(0);
  });
}
