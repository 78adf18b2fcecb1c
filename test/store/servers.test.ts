import { describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/store/db.ts";
import { ServersRepo } from "../../src/store/servers.ts";

describe("ServersRepo", () => {
  test("the RCON password is kept apart: never in a record, kept by an update without one, given to the poller", () => {
    const repo = new ServersRepo(openDatabase(":memory:"));
    const r = repo.create({ name: "tf", kind: "source-rcon", host: "10.0.0.2", rconPassword: "pw1" });
    expect(r).toMatchObject({ name: "tf", hasRconPassword: true, intervalMs: 5000, timeoutMs: 2000, enabled: true });
    expect(JSON.stringify(r)).not.toContain("pw1");
    repo.update(r.id, { name: "tf2", kind: "source-rcon", host: "10.0.0.2" });
    expect(repo.config(r.id)).toMatchObject({ name: "tf2", rconPassword: "pw1" });
    repo.update(r.id, { name: "tf2", kind: "source-rcon", host: "10.0.0.2", rconPassword: "pw2" });
    expect(repo.storedPassword(r.id)).toBe("pw2");
  });

  test("a stored row that no longer validates is left out of the configs to poll", () => {
    const db = openDatabase(":memory:");
    const repo = new ServersRepo(db);
    const good = repo.create({ name: "mc", kind: "minecraft", host: "10.0.0.3" });
    db.query("INSERT INTO servers (id, json, rcon_password, created_at, updated_at) VALUES ('bad', '{\"name\":\"x\",\"kind\":\"quake\"}', NULL, 'a', 'a')").run();
    expect(repo.configs().map((c) => c.id)).toEqual([good.id]);
  });
});
