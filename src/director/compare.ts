// The comparison operators that mapping conditions and adapter rules share.
import { z } from "zod";
import { num } from "../util/json.ts";

export const CompareOpSchema = z.enum(["<", "<=", ">", ">=", "==", "!="]);
export type CompareOp = z.infer<typeof CompareOpSchema>;

/** `==` and `!=` compare exactly; the others compare numbers (a numeric string counts), else false. */
export function compareValues(op: CompareOp, a: unknown, b: unknown): boolean {
  if (op === "==") return a === b;
  if (op === "!=") return a !== b;
  const x = num(a), y = num(b);
  if (x === undefined || y === undefined) return false;
  return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
}
