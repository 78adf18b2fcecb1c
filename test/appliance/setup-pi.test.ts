// `ledbox setup-pi` against a fake /boot/firmware (Pi OS's files) and a fake device-tree model
// (NUL-terminated, as the kernel gives it): the tool run as a process, as the CLI runs it.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SettingsSchema } from "../../src/config/schema.ts";
import { checkOutputs } from "../../src/outputs/index.ts";
import { openDatabase } from "../../src/store/db.ts";
import { SettingsRepo } from "../../src/store/settings.ts";
import { modelOf, plan } from "../../src/tools/setup-pi.ts";

const ROOT = join(import.meta.dir, "../..");

const CONFIG = `# For more options and information see
# http://rptl.io/configtxt
# Uncomment some or all of these to enable the optional hardware interfaces
#dtparam=i2c_arm=on
#dtparam=spi=on

# Enable audio (loads snd_bcm2835)
dtparam=audio=on
auto_initramfs=1
dtoverlay=vc4-kms-v3d
arm_64bit=1

[cm4]
otg_mode=1

[cm5]
dtoverlay=dwc2,dr_mode=host

[all]
`;
const CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait quiet\n";

const MODELS = {
  pi3: "Raspberry Pi 3 Model B Plus Rev 1.3\0",
  pi02: "Raspberry Pi Zero 2 W Rev 1.0\0",
  pi4: "Raspberry Pi 4 Model B Rev 1.5\0",
  pi5: "Raspberry Pi 5 Model B Rev 1.0\0",
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function board(model: string, cmdline = CMDLINE) {
  const dir = mkdtempSync(join(tmpdir(), "ledbox-boot-"));
  dirs.push(dir);
  writeFileSync(join(dir, "config.txt"), CONFIG);
  writeFileSync(join(dir, "cmdline.txt"), cmdline);
  writeFileSync(join(dir, "model"), model);
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    dir, read,
    run(args: string[] = [], settings?: unknown) {
      if (settings) writeFileSync(join(dir, "settings.json"), JSON.stringify(settings));
      const p = Bun.spawnSync([process.execPath, "src/tools/setup-pi.ts", "--boot", dir, "--model", join(dir, "model"), ...(settings ? ["--settings", join(dir, "settings.json")] : []), ...args], { cwd: ROOT });
      return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
    },
    /** config.txt's lines from ledbox's block. */
    block: () => read("config.txt").split("\n").slice(CONFIG.split("\n").length - 1).filter(Boolean),
  };
}

describe("setup-pi on each board", () => {
  test("Pi 3: SPI on, spidev.bufsiz, core_freq=250 under [pi3]; a backup of each file", () => {
    const b = board(MODELS.pi3);
    const r = b.run();
    expect(r.code).toBe(0);
    expect(r.out).toContain("reboot");
    expect(b.read("config.txt").startsWith(CONFIG)).toBe(true);
    expect(b.block()).toEqual([
      expect.stringContaining("# ledbox: begin"),
      "# ledbox: cmdline.txt spidev.bufsiz was none",
      "[all]", "dtparam=spi=on", "[pi3]", "core_freq=250", "[all]", "# ledbox: end",
    ]);
    expect(b.read("cmdline.txt")).toBe(CMDLINE.trim() + " spidev.bufsiz=65536\n");
    expect(b.read("config.txt.ledbox-bak")).toBe(CONFIG);
    expect(b.read("cmdline.txt.ledbox-bak")).toBe(CMDLINE);
  });

  test("Zero 2 W: the Pi 3's clock under its own [pi02] filter", () => {
    const b = board(MODELS.pi02);
    expect(b.run().code).toBe(0);
    expect(b.block().slice(2)).toEqual(["[all]", "dtparam=spi=on", "[pi02]", "core_freq=250", "[all]", "# ledbox: end"]);
  });

  test("Pi 4: core_freq and core_freq_min 500", () => {
    const b = board(MODELS.pi4);
    expect(b.run().code).toBe(0);
    expect(b.block().slice(2)).toEqual(["[all]", "dtparam=spi=on", "[pi4]", "core_freq=500", "core_freq_min=500", "[all]", "# ledbox: end"]);
  });

  test("Pi 5: no core clock; the ws2812-pio overlay sized for the pio output, RGBW from the strip", () => {
    const b = board(MODELS.pi5);
    const settings = { strip: { ledCount: 300, ledType: "rgbw", colorOrder: "GRBW" }, outputs: [{ driver: "virtual", length: 60 }, { driver: "pio", start: 60, device: "/dev/null" }] };
    const r = b.run(["--gpio", "21"], settings);
    expect(r.code).toBe(0);
    expect(r.out).toContain("GPIO 21 for 240 RGBW LEDs");
    expect(b.block().slice(2)).toEqual(["[all]", "dtparam=spi=on", "[pi5]", "dtoverlay=ws2812-pio,gpio=21,num_leds=240,rgbw", "[all]", "# ledbox: end"]);
  });

  test("a ws281x output on a PWM pin turns the analogue audio off; on PCM (GPIO 21) it stays", () => {
    const b = board(MODELS.pi4);
    expect(b.run([], { outputs: [{ driver: "ws281x", gpio: 18 }] }).code).toBe(0);
    expect(b.block().slice(2, 5)).toEqual(["[all]", "dtparam=spi=on", "dtparam=audio=off"]);
    expect(b.run([], { outputs: [{ driver: "ws281x", gpio: 21 }] }).code).toBe(0);
    expect(b.read("config.txt")).not.toContain("audio=off");
  });

  test("a board it does not know gets SPI only", () => {
    const b = board("Raspberry Pi 2 Model B Rev 1.1\0");
    const r = b.run();
    expect(r.code).toBe(0);
    expect(r.out).toContain("SPI only");
    expect(b.block().slice(2)).toEqual(["[all]", "dtparam=spi=on", "# ledbox: end"]);
  });
});

describe("running it again, and the undo", () => {
  test("a second run changes nothing; a new LED count replaces the block, not adds one", () => {
    const b = board(MODELS.pi5);
    const s = (n: number) => ({ strip: { ledCount: n } });
    expect(b.run([], s(150)).code).toBe(0);
    const first = b.read("config.txt");
    const again = b.run([], s(150));
    expect(again.out).toContain("nothing to change");
    expect(b.read("config.txt")).toBe(first);
    expect(b.run([], s(500)).code).toBe(0);
    expect(b.read("config.txt").match(/# ledbox: begin/g)).toHaveLength(1);
    expect(b.read("config.txt")).toContain("num_leds=500");
    expect(b.read("config.txt.ledbox-bak")).toBe(first);
  });

  test("--undo gives back the files as they were, byte for byte", () => {
    const b = board(MODELS.pi4);
    b.run();
    b.run(["--gpio", "12"]);
    const u = b.run(["--undo"]);
    expect(u.code).toBe(0);
    expect(b.read("config.txt")).toBe(CONFIG);
    expect(b.read("cmdline.txt")).toBe(CMDLINE);
    expect(b.run(["--undo"]).out).toContain("nothing to change");
  });

  test("a spidev.bufsiz the owner had set is raised, and restored by the undo", () => {
    const own = CMDLINE.replace("rootwait", "spidev.bufsiz=32768 rootwait");
    const b = board(MODELS.pi3, own);
    b.run();
    expect(b.read("cmdline.txt")).not.toContain("32768");
    expect(b.read("cmdline.txt").match(/spidev\.bufsiz=/g)).toEqual(["spidev.bufsiz="]);
    b.run(); // a second run must keep the owner's value for the undo, not its own
    b.run(["--undo"]);
    expect(b.read("cmdline.txt")).toContain("spidev.bufsiz=32768");
    expect(b.read("config.txt")).toBe(CONFIG);
  });

  test("no boot files: refused with the reason, nothing written", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledbox-boot-"));
    dirs.push(dir);
    const p = Bun.spawnSync([process.execPath, "src/tools/setup-pi.ts", "--boot", dir], { cwd: ROOT });
    expect(p.exitCode).toBe(1);
    expect(p.stderr.toString()).toContain("config.txt not found");
    expect(existsSync(join(dir, "config.txt"))).toBe(false);
  });
});

describe("the plan", () => {
  test("models by their device-tree names, the 400 and Compute Modules with their family", () => {
    expect(modelOf("Raspberry Pi 400 Rev 1.0\0")).toBe("pi4");
    expect(modelOf("Raspberry Pi Compute Module 4 Rev 1.0")).toBe("pi4");
    expect(modelOf("Raspberry Pi Compute Module 5 Rev 1.0")).toBe("pi5");
    expect(modelOf("Raspberry Pi 3 Model A Plus Rev 1.0")).toBe("pi3");
    expect(modelOf("Raspberry Pi Zero W Rev 1.1")).toBeNull();
  });

  test("spidev.bufsiz grows past 65536 only for an SPI output that needs it", () => {
    const s = (n: number) => SettingsSchema.parse({ strip: { ledCount: n }, outputs: [{ driver: "spi", device: "/dev/null" }] });
    expect(plan("pi4", s(150)).bufsiz).toBe(65536);
    const big = plan("pi4", s(8000)).bufsiz;
    expect(big).toBeGreaterThanOrEqual(8000 * 3 * 4);
    expect(big % 4096).toBe(0);
  });
});

describe("the page points to it", () => {
  test("an SPI or PIO device that is not there is refused with the command that sets it up", () => {
    const refused = (driver: string) => checkOutputs(SettingsSchema.parse({ outputs: [{ driver, device: "/dev/ledbox-test-absent" }] }));
    expect(refused("spi")).toContain("sudo ledbox setup-pi");
    expect(refused("pio")).toContain("sudo ledbox setup-pi");
    expect(refused("serial")).toBe("outputs.0 (serial): /dev/ledbox-test-absent does not exist");
  });
});

describe("ledbox settings, what setup-pi is sized by", () => {
  const settings = (data: string) => JSON.parse(Bun.spawnSync([process.execPath, "src/tools/settings.ts", "--data", data], { cwd: ROOT }).stdout.toString());

  test("a data folder without a database: the defaults, and nothing created", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledbox-settings-"));
    dirs.push(dir);
    expect(settings(dir)).toEqual(SettingsSchema.parse({}));
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a device's stored settings", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledbox-settings-"));
    dirs.push(dir);
    const db = openDatabase(dir);
    new SettingsRepo(db).save(SettingsSchema.parse({ strip: { ledCount: 420 } }));
    db.close();
    expect(settings(dir).strip.ledCount).toBe(420);
  });
});
