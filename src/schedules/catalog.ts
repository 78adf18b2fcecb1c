// The configured schedule sources: validated on the way in, parsed on the way out; a calendar's
// URL is kept (it often carries a secret token) but never shown, only where it points.
import type { SchedulesRepo, StoredSource } from "../store/schedules.ts";
import { invalid, notFound } from "../util/errors.ts";
import { isObject } from "../util/json.ts";
import { StoredConfigs } from "../util/stored-configs.ts";
import { validate } from "../util/validation.ts";
import { addressOf, SourceInputSchema, type SourceConfig, type SourceInput, type SourceWithId } from "./config.ts";

/** A source as reads show it: no calendar URL, but where it points. */
export type SourceView = Omit<SourceConfig, "url"> & { id: string; address: string; createdAt: string; updatedAt: string };

export class SourceCatalog {
  private readonly stored: StoredConfigs<StoredSource, SourceConfig, SourceView>;

  constructor(private readonly repo: SchedulesRepo, log: (msg: string) => void = () => {}) {
    this.stored = new StoredConfigs(repo, { parse, view, what: "schedule source", log: (m) => log(`[schedules] ${m}`) });
  }

  /** Every stored source that still validates. */
  list(): SourceView[] {
    return this.stored.list();
  }

  get(id: string): SourceView {
    return this.stored.get(id);
  }

  /** The config the importer needs, URL included; null when gone or no longer valid. */
  config(id: string): SourceWithId | null {
    return this.stored.config(id);
  }

  configs(): SourceWithId[] {
    return this.stored.configs();
  }

  create(body: unknown): SourceView {
    return this.get(this.repo.create(sourceInput(body)));
  }

  /** Replaces a source's config; an ical body without url keeps the stored one. */
  update(id: string, body: unknown): SourceView {
    const stored = this.config(id) ?? notFound(`no schedule source ${id}`);
    this.repo.update(id, sourceInput(body, stored.url));
    return this.get(id);
  }

  remove(id: string): void {
    if (!this.repo.delete(id)) notFound(`no schedule source ${id}`);
  }
}

function parse(r: StoredSource): SourceConfig | null {
  const c = SourceInputSchema.safeParse(r.config);
  return c.success ? c.data : null;
}

function view(r: StoredSource, c: SourceConfig): SourceView {
  const { url, ...config } = c;
  return { ...config, id: r.id, address: addressOf(c), createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/**
 * Validates a source body and returns it as given (stored so, defaults apply when read); a record's
 * own fields (as GET returns them) may come back in a PUT and are dropped.
 */
function sourceInput(body: unknown, storedUrl?: string): SourceInput {
  if (!isObject(body)) invalid("invalid schedule source: expected a JSON object");
  const { id, createdAt, updatedAt, address, ...input } = body as Record<string, unknown>;
  if (input.url === undefined && storedUrl && input.kind === "ical") input.url = storedUrl;
  validate(SourceInputSchema, input, "schedule source");
  return input as SourceInput;
}
