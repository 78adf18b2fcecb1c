// The version ledbox reports (health, Home Assistant's device info, the log): package.json's.
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
