// MappingsRepo, SceneRepo and AuthRepo on a real (in-memory) SQLite database.
import { describe, expect, test } from "bun:test";
import { BaseSpecSchema } from "../../src/light/specs.ts";
import { AuthRepo } from "../../src/store/auth.ts";
import { sha256 } from "../../src/util/secrets.ts";
import { openDatabase } from "../../src/store/db.ts";
import { MappingsRepo } from "../../src/store/mappings.ts";
import { SceneRepo } from "../../src/store/scene.ts";

const kill = { name: "Kill", event: "kill" as const, action: { kind: "effect" as const, effect: "flash" as const, colors: ["#ff8800"] } };

describe("MappingsRepo", () => {
  test("create, read, update, delete; records keep the mapping as written", () => {
    const repo = new MappingsRepo(openDatabase(":memory:"));
    const rec = repo.create(kill);
    expect(rec).toMatchObject({ ...kill, preset: null });
    expect(repo.record(rec.id)).toEqual(rec);
    const up = repo.update(rec.id, { ...kill, name: "Frag" })!;
    expect(up.name).toBe("Frag");
    expect(up.createdAt).toBe(rec.createdAt);
    expect(repo.update("nope", kill)).toBeNull();
    expect(repo.delete(rec.id)).toBe(true);
    expect(repo.delete(rec.id)).toBe(false);
    expect(repo.records()).toEqual([]);
  });

  test("replacePresetMappings replaces every preset-made mapping and keeps the user's own", () => {
    const repo = new MappingsRepo(openDatabase(":memory:"));
    repo.replacePresetMappings("a", [kill, { ...kill, name: "A2" }]);
    const mine = repo.create({ ...kill, name: "Mine" });
    repo.replacePresetMappings("b", [{ ...kill, name: "B1" }]);
    expect(repo.records().map((r) => [r.name, r.preset])).toEqual([["Mine", null], ["B1", "b"]]);
    expect(repo.record(mine.id)).not.toBeNull();
  });

  test("a row whose JSON is damaged is left out and reported; the others load", () => {
    const db = openDatabase(":memory:");
    const damaged: string[] = [];
    const repo = new MappingsRepo(db, (id, why) => damaged.push(`${id}: ${why}`));
    const good = repo.create(kill);
    const torn = repo.create({ ...kill, name: "Torn" });
    db.query("UPDATE mappings SET json = ? WHERE id = ?").run('{"name":"Torn","ev', torn.id);
    expect(repo.records().map((m) => m.id)).toEqual([good.id]);
    expect(repo.record(torn.id)).toBeNull();
    expect(damaged).toEqual([`${torn.id}: its stored JSON is damaged`, `${torn.id}: its stored JSON is damaged`]);
  });
});

describe("SceneRepo", () => {
  test("bases round-trip per segment, colours stored as hex", () => {
    const db = openDatabase(":memory:");
    const repo = new SceneRepo(db);
    expect(repo.bases().size).toBe(0);
    const red = BaseSpecSchema.parse({ colors: ["#ff0000"], level: 0.5 });
    const rainbow = BaseSpecSchema.parse({ effect: "rainbow", hz: 0.2 });
    repo.saveBases(new Map([["left", red], ["right", rainbow]]));
    repo.saveBases(new Map([["left", { ...red, level: 0.7 }]]));
    const back = repo.bases();
    expect(back.get("left")).toEqual({ ...red, level: 0.7 });
    expect(back.get("right")).toEqual(rainbow);
    expect((db.query("SELECT json FROM scene_base WHERE segment = 'left'").get() as { json: string }).json).toContain('"#ff0000"');
  });
});

describe("AuthRepo", () => {
  test("stores a password hash, never the password", async () => {
    const db = openDatabase(":memory:");
    const repo = new AuthRepo(db);
    expect(repo.hasAdmin()).toBe(false);
    expect(await repo.checkPassword("anything")).toBe(false);
    await repo.setPassword("correct horse battery");
    expect(repo.hasAdmin()).toBe(true);
    expect(await repo.checkPassword("correct horse battery")).toBe(true);
    expect(await repo.checkPassword("wrong horse battery")).toBe(false);
    const row = db.query("SELECT password_hash FROM admin").get() as { password_hash: string };
    expect(row.password_hash).not.toContain("correct horse");
    expect(row.password_hash).toMatch(/^\$argon2/);
  });

  test("sessions and API tokens are stored as hashes; expired sessions and deleted tokens stop working", () => {
    const db = openDatabase(":memory:");
    const repo = new AuthRepo(db);
    const s = repo.createSession();
    expect(repo.validSession(s.token)).toBe(true);
    expect(repo.validSession(s.token + "x")).toBe(false);
    expect(JSON.stringify(db.query("SELECT * FROM sessions").all())).not.toContain(s.token);
    expect(db.query("SELECT 1 FROM sessions WHERE token_hash = ?").get(sha256(s.token))).not.toBeNull();
    db.query("UPDATE sessions SET expires_at = ?").run(Date.now() - 1);
    expect(repo.validSession(s.token)).toBe(false);

    const t = repo.createApiToken("ha");
    expect(repo.validApiToken(t.token)).toBe(true);
    expect(JSON.stringify(db.query("SELECT * FROM api_tokens").all())).not.toContain(t.token);
    expect(repo.listApiTokens()).toEqual([{ id: t.id, name: "ha", createdAt: t.createdAt }]);
    expect(repo.deleteApiToken(t.id)).toBe(true);
    expect(repo.validApiToken(t.token)).toBe(false);
  });
});
