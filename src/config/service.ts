// Settings changes: merge, validate whole, store, then apply to the running engine.
import { SettingsRefused, type Engine } from "../light/engine.ts";
import { mergeSettings, type SettingsRepo } from "../store/settings.ts";
import { describeIssues } from "../events/ingest.ts";
import { SettingsSchema, type Settings } from "./schema.ts";

export type UpdateResult = { ok: true; settings: Settings; restartRequired: string[] } | { ok: false; error: string };

export class SettingsService {
  private current: Settings;
  private listeners: ((s: Settings) => void)[] = [];

  /** `engine` was built from the stored settings: they are read and validated once, not again here. */
  constructor(private readonly repo: SettingsRepo, private readonly engine: Engine) {
    this.current = engine.settings;
  }

  get(): Settings {
    return this.current;
  }

  onChange(fn: (s: Settings) => void): void {
    this.listeners.push(fn);
  }

  /** A partial document, deep-merged; arrays (segments, outputs) are replaced whole. */
  async update(patch: unknown): Promise<UpdateResult> {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return { ok: false, error: "settings must be a JSON object" };
    const parsed = SettingsSchema.safeParse(mergeSettings(this.current, patch));
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
    const next = parsed.data;
    const prev = this.current;
    // Applied first, stored second: a change the engine cannot take is rolled back, not kept.
    // The engine redoes only what its own sections need (nothing for an MQTT or HTTP change).
    try {
      await this.engine.reconfigure(next);
    } catch (err) {
      if (!(err instanceof SettingsRefused)) await this.engine.reconfigure(prev);
      return { ok: false, error: `could not apply: ${err instanceof Error ? err.message : String(err)}` };
    }
    this.repo.save(next);
    const restartRequired = next.http.port !== prev.http.port ? ["http.port"] : [];
    this.current = next;
    for (const fn of this.listeners) fn(next);
    return { ok: true, settings: next, restartRequired };
  }
}
