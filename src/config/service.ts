// Settings changes: merge, validate whole, apply to the running device, then store — and when
// storing fails, put the device back as it was: what runs is always what is stored.
import { isObject, reservedKeyPath } from "../util/json.ts";
import { describeIssues } from "../util/validation.ts";
import { SettingsSchema, type Settings } from "./schema.ts";

export type UpdateResult = { ok: true; settings: Settings; restartRequired: string[] } | { ok: false; error: string };

/** Thrown by an applier that refused settings before changing anything: nothing needs rolling back. */
export class SettingsRefused extends Error {}

/** What the service needs: somewhere to keep the document, and the running part that follows it. */
export interface SettingsPorts {
  save(s: Settings): void;
  /** Makes the running device follow `next` (it was following `prev`). */
  apply(next: Settings, prev: Settings): Promise<void>;
}

export class SettingsService {
  private current: Settings;
  private listeners: ((s: Settings) => void)[] = [];

  /** `initial` is what the running device was built from: read and validated once, not again here. */
  constructor(initial: Settings, private readonly ports: SettingsPorts) {
    this.current = initial;
  }

  get(): Settings {
    return this.current;
  }

  onChange(fn: (s: Settings) => void): void {
    this.listeners.push(fn);
  }

  /** A partial document, deep-merged; arrays (segments, outputs) are replaced whole. */
  async update(patch: unknown): Promise<UpdateResult> {
    if (!isObject(patch)) return { ok: false, error: "settings must be a JSON object" };
    const reserved = reservedKeyPath(patch);
    if (reserved !== null) return { ok: false, error: `${reserved}: this key is not allowed` };
    const parsed = SettingsSchema.safeParse(mergeSettings(this.current, patch));
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
    const next = parsed.data;
    const prev = this.current;
    // Applied first, stored second: a change the device cannot take is rolled back, not kept.
    try {
      await this.ports.apply(next, prev);
    } catch (err) {
      if (!(err instanceof SettingsRefused)) await this.ports.apply(prev, next);
      return { ok: false, error: `could not apply: ${err instanceof Error ? err.message : String(err)}` };
    }
    try {
      this.ports.save(next);
    } catch (err) {
      // Not stored, so not applied either (a full disk): the device goes on as stored.
      await this.ports.apply(prev, next);
      throw err;
    }
    const restartRequired = next.http.port !== prev.http.port ? ["http.port"] : [];
    this.current = next;
    for (const fn of this.listeners) fn(next);
    return { ok: true, settings: next, restartRequired };
  }
}

/** Deep-merge a partial update into current settings (arrays are replaced, not merged). */
export function mergeSettings(current: unknown, patch: unknown): unknown {
  if (!isObject(current) || !isObject(patch)) return patch;
  const out: Record<string, unknown> = { ...current };
  // Own keys only: update() has refused the reserved ones ("constructor" is `in` every object).
  for (const [k, v] of Object.entries(patch)) out[k] = Object.hasOwn(out, k) ? mergeSettings(out[k], v) : v;
  return out;
}
