// SettingsRepo and mergeSettings: one validated document, deep-merged partial updates.
import { describe, expect, test } from "bun:test";
import { defaultSettings, SettingsSchema } from "../../src/config/schema.ts";
import { openDatabase } from "../../src/store/db.ts";
import { mergeSettings } from "../../src/config/service.ts";
import { SettingsRepo } from "../../src/store/settings.ts";

describe("SettingsRepo", () => {
  test("defaults until first saved; then the saved document", () => {
    const db = openDatabase(":memory:");
    const repo = new SettingsRepo(db);
    expect(repo.isFirstRun()).toBe(true);
    expect(repo.load()).toEqual(defaultSettings());
    const s = SettingsSchema.parse({ strip: { ledCount: 300 }, render: { fps: 120 } });
    repo.save(s);
    expect(repo.isFirstRun()).toBe(false);
    expect(repo.load()).toEqual(s);
    repo.save(SettingsSchema.parse({ light: { brightness: 0.1 } }));
    expect(repo.load().light.brightness).toBe(0.1);
    expect(repo.load().strip.ledCount).toBe(150);
    expect((db.query("SELECT COUNT(*) AS n FROM settings").get() as { n: number }).n).toBe(1);
  });

  test("an older stored document gets the defaults of settings added since", () => {
    const db = openDatabase(":memory:");
    db.query("INSERT INTO settings (id, json, updated_at) VALUES (1, ?, 'then')").run(JSON.stringify({ strip: { ledCount: 60 } }));
    const s = new SettingsRepo(db).load();
    expect(s.strip.ledCount).toBe(60);
    expect(s.safety.flashGuard).toBe(true);
    expect(s.render.fps).toBe(60);
  });
});

describe("mergeSettings", () => {
  test("merges objects deeply, replaces arrays and scalars, leaves the current document alone", () => {
    const current = { a: { b: 1, c: { d: 2, e: 3 } }, list: [1, 2, 3], x: "y" };
    const copy = structuredClone(current);
    const out = mergeSettings(current, { a: { c: { e: 30 } }, list: [9], z: true });
    expect(out).toEqual({ a: { b: 1, c: { d: 2, e: 30 } }, list: [9], x: "y", z: true });
    expect(current).toEqual(copy);
  });

  test("a non-object patch replaces; null replaces an object (and validation then refuses it)", () => {
    expect(mergeSettings({ a: 1 }, 5)).toBe(5);
    const out = mergeSettings(defaultSettings(), { light: null });
    expect(SettingsSchema.safeParse(out).success).toBe(false);
  });
});
