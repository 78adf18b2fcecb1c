// Recovery when the admin password is lost: forgets it (and every session) in the device's
// database. ledbox, running or started later, then prints a new setup code to its log
// (`journalctl -u ledbox` on the appliance), and the page asks for it as on the first run.
//
//   bun run reset-password [--data ./data]
//
// Only someone with a shell on the device (or its SD card) can do this, which is the point.
import { readBoot } from "../config/boot.ts";
import { AuthRepo } from "../store/auth.ts";
import { openDatabase } from "../store/db.ts";

const boot = readBoot();
const db = openDatabase(boot.dataDir);
new AuthRepo(db).removeAdmin();
db.close();
console.log(`The admin password in ${boot.dataDir} is removed and every session ended.`);
console.log("ledbox now prints a new setup code to its log (journalctl -u ledbox on the appliance, the terminal otherwise):");
console.log("open the page and enter it with a new password.");
