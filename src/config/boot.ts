// Start-up options that must be known before the store opens: env and CLI overrides.
import { z } from "zod";
import { describeIssues } from "../util/validation.ts";

const BootSchema = z.object({
  dataDir: z.string().min(1).default("./data"),
  port: z.coerce.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).default("0.0.0.0"),
});
export type Boot = z.infer<typeof BootSchema>;

/** CLI flags win over env vars, which win over stored settings (port) and defaults. */
export function readBoot(argv: string[] = process.argv.slice(2), env: Record<string, string | undefined> = process.env): Boot {
  const flag = (name: string) => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i];
    const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[i + 1];
    // "--port" as the last word, or followed by another flag, has no value: say so.
    if (!v || (!a.includes("=") && v.startsWith("--"))) throw new Error(`bad start-up option: --${name} needs a value`);
    return v;
  };
  // An empty variable (e.g. `LEDBOX_PORT=` in an env file) counts as unset, not as port 0.
  const fromEnv = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  const parsed = BootSchema.safeParse({
    dataDir: flag("data") ?? fromEnv("LEDBOX_DATA_DIR"),
    port: flag("port") ?? fromEnv("LEDBOX_PORT"),
    host: flag("host") ?? fromEnv("LEDBOX_HOST"),
  });
  if (!parsed.success) throw new Error(`bad start-up option: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
