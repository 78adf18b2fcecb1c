import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_DIR, loadRegistry, parseAdapterFile } from "../../src/games/declarative.ts";
import { tempDir } from "../helpers/box.ts";
import { expectRestartSafe, loadFixture, runSequence } from "./fixture.ts";

describe("declarative adapters", () => {
  test("the built-in Minecraft file: health bar, damage, death, respawn, burning — once each", () => {
    const reg = loadRegistry(tempDir());
    expect(reg.loadErrors).toEqual([]);
    runSequence(reg.get("minecraft")!, loadFixture("minecraft.json").steps);
  });

  test("the built-in Valorant file: match start, rounds won and lost, map change", () => {
    runSequence(loadRegistry(tempDir()).get("valorant")!, loadFixture("valorant.json").steps);
  });

  test("after a restart at any step (state read back from JSON) the rest is exact and a resend fires nothing new", () => {
    const reg = loadRegistry(tempDir());
    expectRestartSafe(reg.get("minecraft")!, loadFixture("minecraft.json").steps);
    expectRestartSafe(reg.get("valorant")!, loadFixture("valorant.json").steps);
  });

  test("user files load from <data>/adapters; a broken one names file and line and does not stop the others", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "adapters"));
    const good = readFileSync(join(BUILTIN_DIR, "valorant.yaml"), "utf8").replace("type: valorant", "type: myvalorant");
    writeFileSync(join(dir, "adapters", "a-good.yaml"), good);
    writeFileSync(join(dir, "adapters", "b-syntax.yaml"), "type: x\nname: X\ngame: x\nsetup: hi\nrules:\n  - event: kill\n    path: [unclosed\n");
    writeFileSync(join(dir, "adapters", "c-schema.yaml"), "type: y\nname: Y\ngame: y\nsetup: hi\nrules:\n  - event: kill\n    path: a\n  - event: teleport\n    path: b\n");
    writeFileSync(join(dir, "adapters", "d-dup.yaml"), good);
    const reg = loadRegistry(dir);
    // The good file loaded under its own type, beside the built-ins; the three bad ones did not.
    expect(reg.get("myvalorant")).toMatchObject({ type: "myvalorant", game: "valorant" });
    expect(reg.get("minecraft")).toMatchObject({ type: "minecraft" });
    expect([reg.get("x"), reg.get("y")]).toEqual([undefined, undefined]);
    expect(reg.loadErrors.length).toBe(3);
    // The parser notices the missing ] where the file ends (line 8, after the last newline).
    expect(reg.loadErrors[0]).toMatch(/b-syntax\.yaml:8: YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
    expect(reg.loadErrors[1]).toMatch(/c-schema\.yaml:8: rules\.1\.event: /);
    expect(reg.loadErrors[2]).toMatch(/d-dup\.yaml:1: adapter type "myvalorant" is already defined/);
  });

  test("a missing top-level field is reported at line 1 with its name", () => {
    const r = parseAdapterFile("type: z\nname: Z\ngame: z\nrules:\n  - event: kill\n", "z.yaml");
    expect(r).toEqual({ ok: false, error: "z.yaml:1: setup: Invalid input: expected string, received undefined" });
  });

  test("errors inside flow collections and nested rules point at their own line", () => {
    const head = "type: z\nname: Z\ngame: z\nsetup: hi\n";
    // A flow list spread over lines: the bad event is on line 8, inside `rules: [` opened on line 5.
    const flow = parseAdapterFile(`${head}rules: [\n  {event: kill, path: a},\n  {event: kill, path: b},\n  {event: teleport, path: c}\n]\n`, "f.yaml");
    expect(flow.ok ? "" : flow.error).toMatch(/^f\.yaml:8: rules\.2\.event: /);
    const nested = parseAdapterFile(`${head}rules:\n  - event: kill\n    path: a\n  - event: custom\n    path: b\n    on: sometimes\n`, "n.yaml");
    expect(nested.ok ? "" : nested.error).toMatch(/^n\.yaml:10: rules\.1\.on: /);
    const unclosed = parseAdapterFile(`${head}rules: [\n  {event: kill, path: a},\n`, "u.yaml");
    expect(unclosed.ok ? "" : unclosed.error).toMatch(/^u\.yaml:7: YAML: /);
  });

  test("a map used as a key is refused by name and line, without a warning on the process's stderr", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const r = parseAdapterFile("type: z\nname: Z\ngame: z\nsetup: hi\nrules:\n  - event: kill\n    ? { path: a }\n    : 1\n", "k.yaml");
      expect(r.ok ? "" : r.error).toMatch(/^k\.yaml:\d+: rules\.0: Unrecognized key: "\{ path: a \}"/);
      await Bun.sleep(10); // process warnings are emitted on a later tick
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
