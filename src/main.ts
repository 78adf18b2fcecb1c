// Composition root: read start-up options, build ledbox, start it, stop it cleanly on a signal.
import { readBoot } from "./config/boot.ts";
import { Ledbox } from "./ledbox.ts";

const box = new Ledbox(readBoot());
await box.start();

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    box.log(`[ledbox] ${sig}: blacking out and stopping`);
    await box.stop();
    process.exit(0);
  });
}
