// Composition root: read start-up options, build ledbox, start it, stop it cleanly on a signal.
// A start that cannot go ahead (a bad option, the data directory or port in use) says why in
// one line and exits 1.
import { readBoot } from "./config/boot.ts";
import { Ledbox } from "./ledbox.ts";

let box: Ledbox | null = null;
try {
  box = new Ledbox(readBoot());
  await box.start();
} catch (err) {
  console.error(`[ledbox] cannot start: ${err instanceof Error ? err.message : String(err)}`);
  await box?.stop().catch(() => {});
  process.exit(1);
}

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    box!.log(`[ledbox] ${sig}: blacking out and stopping`);
    await box!.stop();
    process.exit(0);
  });
}
