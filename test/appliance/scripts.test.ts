// shellcheck on every shell script of the appliance (the package's command and maintainer
// scripts, the build and check scripts, the image's stage), found by their #! line.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const shellcheck = requires("scripts", ["shellcheck"], "apt-get install shellcheck");

function scripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return scripts(p);
    return /^#!\s*\/(usr\/)?bin\/(env )?(ba|da)?sh\b/.test(readFileSync(p, "utf8").slice(0, 64)) ? [relative(ROOT, p)] : [];
  });
}

describe.skipIf(shellcheck.skip)("shell scripts", () => {
  const found = ["packaging", "images"].flatMap((d) => scripts(join(ROOT, d)));

  test("the scripts are found, the maintainer scripts and the command among them", () => {
    shellcheck.assert();
    expect(found).toEqual(expect.arrayContaining(["packaging/ledbox", "packaging/build-deb.sh", "packaging/check-arm64.sh", "packaging/debian/postinst", "images/build.sh"]));
  });

  test.each(scripts(join(ROOT, "packaging")).concat(scripts(join(ROOT, "images"))))("%s passes shellcheck", (file) => {
    shellcheck.assert();
    const p = Bun.spawnSync(["shellcheck", "--external-sources", file], { cwd: ROOT });
    expect(p.stdout.toString()).toBe("");
    expect(p.exitCode).toBe(0);
  });
});
