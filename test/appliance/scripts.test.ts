// shellcheck on every shell script of the appliance (the package's command and maintainer
// scripts, the build and check scripts, the image's stage, CI's entry point), found by their #!
// line; and every script with a #! line is executable in git, so a clean clone runs them as the
// README says (`packaging/build-deb.sh`, `sudo images/build.sh`, `.ci/run`).
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const shellcheck = requires("scripts", ["shellcheck"], "apt-get install shellcheck");
const git = requires("scripts in git", ["git", join(ROOT, ".git")], "apt-get install git; run the tests in a clone");
/** Where the scripts an owner or CI runs live. */
const DIRS = ["packaging", "images", "scripts", ".ci"];

const head = (p: string) => readFileSync(p).subarray(0, 64).toString("latin1");

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return scripts(p);
    return /^#!\s*\/(usr\/)?bin\/(env )?(ba|da)?sh\b/.test(head(p)) ? [relative(ROOT, p)] : [];
  });
}

describe.skipIf(shellcheck.skip)("shell scripts", () => {
  const found = ["packaging", "images", ".ci"].flatMap((d) => scripts(join(ROOT, d)));

  test("the scripts are found, the maintainer scripts, the command and CI's entry point among them", () => {
    shellcheck.assert();
    expect(found).toEqual(expect.arrayContaining(["packaging/ledbox", "packaging/build-deb.sh", "packaging/check-arm64.sh", "packaging/debian/postinst", "images/build.sh", ".ci/run"]));
  });

  test.each(found)("%s passes shellcheck", (file) => {
    shellcheck.assert();
    const p = Bun.spawnSync(["shellcheck", "--external-sources", file], { cwd: ROOT });
    expect(p.stdout.toString()).toBe("");
    expect(p.exitCode).toBe(0);
  });
});

describe.skipIf(git.skip)("scripts in git", () => {
  test(`every file with a #! line under ${DIRS.join(" ")} is executable in git (mode 100755)`, () => {
    git.assert();
    const p = Bun.spawnSync(["git", "ls-files", "-s", "--", ...DIRS], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(p.exitCode).toBe(0);
    const entries = p.stdout.toString().trim().split("\n").map((l) => {
      const [meta, path] = l.split("\t");
      return { mode: meta!.split(" ")[0], path: path! };
    });
    const withShebang = entries.filter((e) => e.mode !== "120000" && head(join(ROOT, e.path)).startsWith("#!"));
    // The ones the README tells owners to run are among them.
    expect(withShebang.map((e) => e.path)).toEqual(expect.arrayContaining(["packaging/build-deb.sh", "packaging/check-arm64.sh", "images/build.sh", ".ci/run"]));
    expect(withShebang.filter((e) => e.mode !== "100755").map((e) => `${e.path} is ${e.mode}`)).toEqual([]);
  });
});
