import { describe, expect, test } from "bun:test";
import { ServerCatalog } from "../../src/servers/catalog.ts";
import { openDatabase } from "../../src/store/db.ts";
import { ServersRepo } from "../../src/store/servers.ts";

describe("server catalog", () => {
  test("the RCON password is kept apart: never in a record, kept by an update without one, given to the poller", () => {
    const db = openDatabase(":memory:");
    const catalog = new ServerCatalog(new ServersRepo(db));
    const r = catalog.create({ name: "tf", kind: "source-rcon", host: "10.0.0.2", rconPassword: "pw1" });
    expect(r).toMatchObject({ name: "tf", hasRconPassword: true, intervalMs: 5000, timeoutMs: 2000, enabled: true });
    expect(JSON.stringify(r)).not.toContain("pw1");
    expect(JSON.stringify(db.query("SELECT json FROM servers").all())).not.toContain("pw1");
    catalog.update(r.id, { name: "tf2", kind: "source-rcon", host: "10.0.0.2" });
    expect(catalog.config(r.id)).toMatchObject({ name: "tf2", rconPassword: "pw1" });
    catalog.update(r.id, { name: "tf2", kind: "source-rcon", host: "10.0.0.2", rconPassword: "pw2" });
    expect(catalog.config(r.id)?.rconPassword).toBe("pw2");
  });

  test("a stored row that no longer validates, or whose JSON is damaged, is left out and reported once; the others load", () => {
    const db = openDatabase(":memory:");
    const logs: string[] = [];
    const catalog = new ServerCatalog(new ServersRepo(db), (m) => logs.push(m));
    const good = catalog.create({ name: "mc", kind: "minecraft", host: "10.0.0.3" });
    db.query("INSERT INTO servers (id, json, rcon_password, created_at, updated_at) VALUES ('bad', '{\"name\":\"x\",\"kind\":\"quake\"}', NULL, 'a', 'a')").run();
    db.query("INSERT INTO servers (id, json, rcon_password, created_at, updated_at) VALUES ('torn', '{\"name\":\"x\",\"ki', NULL, 'b', 'b')").run();
    expect(catalog.configs().map((c) => c.id)).toEqual([good.id]);
    expect(catalog.list().map((c) => c.id)).toEqual([good.id]);
    expect(logs).toEqual(["[servers] stored server bad left out: its config no longer validates", "[servers] stored server torn left out: its config no longer validates"]);
    catalog.list();
    expect(logs.length).toBe(2); // each said once, however often the rows are read
    expect(() => catalog.get("bad")).toThrow("no server bad");
  });

  test("a body that is not a server is refused naming the field, and nothing is stored", () => {
    const catalog = new ServerCatalog(new ServersRepo(openDatabase(":memory:")));
    expect(() => catalog.create({ name: "x", kind: "source" })).toThrow("invalid server: host: required for a source server");
    expect(() => catalog.create([1])).toThrow("invalid server: expected a JSON object");
    expect(catalog.list()).toEqual([]);
  });
});
