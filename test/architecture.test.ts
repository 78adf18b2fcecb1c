// The import graph of src/: folders import only downward along the README's list of layers, and
// nothing imports the composition root. Read from the source text, `import type` included.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const SRC = join(ROOT, "src");

/** The folders in order, top to bottom, from the README block the Layout section marks. */
function layers(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /<!-- layers:[^>]*-->\s*```\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README.md has no layers block");
  return block[1].trim().split("\n").flatMap((line) => line.trim().split(/\s+/).slice(1));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|js)$/.test(name) ? [p] : [];
  });
}

/** Every relative module an import or re-export names, multi-line ones too. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.[^"']+)["']|^\s*import\s*["'](\.[^"']+)["']|\bimport\(\s*["'](\.[^"']+)["']\s*\)/gm;
  for (let m; (m = re.exec(text)); ) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** "http", "store", … for a file in a folder; null for a file at the top of src/ (the root). */
const folderOf = (file: string): string | null => {
  const parts = relative(SRC, file).split("/");
  return parts.length > 1 ? parts[0] : null;
};

interface Edge {
  from: string;
  to: string;
  file: string;
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) =>
    importsOf(readFileSync(file, "utf8")).flatMap((spec) => {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + "/")) return [];
      const from = folderOf(file) ?? relative(SRC, file);
      const to = folderOf(target) ?? relative(SRC, target);
      return from === to ? [] : [{ from, to, file: relative(ROOT, file) }];
    }),
  );
}

describe("architecture", () => {
  const order = layers();
  const rank = new Map(order.map((f, i) => [f, i]));

  test("the README lists every folder of src/ once", () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory() && sourceFiles(join(SRC, n)).length > 0);
    expect([...order].sort()).toEqual(folders.sort());
    expect(new Set(order).size).toBe(order.length);
  });

  test("imports point down the list of layers", () => {
    // Folder to folder: the target must come later in the list (a file at the top is the root's).
    const wrong = edges().filter((e) => rank.has(e.from) && rank.has(e.to) && rank.get(e.from)! > rank.get(e.to)!);
    expect(wrong.map((e) => `${e.file}: ${e.from} → ${e.to}`)).toEqual([]);
  });

  test("nothing under src/ imports the composition root; only the entry point does", () => {
    const intoRoot = edges().filter((e) => !rank.has(e.to) && !(e.from === "main.ts" && e.to === "ledbox.ts"));
    expect(intoRoot.map((e) => `${e.file} → ${e.to}`)).toEqual([]);
  });

  test("the reader sees every form of import, so the checks above could fail", () => {
    const text = [
      'import { a } from "../x/a.ts";',
      'import type { B } from "./b.ts";',
      "import {\n  c,\n  d,\n} from '../y/c.ts';",
      'export { e } from "../z/e.ts";',
      'import "./side-effect.ts";',
      'const m = await import("../w/lazy.ts");',
      'import { z } from "zod";',
    ].join("\n");
    expect(importsOf(text)).toEqual(["../x/a.ts", "./b.ts", "../y/c.ts", "../z/e.ts", "./side-effect.ts", "../w/lazy.ts"]);
  });
});
