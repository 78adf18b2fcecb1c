// The Debian package as packaging/build-deb.sh builds it: what it holds, that its units pass
// `systemd-analyze verify` and stay within an exposure bound of `systemd-analyze security`, and
// that the app tree it installs runs (here with this machine's Bun; the arm64 Bun it carries
// runs under qemu in packaging/check-arm64.sh).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "../helpers/box.ts";
import { collect } from "../helpers/process.ts";
import { AS_ROOT, requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const dpkg = requires("deb", ["dpkg-deb", "npm"], "apt-get install dpkg");
const analyze = requires("deb units", ["systemd-analyze"], "apt-get install systemd");
// `udevadm verify` on the rules came with systemd 254: packaging/check-arm64.sh runs it on Trixie.
const RULES = { "60-ledbox.rules": "packaging/60-ledbox.rules", "99-ledbox-ftdi.rules": "firmware-bridge/99-ledbox-ftdi.rules" };
const buildRoot = requires("deb build-ws281x", [AS_ROOT], "ledbox build-ws281x needs root, as on the device and in CI: sudo npm test");
const buildCc = requires("deb build-ws281x", [AS_ROOT, "cc"], "sudo npm test, and apt-get install gcc");
/** The exposure `systemd-analyze security` gives ledbox.service (README, Appliance): it may not grow. */
const MAX_EXPOSURE = 1.9;

const work = mkdtempSync(join(tmpdir(), "ledbox-deb-"));
const tree = join(work, "root");
let deb = "";
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string[], cwd = ROOT) => {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
};

describe.skipIf(dpkg.skip)("the .deb", () => {
  beforeAll(() => {
    dpkg.assert();
    const b = run(["bash", "packaging/build-deb.sh", "--out", work]);
    if (b.code !== 0) throw new Error(`build-deb.sh failed: ${b.err}`);
    deb = b.out.trim();
    const x = run(["dpkg-deb", "-x", deb, tree]);
    if (x.code !== 0) throw new Error(x.err);
  }, 600_000);

  test("named and described for arm64, with the version of package.json", () => {
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    expect(deb).toEndWith(`/ledbox_${version}_arm64.deb`);
    const field = (f: string) => run(["dpkg-deb", "-f", deb, f]).out.trim();
    expect(field("Package")).toBe("ledbox");
    expect(field("Version")).toBe(version);
    expect(field("Architecture")).toBe("arm64");
    expect(field("Depends")).toContain("systemd");
    expect(Number(field("Installed-Size"))).toBeGreaterThan(50_000);
  });

  test("the files, all root's, maintainer scripts executable, /etc files as conffiles", () => {
    const listing = run(["dpkg-deb", "-c", deb]).out.trim().split("\n");
    expect(listing.every((l) => l.split(/\s+/)[1] === "root/root")).toBe(true);
    const files = listing.map((l) => l.split(/\s+/).at(-1)!.replace(/^\./, ""));
    for (const f of [
      "/usr/bin/ledbox", "/usr/lib/ledbox/bin/bun", "/usr/lib/ledbox/app/package.json", "/usr/lib/ledbox/app/src/main.ts",
      "/usr/lib/ledbox/app/src/tools/reset-password.ts", "/usr/lib/ledbox/app/src/tools/setup-pi.ts", "/usr/lib/ledbox/app/src/web/index.html",
      "/usr/lib/systemd/system/ledbox.service", "/usr/lib/systemd/system/ledbox-update-check.service", "/usr/lib/systemd/system/ledbox-ws281x.service",
      "/usr/lib/ledbox/app/src/tools/ws281x-helper.ts", "/usr/lib/ledbox/app/scripts/build-ws281x.ts",
      "/usr/lib/udev/rules.d/60-ledbox.rules", "/usr/lib/udev/rules.d/99-ledbox-ftdi.rules", "/usr/lib/sysusers.d/ledbox.conf", "/etc/avahi/services/ledbox.service", "/etc/default/ledbox",
    ]) expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith("/usr/lib/ledbox/app/test"))).toEqual([]);
    const control = join(work, "control");
    run(["dpkg-deb", "-e", deb, control]);
    for (const s of ["preinst", "postinst", "prerm", "postrm"]) expect(run(["test", "-x", join(control, s)]).code).toBe(0);
    expect(readFileSync(join(control, "conffiles"), "utf8").trim().split("\n").sort()).toEqual(["/etc/avahi/services/ledbox.service", "/etc/default/ledbox"]);
  });

  test("Bun for arm64, the version the lock pins; no development or other-platform packages", () => {
    const bun = readFileSync(join(tree, "usr/lib/ledbox/bin/bun"));
    expect([...bun.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]); // ELF
    expect(bun.readUInt16LE(18)).toBe(183); // e_machine: EM_AARCH64
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
    const shipped = JSON.parse(readFileSync(join(tree, "usr/share/doc/ledbox/bun-package.json"), "utf8"));
    expect(shipped.version).toBe(lock.packages["node_modules/@oven/bun-linux-aarch64"].version);
    const nm = readdirSync(join(tree, "usr/lib/ledbox/app/node_modules"));
    for (const gone of ["bun", "@oven", "typescript", "@typescript", "playwright-core", "aedes", "axe-core", "bun-types"]) expect(nm).not.toContain(gone);
    // Of rpi-ws281x-native only rpi_ws281x's C sources stay, for the owner of a ws281x output to build.
    expect(readdirSync(join(tree, "usr/lib/ledbox/app/node_modules/rpi-ws281x-native")).sort()).toEqual(["LICENSE", "src"]);
    expect(readdirSync(join(tree, "usr/lib/ledbox/app/node_modules/rpi-ws281x-native/src"))).toEqual(["rpi_ws281x"]);
    expect(existsSync(join(tree, "usr/lib/ledbox/app/node_modules/rpi-ws281x-native/src/rpi_ws281x/ws2811.c"))).toBe(true);
    for (const dep of ["elysia", "zod", "mqtt", "preact", "swagger-ui-dist"]) expect(nm).toContain(dep);
    expect(readdirSync(join(tree, "usr/lib/ledbox/app/node_modules/@serialport/bindings-cpp/prebuilds"))).toEqual(["linux-arm64"]);
  });

  test("the avahi service carries the version and the API's path", () => {
    const xml = readFileSync(join(tree, "etc/avahi/services/ledbox.service"), "utf8");
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;
    expect(xml).toContain("<type>_http._tcp</type>");
    expect(xml).toContain("<type>_ledbox._tcp</type>");
    expect(xml).toContain(`<txt-record>version=${version}</txt-record>`);
    expect(xml).toContain("<txt-record>api=/api/v1</txt-record>");
    expect(xml).not.toContain("@VERSION@");
  });

  test("the installed app tree runs: HTTP, the page and its bundled API viewer", async () => {
    const data = join(work, "data");
    const proc = Bun.spawn([process.execPath, "src/main.ts", "--port", "0", "--host", "127.0.0.1", "--data", data], {
      cwd: join(tree, "usr/lib/ledbox/app"), stdout: "pipe", stderr: "pipe",
    });
    const out = collect(proc.stdout);
    const err = collect(proc.stderr);
    try {
      const port = await until(() => /listening on http:\/\/[^:]+:(\d+)/.exec(out.text())?.[1] ?? (proc.exitCode !== null ? "exited" : null), "the packaged ledbox to listen", 30_000);
      if (port === "exited") throw new Error(`the packaged ledbox exited: ${err.text()}`);
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
      expect((await fetch(`${url}/`)).status).toBe(200);
      expect((await fetch(`${url}/api/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  });

  /** `ledbox build-ws281x` from the installed tree with this machine's Bun in place of the arm64 one. */
  function buildWs281x(opts: { asNobody?: boolean; path?: string } = {}) {
    const lib = join(work, "lib");
    if (!existsSync(lib)) {
      mkdirSync(join(lib, "bin"), { recursive: true });
      symlinkSync(process.execPath, join(lib, "bin/bun"));
      symlinkSync(join(tree, "usr/lib/ledbox/app"), join(lib, "app"));
    }
    const out = join(work, "local/libws2811.so");
    // As nobody, bash reads the command from stdin: the work folder is root's alone.
    const cmd = opts.asNobody
      ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-s", "build-ws281x"]
      : ["bash", join(tree, "usr/bin/ledbox"), "build-ws281x"];
    const p = Bun.spawnSync(cmd, {
      env: { ...process.env, LEDBOX_LIB: lib, LEDBOX_WS281X_LIBRARY: out, ...(opts.path ? { PATH: opts.path } : {}) },
      stdin: opts.asNobody ? readFileSync(join(tree, "usr/bin/ledbox")) : "ignore", stdout: "pipe", stderr: "pipe",
    });
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString(), lib: out };
  }

  test("`ledbox build-ws281x` without root refuses, saying to use sudo", () => {
    const r = buildWs281x({ asNobody: process.getuid?.() === 0 });
    expect(r.err).toBe("ledbox: build-ws281x needs root: sudo ledbox build-ws281x\n");
    expect(r.code).toBe(1);
  });

  test.skipIf(buildRoot.skip)("`ledbox build-ws281x` without a C compiler says which package to install", () => {
    buildRoot.assert();
    // A PATH with bash and id but no cc.
    const bin = join(work, "nocc");
    mkdirSync(bin, { recursive: true });
    for (const c of ["bash", "id"]) if (!existsSync(join(bin, c))) symlinkSync(Bun.which(c)!, join(bin, c));
    const r = buildWs281x({ path: bin });
    expect(r.err).toBe("ledbox: build-ws281x needs a C compiler: sudo apt install gcc\n");
    expect(r.code).toBe(1);
  });

  test.skipIf(buildCc.skip)("`ledbox build-ws281x` builds the helper's library from the sources it carries, with the current board table", () => {
    buildCc.assert();
    const r = buildWs281x();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`ws281x: built ${r.lib}`);
    // Nothing but the library beside it, and the library knows a board the bundled table did not (Zero 2 W).
    expect(readdirSync(join(work, "local"))).toEqual(["libws2811.so"]);
    expect(readFileSync(r.lib).includes("Zero 2 W")).toBe(true);
  });

  test("the udev rules are the repository's: the Pi 5's /dev/leds*, FTDI adapters' latency timer", () => {
    for (const [name, src] of Object.entries(RULES)) expect(readFileSync(join(tree, "usr/lib/udev/rules.d", name), "utf8")).toBe(readFileSync(join(ROOT, src), "utf8"));
  });

  describe.skipIf(analyze.skip)("its units", () => {
    // verify resolves the units' dependencies (sysinit.target, …) in --root: this machine's units join the package's.
    const units = join(tree, "usr/lib/systemd/system");
    beforeAll(() => {
      analyze.assert();
      for (const dir of ["/usr/lib/systemd/system", "/lib/systemd/system"]) {
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir).filter((n) => /\.(target|slice)$/.test(n) && !existsSync(join(units, n)))) cpSync(join(dir, f), join(units, f), { dereference: true });
      }
    });
    const verify = (...files: string[]) => run(["systemd-analyze", "verify", `--root=${tree}`, ...files], tree);

    test("systemd-analyze verify passes on every unit", () => {
      const r = verify(...["ledbox", "ledbox-update-check", "ledbox-ws281x"].map((u) => `usr/lib/systemd/system/${u}.service`));
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    });

    test("and fails on a broken copy, so it is really checking", () => {
      const broken = readFileSync(join(units, "ledbox.service"), "utf8").replace("ExecStart=/usr/bin/ledbox run", "ExecStart=/usr/bin/ledbox-missing run");
      writeFileSync(join(units, "ledbox-broken.service"), broken);
      const r = verify("usr/lib/systemd/system/ledbox-broken.service");
      expect(r.code).not.toBe(0);
      expect(r.err).toContain("ledbox-missing");
    });

    test(`systemd-analyze security: exposure at most ${MAX_EXPOSURE}`, () => {
      const r = run(["systemd-analyze", "security", "--offline=yes", `--root=${tree}`, "usr/lib/systemd/system/ledbox.service"], tree);
      const exposure = Number(/Overall exposure level for ledbox\.service: ([\d.]+)/.exec(r.out + r.err)?.[1]);
      expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE);
      // What ledbox needs stays: devices, port 80, writable code pages for the JIT.
      expect(r.out).toMatch(/✗ PrivateDevices=/);
      expect(r.out).toMatch(/✗ MemoryDenyWriteExecute=/);
    });
  });
});
