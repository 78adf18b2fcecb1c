// zod at the boundaries: one readable line per failure, and the JSON Schema the docs publish.
import { z } from "zod";
import { DomainError } from "./errors.ts";

/** A zod failure as one readable line naming each field. */
export function describeIssues(err: z.ZodError, prefix = ""): string {
  return err.issues
    .slice(0, 5)
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

/** The parsed value, or an "invalid" domain error naming the fields. */
export function validate<S extends z.ZodType>(schema: S, body: unknown, what = "body"): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new DomainError("invalid", `invalid ${what}: ${describeIssues(r.error)}`);
  return r.data;
}

/** The JSON Schema of what a zod schema accepts (its input side), for docs and forms. */
export const toJsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
