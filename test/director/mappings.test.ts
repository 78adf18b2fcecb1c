// The mappings service and scene control on a real database and a real engine.
import { describe, expect, test } from "bun:test";
import { defaultSettings } from "../../src/config/schema.ts";
import type { Mapping, MappingInput } from "../../src/director/mapping.ts";
import { MappingsService } from "../../src/director/mappings.ts";
import { presetById } from "../../src/director/presets.ts";
import { SceneControl } from "../../src/director/scene-control.ts";
import { Engine } from "../../src/light/engine.ts";
import { openDatabase } from "../../src/store/db.ts";
import { MappingsRepo } from "../../src/store/mappings.ts";
import { SceneRepo } from "../../src/store/scene.ts";

const kill: MappingInput = { name: "Kill", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#ff8800"] } };

function setup() {
  const db = openDatabase(":memory:");
  const inForce: Mapping[][] = [];
  const logs: string[] = [];
  const svc = new MappingsService(new MappingsRepo<MappingInput>(db), { load: (m) => inForce.push(m) }, (m) => logs.push(m));
  return { db, svc, inForce, logs };
}

describe("mappings service", () => {
  test("every change puts the parsed mappings in force, colours parsed, the record kept as written", () => {
    const { svc, inForce } = setup();
    const rec = svc.create(kill);
    expect(rec).toMatchObject({ ...kill, preset: null });
    expect(inForce.at(-1)![0].action).toMatchObject({ effect: "flash", colors: [[1, 0x88 / 255, 0]], priority: 50 });
    svc.update(rec.id, { ...rec, name: "Frag" });
    expect(inForce.at(-1)!.map((m) => m.name)).toEqual(["Frag"]);
    svc.delete(rec.id);
    expect(inForce.at(-1)).toEqual([]);
    expect(() => svc.delete(rec.id)).toThrow(`no mapping ${rec.id}`);
  });

  test("an unknown field is named and nothing is stored", () => {
    const { svc, inForce } = setup();
    expect(() => svc.create({ ...kill, cooldown: 500 })).toThrow("invalid mapping: cooldown: unknown field");
    expect(svc.records()).toEqual([]);
    expect(inForce).toEqual([]);
  });

  test("a stored mapping that no longer validates is left out and logged; the others stay in force", () => {
    const { db, svc, inForce, logs } = setup();
    const good = svc.create(kill);
    const stale = svc.create({ ...kill, name: "Stale" });
    db.query("UPDATE mappings SET json = ? WHERE id = ?").run(JSON.stringify({ ...kill, name: "Stale", event: "gone_type" }), stale.id);
    svc.load();
    expect(inForce.at(-1)!.map((m) => m.id)).toEqual([good.id]);
    expect(logs).toEqual([expect.stringMatching(new RegExp(`^\\[director\\] mapping ${stale.id} left out: event: `))]);
  });
});

describe("scene control", () => {
  test("a preset replaces the previous preset's mappings, keeps the user's, sets and stores its base, and says so once per change", () => {
    const { db, svc } = setup();
    const engine = new Engine(defaultSettings());
    const scenes = new SceneRepo(db);
    const control = new SceneControl(engine, scenes, svc);
    let changes = 0;
    control.onChange(() => changes++);
    svc.create({ ...kill, name: "Mine" });
    expect(changes).toBe(1);
    const racing = presetById.get("racing")!;
    expect(control.applyPreset(racing, false)).toBe(racing.mappings.length);
    expect(control.activePreset()?.id).toBe("racing");
    expect(svc.records().filter((r) => r.preset === null).map((r) => r.name)).toEqual(["Mine"]);
    // Racing's base is black: stored, and in force on the engine at once (no transition).
    expect(scenes.bases().get("main")).toMatchObject({ colors: [[0, 0, 0]], level: 0 });
    expect(control.bases().get("main")).toMatchObject({ colors: [[0, 0, 0]], level: 0 });
    expect(changes).toBe(3); // the mappings, then the base
    expect(() => control.preset("nope")).toThrow('no preset "nope" (have: fps-combat, moba-health, racing, generic-alert, game-servers, match-day)');
  });

  test("a base change to a segment that does not exist changes and stores nothing", () => {
    const { db, svc } = setup();
    const scenes = new SceneRepo(db);
    const control = new SceneControl(new Engine(defaultSettings()), scenes, svc);
    let changes = 0;
    control.onChange(() => changes++);
    expect(control.setBase({ segment: "desk", transitionMs: 0, level: 1 })).toEqual([]);
    expect(scenes.bases().size).toBe(0);
    expect(changes).toBe(0);
  });
});
