// The mappings service: stored mappings (the user's and a preset's), validated on the way in and
// kept in force in the director on every change.
import type { MappingsRepo, StoredMapping } from "../store/mappings.ts";
import { DomainError, notFound } from "../util/errors.ts";
import { describeIssues, validate } from "../util/validation.ts";
import { MappingInputSchema, type Mapping, type MappingInput } from "./mapping.ts";

export type MappingRecord = StoredMapping<MappingInput>;

/** The director as this service sees it: it takes the mappings in force. */
export interface MappingsTarget {
  load(mappings: Mapping[]): void;
}

export class MappingsService {
  private listeners: (() => void)[] = [];

  constructor(private readonly repo: MappingsRepo<MappingInput>, private readonly target: MappingsTarget, private readonly log: (msg: string) => void) {}

  /** Puts the stored mappings in force (at start-up); a stale one is left out and logged. */
  load(): void {
    this.target.load(this.inForce());
  }

  records(): MappingRecord[] {
    return this.repo.records();
  }

  record(id: string): MappingRecord {
    return this.repo.record(id) ?? notFound(`no mapping ${id}`);
  }

  create(body: unknown): MappingRecord {
    const rec = this.repo.create(mappingInput(body));
    this.changed();
    return rec;
  }

  /** Replaces a mapping (a PUT of what GET returned works: its own fields are dropped). */
  update(id: string, body: unknown): MappingRecord {
    const rec = this.repo.update(id, mappingInput(body)) ?? notFound(`no mapping ${id}`);
    this.changed();
    return rec;
  }

  delete(id: string): void {
    if (!this.repo.delete(id)) notFound(`no mapping ${id}`);
    this.changed();
  }

  /** A preset's mappings replace the previous preset's; the user's own stay. */
  replacePresetMappings(preset: string, inputs: MappingInput[]): number {
    const n = this.repo.replacePresetMappings(preset, inputs).length;
    this.changed();
    return n;
  }

  /** The preset whose mappings are in force, if any. */
  activePreset(): string | null {
    return this.repo.records().find((r) => r.preset)?.preset ?? null;
  }

  /** Called after any change of the mappings. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    this.load();
    for (const fn of this.listeners) fn();
  }

  /** Parsed with today's schema: a stored mapping a newer version no longer accepts is left out, not fatal. */
  private inForce(): Mapping[] {
    return this.repo.records().flatMap(({ id, preset, createdAt, updatedAt, ...input }) => {
      const r = MappingInputSchema.safeParse(input);
      if (r.success) return [{ ...r.data, id, preset }];
      this.log(`[director] mapping ${id} left out: ${describeIssues(r.error)}`);
      return [];
    });
  }
}

/**
 * Validates a mapping body and returns what to store. The schema lets unknown top-level fields
 * through, and a typo ("cooldown" for "cooldownMs") would be kept and ignored: name it instead.
 * A record's own fields (as GET returns them) may come back in a PUT and are dropped.
 */
function mappingInput(body: unknown): MappingInput {
  validate(MappingInputSchema, body, "mapping");
  const { id, preset, createdAt, updatedAt, ...input } = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !Object.hasOwn(MappingInputSchema.shape, k));
  if (unknown.length) throw new DomainError("invalid", `invalid mapping: ${unknown.map((k) => `${k}: unknown field`).join("; ")}`);
  return input as MappingInput;
}
