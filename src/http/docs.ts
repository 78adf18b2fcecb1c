// OpenAPI helpers: the same zod schema that validates a body documents it.
import type { z } from "zod";
import { toJsonSchema } from "../util/validation.ts";

/** `detail.requestBody` for a route that validates its body itself (to word the errors). */
export const jsonBody = (s: z.ZodType) => ({ required: true, content: { "application/json": { schema: toJsonSchema(s) as never } } });
