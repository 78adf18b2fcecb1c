// Which preset a segment shows (Home Assistant reports it as the light's effect), on a real
// database and a real engine.
import { expect, test } from "bun:test";
import { SettingsSchema } from "../../src/config/schema.ts";
import type { MappingInput } from "../../src/director/mapping.ts";
import { MappingsService } from "../../src/director/mappings.ts";
import { presetById } from "../../src/director/presets.ts";
import { SceneControl } from "../../src/director/scene-control.ts";
import { Engine } from "../../src/light/engine.ts";
import { openDatabase } from "../../src/store/db.ts";
import { MappingsRepo } from "../../src/store/mappings.ts";
import { SceneRepo } from "../../src/store/scene.ts";

const settings = SettingsSchema.parse({ segments: [{ name: "desk", start: 0, length: 75 }, { name: "shelf", start: 75, length: 75 }] });

function setup(db = openDatabase(":memory:")) {
  const mappings = new MappingsService(new MappingsRepo<MappingInput>(db), { load: () => {} }, () => {});
  mappings.load();
  const scenes = new SceneRepo(db);
  return { db, control: new SceneControl(new Engine(settings, undefined, scenes.bases()), scenes, mappings) };
}

test("a preset is shown on every segment until that segment's effect is changed; colours and levels keep it", () => {
  const { control } = setup();
  expect(control.presetOn("desk")).toBeNull();
  control.applyPreset(presetById.get("racing")!, false);
  expect([control.presetOn("desk")?.id, control.presetOn("shelf")?.id]).toEqual(["racing", "racing"]);
  control.setBase({ segment: "desk", transitionMs: 0, level: 1, colors: [[1, 1, 1]] });
  expect(control.presetOn("desk")?.id).toBe("racing");
  // Any effect chosen, even the preset's own, is that effect from then on.
  control.setBase({ segment: "desk", transitionMs: 0, effect: "solid" });
  expect([control.presetOn("desk"), control.presetOn("shelf")?.id]).toEqual([null, "racing"]);
  control.applyPreset(presetById.get("generic-alert")!, false);
  expect(control.presetOn("desk")?.id).toBe("generic-alert");
  expect(control.presetOn("attic")).toBeNull();
});

test("after a restart a segment shows the active preset while its base is the preset's", () => {
  const first = setup();
  first.control.applyPreset(presetById.get("moba-health")!, false);
  first.control.setBase({ segment: "shelf", transitionMs: 0, level: 1 });
  const { control } = setup(first.db);
  expect(control.activePreset()?.id).toBe("moba-health");
  expect([control.presetOn("desk")?.id, control.presetOn("shelf")]).toEqual(["moba-health", null]);
});
