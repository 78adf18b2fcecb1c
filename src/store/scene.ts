// The base (ambient) layer of each segment survives restarts.
import type { Database } from "bun:sqlite";
import { BaseSpecSchema, type BaseSpec } from "../light/specs.ts";
import { toHex } from "../light/color.ts";

export class SceneRepo {
  constructor(private readonly db: Database) {}

  bases(): Map<string, BaseSpec> {
    const rows = this.db.query("SELECT segment, json FROM scene_base").all() as { segment: string; json: string }[];
    return new Map(rows.map((r) => [r.segment, BaseSpecSchema.parse(JSON.parse(r.json))]));
  }

  saveBases(bases: ReadonlyMap<string, BaseSpec>): void {
    const put = this.db.query("INSERT INTO scene_base (segment, json) VALUES (?, ?) ON CONFLICT(segment) DO UPDATE SET json = excluded.json");
    this.db.transaction(() => {
      for (const [segment, b] of bases) put.run(segment, JSON.stringify({ ...b, colors: b.colors.map(toHex) }));
    })();
  }
}
