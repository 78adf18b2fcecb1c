// The rule engine shared by the generic webhook and the declarative (YAML) adapters: each rule
// watches a JSON path and fires a standard event when the value is seen, changes, rises, falls or
// becomes something. The previous values are the engine's own state, so a repeated payload fires
// nothing new; the first payload is a baseline for triggers (values still show).
import { z } from "zod";
import { parseEvents } from "../events/ingest.ts";
import { EVENT_TYPES, isValueType } from "../events/schema.ts";
import { compareValues, CompareOpSchema } from "../director/compare.ts";
import { at, num, scalarText } from "../util/json.ts";
import { MAX_PER_UNIT, type AdapterEvent } from "./adapter.ts";

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const RuleSchema = z.strictObject({
  event: z.enum(EVENT_TYPES).describe("the standard event type to fire"),
  path: z.string().min(1).max(200).optional().describe("dotted JSON path of the watched value, e.g. player.health"),
  on: z.enum(["always", "change", "increase", "decrease", "becomes"]).optional()
    .describe("always: every payload; change/increase/decrease: against the last payload; becomes: the value starts to equal `equals` (or meet `when`). Default: change with a path, always without"),
  equals: Scalar.optional(),
  when: z.strictObject({ op: CompareOpSchema, value: Scalar }).optional().describe("the current value must meet this"),
  perUnit: z.boolean().default(false).describe("increase: one event per unit (e.g. kills 3 → 5 fires two)"),
  fields: z.record(z.string(), z.union([Scalar, z.strictObject({ path: z.string().min(1) })])).default({})
    .describe('event fields: a literal, {"path": …} from the payload, or "$value" / "$delta" / "$previous"'),
  idPath: z.string().min(1).optional().describe("a payload path that identifies the occurrence (used as the event id, so redeliveries never fire twice)"),
}).superRefine((r, ctx) => {
  // Without a path there is no value to compare between payloads: such a rule could never fire.
  if (r.on && r.on !== "always" && !r.path) ctx.addIssue({ code: "custom", path: ["on"], message: `"${r.on}" compares a value between payloads: give the rule a path` });
});
export type Rule = z.infer<typeof RuleSchema>;
export type RuleState = Record<string, unknown>;


const meets = (r: Rule, v: unknown) =>
  (r.equals === undefined || v === r.equals) && (!r.when || compareValues(r.when.op, v, r.when.value));

/** Runs every rule on one payload; problems name the rule and the path. */
export function runRules(rules: Rule[], payload: unknown, prev: RuleState | undefined, source: string) {
  const events: AdapterEvent[] = [];
  const problems: string[] = [];
  const next: RuleState = { ...prev };
  rules.forEach((r, i) => {
    const cur = r.path ? at(payload, r.path) : payload;
    if (r.path) {
      if (cur === undefined || (cur !== null && typeof cur === "object")) return; // absent, or not a leaf
      next[r.path] = cur;
    }
    const old = r.path ? prev?.[r.path] : undefined;
    const on = r.on ?? (r.path ? "change" : "always");
    let times = 1;
    let delta: number | undefined;
    if (on === "change") {
      if (cur === old || (old === undefined && !isValueType(r.event))) return;
      if (!meets(r, cur)) return;
    } else if (on === "increase" || on === "decrease") {
      const c = num(cur), o = num(old);
      if (c === undefined) return void problems.push(`rule ${i + 1} (${r.event}): ${r.path} is ${JSON.stringify(cur)}, not a number`);
      if (o === undefined || (on === "increase" ? c <= o : c >= o) || !meets(r, cur)) return;
      delta = Math.abs(c - o);
      if (r.perUnit) times = Math.min(Math.round(delta), MAX_PER_UNIT);
    } else if (on === "becomes") {
      if (!prev || old === undefined || !meets(r, cur) || meets(r, old)) return;
    } else if (!meets(r, cur)) return;

    const e: Record<string, unknown> = { type: r.event };
    if (isValueType(r.event)) e.value = num(cur);
    for (const [k, v] of Object.entries(r.fields)) {
      e[k] = v === "$value" ? cur : v === "$delta" ? delta : v === "$previous" ? old : typeof v === "object" ? at(payload, v.path) : v;
    }
    const occurrence = r.idPath ? scalarText(at(payload, r.idPath)) : undefined;
    for (let k = 0; k < times; k++) {
      const one = { ...e, ...(occurrence !== undefined ? { id: `${source}:${occurrence}${times > 1 ? `:${k}` : ""}` } : {}) };
      const checked = parseEvents(one);
      if (!checked.ok) return void problems.push(`rule ${i + 1} (${r.event}${r.path ? ` at ${r.path}` : ""}): ${checked.error}`);
      events.push(one as AdapterEvent);
    }
  });
  return { events, next, problem: problems.length ? problems.join("; ") : undefined };
}
