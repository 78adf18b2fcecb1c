// zod at the boundaries: one readable line per failure, and the JSON Schema the docs publish.
import { z } from "zod";
import { DomainError } from "./errors.ts";
import { reservedKeyPath } from "./json.ts";

/** A zod failure as one readable line naming each field. */
export function describeIssues(err: Pick<z.ZodError, "issues">, prefix = ""): string {
  return err.issues
    .flatMap(unionBranch)
    .slice(0, 5)
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

type Issue = { path: PropertyKey[]; message: string };

/**
 * A union's failure ("Invalid input") as the failure inside the one option whose type the value
 * has (an object for `{op, value}`, an array for a list), so it names the field; a value of none
 * of the options' types is told which types they are.
 */
function unionBranch(i: z.core.$ZodIssue): Issue[] {
  if (i.code !== "invalid_union") return [i];
  const wrongType = (b: z.core.$ZodIssue) => b.code === "invalid_type" && b.path.length === 0;
  const fitting = i.errors.filter((option) => !option.some(wrongType));
  if (fitting.length === 1) return fitting[0].flatMap(unionBranch).map((b) => ({ ...b, path: [...i.path, ...b.path] }));
  const types = [...new Set(i.errors.flat().filter(wrongType).map((b) => (b as z.core.$ZodIssueInvalidType).expected))];
  return [{ path: i.path, message: fitting.length === 0 && types.length ? `Invalid input: expected ${types.join(" or ")}` : i.message }];
}

/** The parsed value, or an "invalid" domain error naming the fields (and any reserved key). */
export function validate<S extends z.ZodType>(schema: S, body: unknown, what = "body"): z.infer<S> {
  refuseReservedKeys(body, what);
  const r = schema.safeParse(body);
  if (!r.success) throw new DomainError("invalid", `invalid ${what}: ${describeIssues(r.error)}`);
  return r.data;
}

/** The JSON Schema of what a zod schema accepts (its input side), for docs and forms. */
export const toJsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });

/**
 * An "invalid" domain error naming the first reserved key (`__proto__`, `constructor`,
 * `prototype`, `toString`, `valueOf`; see util/json.ts): schemas would drop `__proto__`
 * silently, code that copies keys one by one would replace a prototype with it, and the others
 * make zod itself throw.
 */
export function refuseReservedKeys(value: unknown, what = "body"): void {
  const path = reservedKeyPath(value);
  if (path !== null) throw new DomainError("invalid", `invalid ${what}: ${path}: this key is not allowed`);
}
