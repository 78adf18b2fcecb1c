// Prints the stored settings as JSON (`ledbox settings`): what `sudo ledbox setup-pi` sizes the
// boot configuration by. Run as the owner of the data folder; a folder without a database yet
// prints the defaults and creates nothing.
//
//   bun src/tools/settings.ts [--data ./data]
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readBoot } from "../config/boot.ts";
import { SettingsSchema } from "../config/schema.ts";
import { DB_FILE, openDatabase } from "../store/db.ts";
import { SettingsRepo } from "../store/settings.ts";

const { dataDir } = readBoot();
let settings = SettingsSchema.parse({});
if (existsSync(join(dataDir, DB_FILE))) {
  const db = openDatabase(dataDir);
  settings = new SettingsRepo(db).load();
  db.close();
}
console.log(JSON.stringify(settings, null, 2));
