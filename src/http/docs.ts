// OpenAPI helpers: the same zod schema that validates a body documents it.
import { z } from "zod";

export const toJsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });

/** `detail.requestBody` for a route that validates its body itself (to word the errors). */
export const jsonBody = (s: z.ZodType) => ({ required: true, content: { "application/json": { schema: toJsonSchema(s) as never } } });
