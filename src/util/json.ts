// Small readers for JSON from outside: game payloads, server replies, request bodies.

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Keys never accepted in a document from outside: those that reach an object's prototype when
 * code assigns them (`out[k] = v` with k "__proto__" replaces out's prototype), and those that
 * replace the conversions every object has — an object whose `toString` and `valueOf` are not
 * functions throws a TypeError from any comparison or template, zod's own length checks
 * included.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype", "toString", "valueOf"]);

/**
 * The dotted path of the first reserved key anywhere in a parsed value, or null. Nearly every
 * document has none, and a parsed JSON text is a tree: a plain walk says so, ten times faster
 * than remembering each object (20–50 ms for a nested body of a few hundred KB, frames the render
 * loop would lose). Only a hit, or a value that shares objects, takes the walk that remembers.
 */
export function reservedKeyPath(value: unknown): string | null {
  return treeHasReservedKey(value) === false ? null : firstReservedPath(value);
}

/**
 * More objects than a JSON text within any body limit can hold (each takes two bytes at least):
 * a walk past it is going round shared objects (YAML's aliases, a cycle in a value built in code).
 */
const TREE_MAX_OBJECTS = 1 << 19;

/** Whether a tree holds a reserved key; "shared" once the walk has seen more objects than a tree could hold. */
function treeHasReservedKey(value: unknown): boolean | "shared" {
  const stack = [value];
  for (let objects = 0; stack.length; ) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    if (++objects > TREE_MAX_OBJECTS) return "shared";
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
      continue;
    }
    for (const k of Object.keys(v)) {
      if (RESERVED_KEYS.has(k)) return true;
      stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return false;
}

/**
 * The same walk, in the same order, with each key's path, looking at each object once: YAML's
 * aliases put one object in many places (an alias bomb, many times over).
 */
function firstReservedPath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, ""]];
  const seen = new Set<object>();
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    for (const k of Object.keys(v)) {
      const here = path ? `${path}.${k}` : k;
      if (RESERVED_KEYS.has(k)) return here;
      stack.push([(v as Record<string, unknown>)[k], here]);
    }
  }
  return null;
}

/** A JSON object from stored text, or null when the text is damaged or not an object. */
export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** Reads a dotted path ("player.state.health", "players.0.name") from a JSON value: own fields only. */
export function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * A scalar field as text, or undefined for anything else: String() of an object from outside
 * calls whatever "toString" it carries (a number there throws a TypeError).
 */
export const scalarText = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

/** A number from a field that may be absent or (in some games) a numeric string. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/**
 * How deep a document from the LAN may nest. Real ones go 6–8 levels (game payloads, settings);
 * tens of thousands, a few hundred KB of brackets, cost the parser milliseconds, and a collection
 * that scans its deep stack meanwhile tens of them: frames the render loop loses.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON.parse for text from the LAN (bodies, MQTT messages, game payloads): a SyntaxError for
 * malformed text, and for nesting past MAX_JSON_DEPTH before any parsing.
 */
export function parseUntrusted(text: string): unknown {
  const at = nestingPast(text, MAX_JSON_DEPTH);
  if (at !== null) throw new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH} levels at character ${at}`);
  return JSON.parse(text);
}

/** Where the brackets of a JSON text first nest past `max` (strings skipped), or null. */
function nestingPast(text: string, max: number): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}

/** The parsed JSON, or undefined when the text is not JSON (a damaged stored row, a garbled reply). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
