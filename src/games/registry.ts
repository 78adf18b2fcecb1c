// The adapter registry: built-in adapters plus declarative ones loaded from YAML files (built-in
// files next to this module, the owner's in <data>/adapters). The API and the page read it as data.
import { toJsonSchema } from "../util/validation.ts";
import type { Adapter } from "./adapter.ts";
import { cs2 } from "./cs2.ts";
import { dota2 } from "./dota2.ts";
import { lol } from "./lol.ts";
import { rocketLeague } from "./rocketleague.ts";

export const BUILTIN: Adapter[] = [cs2, dota2, lol, rocketLeague];

export class Registry {
  private byType = new Map<string, Adapter>();
  /** Declarative files that failed to load, each naming its file and line. */
  loadErrors: string[] = [];

  constructor(adapters: Adapter[] = BUILTIN) {
    for (const a of adapters) this.add(a);
  }

  add(a: Adapter): void {
    if (this.byType.has(a.type)) throw new Error(`adapter type "${a.type}" is defined twice`);
    this.byType.set(a.type, a);
  }

  get(type: string): Adapter | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** What GET /api/v1/adapters shows: metadata, events, config JSON Schema and setup Markdown. */
  describe() {
    return [...this.byType.values()].map((a) => ({
      type: a.type,
      name: a.name,
      game: a.game,
      auth: a.auth,
      heartbeatMs: a.heartbeatMs,
      emits: a.emits,
      configSchema: toJsonSchema(a.configSchema),
      setup: a.setup,
    }));
  }
}
