// Declarative adapters: YAML files that describe a game as rules (the webhook's rule engine).
// Built-in files live in ./adapters, the owner's in <data>/adapters; a broken file is reported with
// its file and line and skipped, never stopping the others.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { describeIssues } from "../util/validation.ts";
import { isObject, reservedKeyPath } from "../util/json.ts";
import { PayloadError, type Adapter } from "./adapter.ts";
import { BUILTIN, Registry } from "./registry.ts";
import { RuleSchema, runRules, type RuleState } from "./rules.ts";
import { webhook } from "./webhook.ts";

export const BUILTIN_DIR = join(import.meta.dir, "adapters");

export const AdapterFileSchema = z.strictObject({
  type: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lower-case letters, digits, - and _"),
  name: z.string().min(1).max(80),
  game: z.string().min(1).max(32),
  heartbeatMs: z.int().min(1000).max(3_600_000).default(60_000),
  setup: z.string().min(1),
  rules: z.array(RuleSchema).min(1).max(200),
});

const NoConfig = z.strictObject({});

export function declarativeAdapter(file: z.infer<typeof AdapterFileSchema>): Adapter<Record<string, never>, RuleState> {
  const emits = [...new Set(file.rules.map((r) => r.event))];
  return {
    type: file.type, name: file.name, game: file.game, heartbeatMs: file.heartbeatMs, setup: file.setup,
    configSchema: NoConfig, emits, auth: "header",
    step(payload, prev, _c, source) {
      if (!isObject(payload)) throw new PayloadError("payload must be a JSON object");
      const r = runRules(file.rules, payload, prev, source);
      return { events: r.events, next: r.next, note: r.problem };
    },
  };
}

/** Parses one adapter file; errors name the file and the line, from the YAML parser's own positions. */
export function parseAdapterFile(text: string, name: string): { ok: true; adapter: Adapter } | { ok: false; error: string } {
  const lines = new LineCounter();
  // A map as a key is turned into text, which the schema then refuses by name: no process warning for it.
  const doc = parseDocument(text, { lineCounter: lines, logLevel: "error" });
  const syntax = doc.errors[0];
  if (syntax) return { ok: false, error: `${name}:${syntax.linePos?.[0].line ?? 1}: YAML: ${syntax.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "")}` };
  let value: unknown;
  try {
    value = doc.toJS(); // an alias to no anchor, or too many aliases (a billion laughs), throws here
  } catch (err) {
    return { ok: false, error: `${name}:1: YAML: ${(err as Error).message}` };
  }
  const reserved = reservedKeyPath(value);
  if (reserved !== null) return { ok: false, error: `${name}:${lineOf(doc, lines, reserved.split("."))}: ${reserved}: this key is not allowed` };
  const r = AdapterFileSchema.safeParse(value);
  if (!r.success) return { ok: false, error: `${name}:${lineOf(doc, lines, r.error.issues[0].path as (string | number)[])}: ${describeIssues(r.error)}` };
  return { ok: true, adapter: declarativeAdapter(r.data) };
}

/** The line of the deepest node a schema path reaches (a missing field: its parent's line). */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

/** Every adapter: built-in code, then built-in files, then the owner's files in <data>/adapters. */
export function loadRegistry(dataDir: string, log: (m: string) => void = () => {}): Registry {
  const reg = new Registry([...BUILTIN, webhook]);
  for (const dir of [BUILTIN_DIR, join(dataDir, "adapters")]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      const where = join(dir, f);
      const r = parseAdapterFile(readFileSync(where, "utf8"), where);
      const error = !r.ok ? r.error : reg.get(r.adapter.type) ? `${where}:1: adapter type "${r.adapter.type}" is already defined` : null;
      if (error) {
        reg.loadErrors.push(error);
        log(`[games] adapter file not loaded: ${error}`);
      } else if (r.ok) reg.add(r.adapter);
    }
  }
  return reg;
}
