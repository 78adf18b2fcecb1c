// One ledbox per data directory and per port, with real processes: a second one refuses to start
// and says why (before touching the database); the lock goes with the process, kill -9 included.
// The data directory and the database are private to their user.
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ledbox } from "../../src/ledbox.ts";
import { call, tempDir } from "../helpers/box.ts";
import { collect, startProcess } from "../helpers/process.ts";

setDefaultTimeout(60_000);

const ROOT = join(import.meta.dir, "../..");

/** Runs `bun src/main.ts` to its end; its exit code and stderr. */
async function runToExit(args: string[]): Promise<{ code: number | string; err: string }> {
  const proc = Bun.spawn([process.execPath, "src/main.ts", "--host", "127.0.0.1", ...args], { cwd: ROOT, stdout: "ignore", stderr: "pipe" });
  const err = collect(proc.stderr);
  const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => "still running")]);
  if (code === "still running") proc.kill("SIGKILL");
  await err.done;
  return { code, err: err.text() };
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe("one ledbox per data directory", () => {
  test("a second process on the same data directory refuses with the first's pid; after kill -9 of the first, a new one starts with the data", async () => {
    const dir = tempDir();
    const first = await startProcess(dir);
    try {
      const cookie = await first.admin();
      expect((await call(first.url, "PUT", "/api/v1/settings", { light: { brightness: 0.33 } }, { cookie })).status).toBe(200);

      const second = await runToExit(["--port", "0", "--data", dir]);
      expect(second.code).toBe(1);
      expect(second.err.trim()).toBe(`[ledbox] cannot start: another ledbox (pid ${first.proc.pid}) is using the data directory ${dir}: stop it first, or give this one its own --data`);
      // It did not touch the database: the first runs on, nothing was set aside.
      expect((await call(first.url, "GET", "/api/v1/health")).status).toBe(200);
      expect(readdirSync(dir).filter((f) => f.includes("damaged"))).toEqual([]);

      first.proc.kill("SIGKILL");
      await first.proc.exited;
      const third = await startProcess(dir);
      try {
        expect((await call(third.url, "GET", "/api/v1/settings")).body.light.brightness).toBe(0.33);
        expect(third.out()).not.toMatch(/setup code/);
      } finally {
        expect(await third.stop()).toBe(0);
      }
    } finally {
      if (first.proc.exitCode === null) first.proc.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("in one process too: a second Ledbox on the directory throws the reason; after stop() the directory is free", async () => {
    const dir = tempDir();
    try {
      const a = new Ledbox({ dataDir: dir, port: 0, host: "127.0.0.1" }, () => {});
      expect(() => new Ledbox({ dataDir: dir, port: 0, host: "127.0.0.1" }, () => {})).toThrow(`another ledbox (pid ${process.pid}) is using the data directory ${dir}`);
      await a.start();
      await a.stop();
      const b = new Ledbox({ dataDir: dir, port: 0, host: "127.0.0.1" }, () => {});
      await b.start();
      await b.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("one ledbox per port", () => {
  test("a second process on the same port, with its own data, refuses and says the port is in use", async () => {
    const [dirA, dirB] = [tempDir(), tempDir()];
    const first = await startProcess(dirA);
    try {
      const port = new URL(first.url).port;
      const second = await runToExit(["--port", port, "--data", dirB]);
      expect(second.code).toBe(1);
      expect(second.err.trim()).toBe(`[ledbox] cannot start: port ${port} on 127.0.0.1 is in use: another ledbox or another program listens there (--port picks another)`);
      // Every request still reaches the first (the port is not shared between the two).
      for (let i = 0; i < 20; i++) expect((await call(first.url, "GET", "/api/v1/health")).body.storage.dataDir).toBe(dirA);
    } finally {
      await first.stop();
      rmSync(dirA, { recursive: true, force: true });
      rmSync(dirB, { recursive: true, force: true });
    }
  });
});

describe("private data", () => {
  test("the data directory is created 0700 and the database, its WAL and the lock are 0600", async () => {
    const parent = tempDir();
    const dir = join(parent, "data");
    try {
      const box = await startProcess(dir);
      try {
        await box.admin(); // something written, so the WAL exists
        expect(mode(dir)).toBe("700");
        for (const f of ["ledbox.db", "ledbox.db-wal", "ledbox.lock"]) expect({ f, mode: mode(join(dir, f)) }).toEqual({ f, mode: "600" });
      } finally {
        await box.stop();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("an existing data directory open to others (an older version made it 0755) is made private, and the log says so", async () => {
    const dir = tempDir();
    try {
      chmodSync(dir, 0o755);
      const box = await startProcess(dir);
      try {
        expect(mode(dir)).toBe("700");
        expect(box.out()).toContain(`[store] the data directory ${dir} was open to other users (mode 755): now 700, as it holds passwords and tokens`);
        expect(existsSync(join(dir, "ledbox.db"))).toBe(true);
      } finally {
        await box.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
