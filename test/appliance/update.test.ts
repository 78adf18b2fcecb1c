// The update path's rollback, with the package's own command (packaging/ledbox) on trees laid out
// as the package lays them (bin/bun, app/), its paths moved into a temporary folder: `ledbox
// rollback` goes back to the kept tree and to the database as it was before the new version's
// migrations, and `ledbox run` then really starts the previous version. `ledbox update-check`
// decides from what `systemctl show -P` says of the unit; there is no systemd here, so a
// `systemctl` on PATH answers as systemd does for the unit's state (and counts restarts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/store/db.ts";
import { until } from "../helpers/box.ts";
import { collect } from "../helpers/process.ts";
import { AS_ROOT, requires } from "../helpers/requires.ts";

const ROOT = join(import.meta.dir, "../..");
const CLI = join(ROOT, "packaging/ledbox");
/** `ledbox rollback` and `update-check` run as root, as on the device. */
const root = requires("update", [AS_ROOT], "ledbox rollback needs root, as on the device and in CI: sudo npm test");

const work = mkdtempSync(join(tmpdir(), "ledbox-update-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A tree as the package installs it, reporting `version`. */
function tree(dir: string, version: string): void {
  mkdirSync(join(dir, "bin"), { recursive: true });
  symlinkSync(process.execPath, join(dir, "bin/bun"));
  cpSync(join(ROOT, "src"), join(dir, "app/src"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "app/node_modules"));
  const pkg = readFileSync(join(ROOT, "package.json"), "utf8").replace(/^  "version": ".*",$/m, `  "version": "${version}",`);
  writeFileSync(join(dir, "app/package.json"), pkg);
}

/** `systemctl show -P <property> ledbox.service` from files; every read of NRestarts adds `restartsPerRead`. */
const SYSTEMCTL = `#!/bin/bash
set -eu
[[ $1 == show && $2 == -P && $4 == ledbox.service ]] || { echo "systemctl: not supported here: $*" >&2; exit 1; }
f="$UNIT_STATE/$3"
if [[ $3 == NRestarts ]]; then n=$(( $(cat "$f") + $(cat "$UNIT_STATE/restartsPerRead") )); echo "$n" > "$f"; fi
cat "$f"
`;

function layout(name: string) {
  const base = join(work, name);
  const bin = join(base, "bin"), state = join(base, "unit");
  mkdirSync(bin, { recursive: true });
  mkdirSync(state);
  writeFileSync(join(bin, "systemctl"), SYSTEMCTL, { mode: 0o755 });
  const env = {
    ...process.env, LEDBOX_LIB: join(base, "lib"), LEDBOX_UPDATES: join(base, "updates"), LEDBOX_DATA_DIR: join(base, "data"),
    PATH: `${bin}:${process.env.PATH}`, UNIT_STATE: state, LEDBOX_CHECK_START_S: "1", LEDBOX_CHECK_SETTLE_S: "0",
  };
  tree(env.LEDBOX_LIB, "9.0.0");
  mkdirSync(env.LEDBOX_DATA_DIR, { recursive: true });
  const ledbox = (...args: string[]) => {
    const p = Bun.spawnSync(["bash", CLI, ...args], { env, stdout: "pipe", stderr: "pipe" });
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
  };
  const unit = (active: string, status: string, restartsPerRead = 0) => {
    for (const [k, v] of Object.entries({ ActiveState: active, StatusText: status, NRestarts: "0", restartsPerRead: String(restartsPerRead) })) writeFileSync(join(state, k), `${v}\n`);
  };
  return { base, env, ledbox, unit };
}

/** Marks a database by its strip's LED count, a setting every version reads. */
const mark = (file: string, leds: number) => {
  const db = new Database(file);
  db.query("INSERT INTO settings (id, json, updated_at) VALUES (1, ?, 'now') ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, json = excluded.json").run(JSON.stringify({ strip: { ledCount: leds } }));
  db.close();
};
const markOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  const row = db.query("SELECT json FROM settings").get() as { json: string };
  db.close();
  return JSON.parse(row.json).strip.ledCount;
};

describe.skipIf(root.skip)("ledbox rollback", () => {
  beforeAll(() => root.assert());

  test("without a kept tree there is nothing to go back to", () => {
    const { ledbox } = layout("none");
    const r = ledbox("rollback");
    expect(r.code).toBe(1);
    expect(r.err).toContain("no previous version is kept");
  });

  test("back to the kept tree and the database from before the update's migrations; `ledbox run` starts that version", async () => {
    const { env, ledbox } = layout("full");
    const updates = env.LEDBOX_UPDATES, data = env.LEDBOX_DATA_DIR;
    tree(join(updates, "previous"), "8.0.0");
    const db = join(data, "ledbox.db");
    openDatabase(data).close();
    // A copy from an earlier update, before this one began: not this update's, never restored.
    mark(db, 101); // from an earlier update
    cpSync(db, join(data, "ledbox.db.before-migration-2020-01-01T00-00-00-000Z-v3"));
    utimesSync(join(data, "ledbox.db.before-migration-2020-01-01T00-00-00-000Z-v3"), new Date("2020-01-01"), new Date("2020-01-01"));
    // The update: postinst notes when it began; the new version copies the database before migrating.
    writeFileSync(join(updates, "since"), "now\n");
    utimesSync(join(updates, "since"), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    writeFileSync(join(updates, "pending"), "8.0.0 -> 9.0.0\n");
    mark(db, 102); // as 8.0.0 left it
    cpSync(db, join(data, "ledbox.db.before-migration-2030-01-01T00-00-00-000Z-v6"));
    mark(db, 103); // written by 9.0.0

    expect(ledbox("version").out.trim()).toBe("9.0.0");
    const r = ledbox("rollback", "it did not become healthy");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("rolled back from 9.0.0 to 8.0.0 (it did not become healthy)");
    expect(readFileSync(join(updates, "rolled-back"), "utf8")).toContain("9.0.0 -> 8.0.0");
    expect(existsSync(join(updates, "pending"))).toBe(false);
    expect(markOf(db)).toBe(102);
    const kept = readdirSync(data).filter((n) => n.startsWith("ledbox.db.rolled-back-"));
    expect(kept).toHaveLength(1);
    expect(markOf(join(data, kept[0]))).toBe(103);
    expect(ledbox("version").out.trim()).toBe("8.0.0");
    expect(ledbox("status").out).toContain(`ledbox 8.0.0 (${join(updates, "previous")})`);

    const proc = Bun.spawn(["bash", CLI, "run", "--port", "0", "--host", "127.0.0.1"], { env, stdout: "pipe", stderr: "pipe" });
    const out = collect(proc.stdout);
    const err = collect(proc.stderr);
    try {
      const line = await until(() => /\[ledbox\] \S+ listening on .*/.exec(out.text())?.[0] ?? (proc.exitCode !== null ? `exited: ${err.text()}` : null), "the rolled-back ledbox to listen", 30_000);
      // The previous version, on the database it left.
      expect(line).toStartWith("[ledbox] 8.0.0 listening");
      expect(line).toContain("102 LEDs");
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  });

  test("an update that did not migrate leaves the database as it is", () => {
    const { env, ledbox } = layout("same-schema");
    tree(join(env.LEDBOX_UPDATES, "previous"), "8.0.0");
    writeFileSync(join(env.LEDBOX_UPDATES, "since"), "now\n");
    openDatabase(env.LEDBOX_DATA_DIR).close();
    mark(join(env.LEDBOX_DATA_DIR, "ledbox.db"), 104);
    expect(ledbox("rollback").code).toBe(0);
    expect(markOf(join(env.LEDBOX_DATA_DIR, "ledbox.db"))).toBe(104);
    expect(readdirSync(env.LEDBOX_DATA_DIR).filter((n) => n.includes("rolled-back"))).toEqual([]);
  });
});

describe.skipIf(root.skip)("ledbox update-check", () => {
  beforeAll(() => root.assert());

  /** An update from 8.0.0 to 9.0.0 waiting to be judged. */
  function pending(name: string) {
    const l = layout(name);
    tree(join(l.env.LEDBOX_UPDATES, "previous"), "8.0.0");
    writeFileSync(join(l.env.LEDBOX_UPDATES, "since"), "now\n");
    writeFileSync(join(l.env.LEDBOX_UPDATES, "pending"), "8.0.0 -> 9.0.0\n");
    openDatabase(l.env.LEDBOX_DATA_DIR).close();
    return l;
  }
  const rolledBack = (l: ReturnType<typeof pending>) => existsSync(join(l.env.LEDBOX_UPDATES, "rolled-back"));

  test("active with the new version's status and no restart: healthy, nothing rolled back", () => {
    const l = pending("healthy");
    l.unit("active", "ledbox 9.0.0 listening on http://localhost:80");
    const r = l.ledbox("update-check");
    expect(r.code).toBe(0);
    expect(r.out).toContain("ledbox 9.0.0 is healthy");
    expect(existsSync(join(l.env.LEDBOX_UPDATES, "pending"))).toBe(false);
    expect(rolledBack(l)).toBe(false);
    expect(l.ledbox("version").out.trim()).toBe("9.0.0");
  });

  test("failed (a crash, the start limit): rolled back", () => {
    const l = pending("failed");
    l.unit("failed", "");
    const r = l.ledbox("update-check");
    expect(r.err).toContain("ledbox 9.0.0 did not become ready (failed");
    expect(rolledBack(l)).toBe(true);
    expect(l.ledbox("version").out.trim()).toBe("8.0.0");
  });

  test("still the old version's status when time is up (never got ready): rolled back", () => {
    const l = pending("stale");
    l.unit("active", "ledbox 8.0.0 listening on http://localhost:80");
    l.ledbox("update-check");
    expect(rolledBack(l)).toBe(true);
  });

  test("ready, but restarting meanwhile (crashing in a loop): rolled back", () => {
    const l = pending("looping");
    l.unit("active", "ledbox 9.0.0 listening on http://localhost:80", 1);
    const r = l.ledbox("update-check");
    expect(r.err).toContain("did not stay up");
    expect(rolledBack(l)).toBe(true);
  });

  test("nothing pending: nothing to do", () => {
    const l = layout("idle");
    expect(l.ledbox("update-check")).toMatchObject({ code: 0, out: "", err: "" });
  });
});
