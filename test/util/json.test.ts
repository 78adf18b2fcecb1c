// The readers for JSON from outside (src/util/json.ts), directly: what counts as an object, the
// reserved keys refused at every edge, dotted paths over own fields only, and the lenient
// scalar and number readers game adapters use.
import { describe, expect, test } from "bun:test";
import { at, isObject, MAX_JSON_DEPTH, num, parseJson, parseObject, parseUntrusted, RESERVED_KEYS, reservedKeyPath, scalarText } from "../../src/util/json.ts";

class Player {
  name = "ann";
  get health() {
    return 100;
  }
}

/** An object with no prototype at all: no toString, no hasOwnProperty. */
function bare(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, fields);
}

describe("isObject", () => {
  test("plain objects, class instances and objects with a null prototype are objects", () => {
    expect(isObject({})).toBe(true);
    expect(isObject({ a: 1 })).toBe(true);
    expect(isObject(new Player())).toBe(true);
    expect(isObject(bare({ a: 1 }))).toBe(true);
  });

  test("arrays, null and every primitive are not", () => {
    for (const v of [[], [1, 2], null, undefined, 0, 1, "", "{}", true, false, 10n, Symbol("s")]) {
      expect(isObject(v)).toBe(false);
    }
  });

  test("a function is not an object", () => {
    expect(isObject(() => ({}))).toBe(false);
  });
});

describe("reservedKeyPath", () => {
  test("the reserved keys are exactly those that reach a prototype or replace a conversion", () => {
    expect([...RESERVED_KEYS].sort()).toEqual(["__proto__", "constructor", "prototype", "toString", "valueOf"]);
  });

  test("a value without reserved keys gives null, primitives and null included", () => {
    expect(reservedKeyPath({ a: { b: [1, { c: "d" }] }, proto: 1, Constructor: 2, tostring: 3 })).toBeNull();
    for (const v of [null, undefined, 0, "constructor", true, []]) expect(reservedKeyPath(v)).toBeNull();
  });

  test("each reserved key is found by name at the top level", () => {
    for (const k of RESERVED_KEYS) {
      expect(reservedKeyPath(JSON.parse(`{"ok":1,"${k}":{"x":1}}`))).toBe(k);
    }
  });

  test("__proto__ as JSON.parse makes it (an own key) is found; an object literal's prototype is not a key", () => {
    expect(reservedKeyPath(JSON.parse('{"a":{"__proto__":{"admin":true}}}'))).toBe("a.__proto__");
    expect(reservedKeyPath({ a: { __proto__: { admin: true } } })).toBeNull();
  });

  test("the path names where it is: nested objects by key, arrays by index", () => {
    expect(reservedKeyPath({ a: { b: { toString: 1 } } })).toBe("a.b.toString");
    expect(reservedKeyPath({ list: [{ ok: 1 }, { ok: 2 }, { valueOf: 3 }] })).toBe("list.2.valueOf");
    expect(reservedKeyPath([{ prototype: {} }])).toBe("0.prototype");
  });

  test("objects with a null prototype and class instances are searched by their own keys", () => {
    expect(reservedKeyPath(bare({ x: bare({ constructor: 1 }) }))).toBe("x.constructor");
    // A class's methods and getters live on its prototype, not on the instance: not keys.
    expect(reservedKeyPath(new Player())).toBeNull();
    expect(reservedKeyPath({ p: Object.assign(new Player(), { valueOf: 0 }) })).toBe("p.valueOf");
  });

  test("a shared object is looked at once, and a cycle ends", () => {
    // 30 levels, each holding the next twice: 2^30 paths, 30 objects.
    let shared: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 30; i++) shared = { a: shared, b: shared };
    expect(reservedKeyPath(shared)).toBeNull();
    const loop: Record<string, unknown> = { name: "loop" };
    loop.self = loop;
    expect(reservedKeyPath(loop)).toBeNull();
    loop.deeper = { __proto__: null, toString: 1 };
    expect(reservedKeyPath(loop)).toBe("deeper.toString");
  });
});

describe("parseObject", () => {
  test("a JSON object comes back as that object", () => {
    expect(parseObject('{"a":1,"b":{"c":[2]}}')).toEqual({ a: 1, b: { c: [2] } });
  });

  test("damaged text and JSON that is not an object give null", () => {
    for (const t of ["", "{", "{'a':1}", "garbage", "[]", "[{}]", "null", "1", '"text"', "true"]) {
      expect(parseObject(t)).toBeNull();
    }
  });
});

describe("parseJson", () => {
  test("any JSON value comes back; text that is not JSON gives undefined", () => {
    expect(parseJson('{"a":[1,null]}')).toEqual({ a: [1, null] });
    expect(parseJson("[1,2]")).toEqual([1, 2]);
    expect(parseJson("null")).toBeNull();
    expect(parseJson('"x"')).toBe("x");
    expect(parseJson("")).toBeUndefined();
    expect(parseJson("{nope}")).toBeUndefined();
  });
});

describe("parseUntrusted", () => {
  const nested = (levels: number, open = "[", close = "]") => open.repeat(levels) + close.repeat(levels);

  test("nesting up to MAX_JSON_DEPTH parses; one level more is refused before parsing, naming where", () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(JSON.stringify(parseUntrusted(nested(64)))).toBe(nested(64));
    expect(() => parseUntrusted(nested(65))).toThrow(new SyntaxError("nested deeper than 64 levels at character 64"));
    // Objects and arrays count alike, whatever the spacing.
    expect(() => parseUntrusted(`{"a": ${"[{\"x\": ".repeat(40)}1${"}]".repeat(40)}}`)).toThrow(/nested deeper than 64 levels at character \d+/);
    // A hostile 160 KB of brackets is refused at its 65th.
    expect(() => parseUntrusted(nested(80_000))).toThrow("at character 64");
  });

  test("brackets inside strings do not count, escaped quotes included; malformed text is the parser's SyntaxError", () => {
    const text = JSON.stringify({ a: "[[[[".repeat(100), b: 'say \"[{\" ' + "{".repeat(200), c: [1] });
    expect(parseUntrusted(text)).toEqual(JSON.parse(text));
    expect(() => parseUntrusted('{"a": [1, 2}')).toThrow(SyntaxError);
  });
});

describe("at", () => {
  const doc = { player: { state: { health: 80, armor: 0 } }, players: [{ name: "ann" }, { name: "bo" }], flag: false, none: null };

  test("reads a dotted path through objects and arrays", () => {
    expect(at(doc, "player.state.health")).toBe(80);
    expect(at(doc, "player.state.armor")).toBe(0);
    expect(at(doc, "players.1.name")).toBe("bo");
    expect(at(doc, "players.1")).toEqual({ name: "bo" });
    expect(at(doc, "flag")).toBe(false);
    expect(at(doc, "none")).toBeNull();
  });

  test("a missing field, an index past the end, or a path through null or a scalar gives undefined", () => {
    expect(at(doc, "player.state.missing")).toBeUndefined();
    expect(at(doc, "players.5.name")).toBeUndefined();
    expect(at(doc, "none.x")).toBeUndefined();
    expect(at(doc, "player.state.health.value")).toBeUndefined();
    expect(at(null, "a")).toBeUndefined();
    expect(at(undefined, "a")).toBeUndefined();
    expect(at("text", "length")).toBeUndefined();
  });

  test("own fields only: nothing inherited is read, from a plain object, an array or a class instance", () => {
    expect(at(doc, "toString")).toBeUndefined();
    expect(at(doc, "constructor")).toBeUndefined();
    expect(at(doc, "__proto__")).toBeUndefined();
    expect(at(doc, "player.hasOwnProperty")).toBeUndefined();
    expect(at(doc, "players.length")).toBe(2); // an array's length is its own
    expect(at(doc, "players.map")).toBeUndefined();
    expect(at(new Player(), "name")).toBe("ann");
    expect(at(new Player(), "health")).toBeUndefined(); // a getter on the class's prototype
  });

  test("a JSON-made __proto__ key is an own field and is read like any other", () => {
    expect(at(JSON.parse('{"__proto__":{"x":5}}'), "__proto__.x")).toBe(5);
  });

  test("objects with a null prototype are read (no hasOwnProperty of their own to call)", () => {
    expect(at(bare({ a: bare({ b: 7 }) }), "a.b")).toBe(7);
    expect(at(bare({}), "toString")).toBeUndefined();
  });
});

describe("scalarText", () => {
  test("strings, numbers and booleans as text", () => {
    expect(scalarText("de_dust2")).toBe("de_dust2");
    expect(scalarText("")).toBe("");
    expect(scalarText(76561198000000000)).toBe("76561198000000000");
    expect(scalarText(2.5)).toBe("2.5");
    expect(scalarText(false)).toBe("false");
  });

  test("anything else is undefined, and an object's own toString is never called", () => {
    let called = false;
    const sly = { toString: () => ((called = true), "x") };
    for (const v of [null, undefined, {}, [], ["a"], sly, { toString: 1 }, bare({}), new Player(), 1n]) {
      expect(scalarText(v)).toBeUndefined();
    }
    expect(called).toBe(false);
  });
});

describe("num", () => {
  test("finite numbers pass as they are", () => {
    for (const v of [0, -3, 2.5, 1e21]) expect(num(v)).toBe(v);
  });

  test("numeric strings (some games send them) become numbers, surrounding spaces allowed", () => {
    expect(num("42")).toBe(42);
    expect(num("-1.5")).toBe(-1.5);
    expect(num(" 7 ")).toBe(7);
    expect(num("1e3")).toBe(1000);
  });

  test("blank or non-numeric strings, non-finite values and non-scalars give undefined", () => {
    for (const v of ["", "   ", "abc", "12abc", "Infinity", "NaN", NaN, Infinity, -Infinity, null, undefined, true, [5], { valueOf: () => 3 }, bare({}), new Player()]) {
      expect(num(v)).toBeUndefined();
    }
  });
});
