// The base (ambient) layer of each segment survives restarts.
import type { Database } from "bun:sqlite";
import { BaseSpecSchema, type BaseSpec } from "../light/specs.ts";
import { toHex } from "../light/color.ts";
import { parseObject } from "../util/json.ts";

export class SceneRepo {
  /** `damaged` hears of a segment's base that cannot be read: that segment starts with the default. */
  constructor(private readonly db: Database, private readonly damaged: (segment: string, why: string) => void = () => {}) {}

  bases(): Map<string, BaseSpec> {
    const rows = this.db.query("SELECT segment, json FROM scene_base").all() as { segment: string; json: string }[];
    return new Map(rows.flatMap((r) => {
      const parsed = BaseSpecSchema.safeParse(parseObject(r.json));
      if (parsed.success) return [[r.segment, parsed.data] as const];
      this.damaged(r.segment, "its stored base layer is damaged");
      return [];
    }));
  }

  saveBases(bases: ReadonlyMap<string, BaseSpec>): void {
    const put = this.db.query("INSERT INTO scene_base (segment, json) VALUES (?, ?) ON CONFLICT(segment) DO UPDATE SET json = excluded.json");
    this.db.transaction(() => {
      for (const [segment, b] of bases) put.run(segment, JSON.stringify({ ...b, colors: b.colors.map(toHex) }));
    })();
  }
}
