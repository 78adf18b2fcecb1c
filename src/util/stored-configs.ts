// Configs kept as JSON rows (game servers, schedule sources), read back through their schema: a
// row a newer version no longer accepts is left out and logged once (reads come often), never
// fatal, so one bad row never hides or stops the others.
import { notFound } from "./errors.ts";

export interface StoredConfigsOptions<R, C, V> {
  /** The row's config if it still validates, else null. */
  parse(row: R): C | null;
  /** What reads show of a row. */
  view(row: R, config: C): V;
  /** "server", "schedule source": for the not-found message and the log. */
  what: string;
  log(msg: string): void;
}

export class StoredConfigs<R extends { id: string }, C, V> {
  private reported = new Set<string>();

  constructor(private readonly rows: { rows(): R[]; row(id: string): R | null }, private readonly opts: StoredConfigsOptions<R, C, V>) {}

  list(): V[] {
    return this.rows.rows().flatMap((r) => {
      const c = this.parse(r);
      return c ? [this.opts.view(r, c)] : [];
    });
  }

  get(id: string): V {
    const r = this.rows.row(id);
    const c = r && this.parse(r);
    return r && c ? this.opts.view(r, c) : notFound(`no ${this.opts.what} ${id}`);
  }

  /** The whole config (secrets included) for the unit that uses it; null when gone or no longer valid. */
  config(id: string): (C & { id: string }) | null {
    const r = this.rows.row(id);
    const c = r && this.parse(r);
    return c ? { ...c, id } : null;
  }

  configs(): (C & { id: string })[] {
    return this.rows.rows().flatMap((r) => {
      const c = this.parse(r);
      return c ? [{ ...c, id: r.id }] : [];
    });
  }

  private parse(r: R): C | null {
    const c = this.opts.parse(r);
    if (c === null && !this.reported.has(r.id)) {
      this.opts.log(`stored ${this.opts.what} ${r.id} left out: its config no longer validates`);
      this.reported.add(r.id);
    }
    return c;
  }
}
