// The integrations service: stored integrations (each validated by its adapter's schema), one
// runtime per integration (its adapter state kept across restarts), and the connectors of adapters
// that fetch their own data.
import { z } from "zod";
import type { IntegrationFields, IntegrationRecord, IntegrationsRepo } from "../store/integrations.ts";
import { conflict, DomainError, errorText, notFound } from "../util/errors.ts";
import { describeIssues, validate } from "../util/validation.ts";
import { PayloadReceiver, type PayloadPorts } from "./payloads.ts";
import type { Registry } from "./registry.ts";
import { IntegrationRuntime } from "./runtime.ts";
import { StateSaver, type SavedState, type StateStore } from "./state-saver.ts";

const FIELDS = {
  name: z.string().trim().min(1).max(64),
  type: z.string().min(1).max(64),
  enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  preset: z.string().nullable().describe("A preset applied when the integration is saved (e.g. moba-health for Dota 2)"),
  record: z.boolean().describe("Record raw payloads to <data>/recordings as JSONL for the replay tool"),
};
export const IntegrationInputSchema = z.strictObject({
  ...FIELDS,
  enabled: FIELDS.enabled.default(true),
  config: FIELDS.config.default({}),
  preset: FIELDS.preset.default(null),
  record: FIELDS.record.default(false),
});
/** PUT: any subset of the fields (no defaults: what is left out stays); `rotateToken` makes a new secret. */
export const IntegrationPatchSchema = z.strictObject(FIELDS).partial().extend({ rotateToken: z.boolean().optional() });

export interface IntegrationsPorts {
  submit: PayloadPorts["submit"];
  /** Trigger ids a previous run published: the event dedupe drops their resends. */
  known(ids: readonly string[]): void;
  /** Where each integration's adapter state is kept between runs. */
  states: StateStore;
  /** Presets an integration may name, and applying one (when it is saved with it). */
  presets: { has(id: string): boolean; ids(): string[]; apply(id: string): void };
  log(msg: string): void;
  /** Where opt-in payload recordings go. */
  recordDir: string;
}

export class IntegrationsService {
  private runtimes = new Map<string, IntegrationRuntime>();
  private listeners: (() => void)[] = [];
  readonly payloads: PayloadReceiver;
  readonly saver: StateSaver;

  constructor(private readonly repo: IntegrationsRepo, readonly registry: Registry, private readonly ports: IntegrationsPorts) {
    this.saver = new StateSaver(ports.states, ports.log);
    this.payloads = new PayloadReceiver({
      runtime: (id) => this.runtime(id), token: (id) => repo.token(id), submit: ports.submit,
      changed: (rt, fired) => this.saver.changed(rt, fired),
    });
  }

  /** Starts every stored integration from its saved state. */
  start(): void {
    for (const rec of this.repo.list()) {
      const saved = this.saver.restore(rec.id, rec.type);
      if (saved) this.ports.known(saved.ids);
      this.activate(rec, saved);
    }
  }

  /** Stops the connectors, then writes every state still due. */
  async stop(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((rt) => rt.connector?.stop()));
    this.runtimes.clear();
    this.saver.flush();
  }

  /** Called after an integration is created, changed or deleted. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  list(): IntegrationRecord[] {
    return this.repo.list();
  }

  get(id: string): IntegrationRecord {
    return this.repo.get(id) ?? notFound(`no integration ${id}`);
  }

  create(body: unknown): IntegrationRecord {
    const input = validate(IntegrationInputSchema, body, "integration");
    const fields = this.check(input);
    const rec = this.repo.create(fields);
    if (fields.preset) this.ports.presets.apply(fields.preset);
    this.activate(rec);
    this.changed();
    return rec;
  }

  async update(id: string, body: unknown): Promise<IntegrationRecord> {
    const old = this.get(id);
    const { rotateToken, ...patch } = validate(IntegrationPatchSchema, body, "integration");
    const fields = this.check({ ...old, ...patch, config: patch.config ?? (patch.type && patch.type !== old.type ? {} : old.config) }, id);
    const rec = this.repo.update(id, fields, rotateToken)!;
    if (patch.preset && fields.preset) this.ports.presets.apply(fields.preset);
    // The same adapter goes on from its state; another one starts afresh.
    const kept = rec.type === old.type ? this.runtimes.get(id)?.snapshot() : undefined;
    if (!kept) this.saver.forget(id);
    await this.deactivate(id);
    this.activate(rec, kept);
    this.changed();
    return rec;
  }

  async remove(id: string): Promise<void> {
    if (!this.repo.delete(id)) notFound(`no integration ${id}`);
    await this.deactivate(id);
    // After the runtime is gone: nothing can make its state due again (its row went with it).
    this.saver.forget(id);
    this.changed();
  }

  /** Validates type, unique name, preset and the adapter's own config; returns what to store. */
  private check(f: IntegrationFields, id = ""): IntegrationFields {
    const adapter = this.registry.get(f.type);
    if (!adapter) throw new DomainError("invalid", `invalid integration: type: unknown adapter "${f.type}" (have: ${this.registry.types().join(", ")})`);
    if (this.repo.nameTaken(f.name, id)) conflict(`an integration named "${f.name}" already exists`);
    if (f.preset !== null && !this.ports.presets.has(f.preset)) throw new DomainError("invalid", `invalid integration: preset: unknown preset "${f.preset}" (have: ${this.ports.presets.ids().join(", ")})`);
    const r = adapter.configSchema.safeParse(f.config);
    if (!r.success) throw new DomainError("invalid", `invalid integration: ${describeIssues(r.error, "config")}`);
    return { name: f.name, type: f.type, enabled: f.enabled, config: r.data as Record<string, unknown>, preset: f.preset, record: f.record };
  }

  private activate(rec: IntegrationRecord, saved?: SavedState): void {
    const { log } = this.ports;
    const adapter = this.registry.get(rec.type);
    if (!adapter) {
      log(`[games] integration "${rec.name}": adapter "${rec.type}" is not available`);
      return;
    }
    const parsed = adapter.configSchema.safeParse(rec.config);
    if (!parsed.success) {
      // A stored config an updated adapter no longer accepts: this one stays off, the rest run.
      log(`[games] integration "${rec.name}" not started: ${describeIssues(parsed.error, "config")}`);
      return;
    }
    const config = parsed.data;
    const rt = new IntegrationRuntime(rec, adapter, config, this.ports.recordDir, saved);
    this.runtimes.set(rec.id, rt);
    if (!rec.enabled || !adapter.connector) return;
    rt.connector = adapter.connector({
      config,
      feed: (payload) => {
        try {
          this.payloads.feed(rt, payload);
        } catch (err) {
          // A payload the adapter refused is counted and explained in the status already.
          if (!(err instanceof DomainError)) throw err;
        }
      },
      problem: (text) => rt.setProblem(text),
      log: (m) => log(`[games:${rec.name}] ${m}`),
    });
    rt.connector?.start();
  }

  private async deactivate(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    this.runtimes.delete(id);
    await rt?.connector?.stop();
  }

  /** The running integration, or a domain error saying why it does not run. */
  runtime(id: string): IntegrationRuntime {
    const rt = this.runtimes.get(id);
    if (rt) return rt;
    const rec = this.get(id);
    return conflict(`integration "${rec.name}" is not running: adapter "${rec.type}" is not loaded or its stored config is no longer valid (see GET /api/v1/adapters and the log)`);
  }

  status(id: string) {
    return this.runtime(id).status();
  }

  /** Connected, and the last problem: read by health and Home Assistant, also for one that does not run. */
  health(id: string): { connected: boolean; problem: string | null } {
    try {
      const s = this.status(id);
      return { connected: s.connected, problem: s.problem?.text ?? null };
    } catch (err) {
      return { connected: false, problem: errorText(err) };
    }
  }

  recent(id: string) {
    const rt = this.runtime(id);
    return { events: rt.recentEvents, payloads: rt.recentPayloads };
  }

  token(id: string): string {
    return this.repo.token(id) ?? notFound(`no integration ${id}`);
  }

  setup(id: string, baseUrl: string) {
    const rec = this.get(id);
    const adapter = this.runtime(id).adapter;
    const url = `${baseUrl}/api/v1/integrations/${id}/event`;
    const token = this.token(id);
    const file = adapter.setupFile?.({ url, token, name: rec.name }) ?? null;
    const example = adapter.auth === "header"
      ? `curl -X POST '${url}' -H 'Authorization: Bearer ${token}' -H 'content-type: application/json' --data-binary @payload.json`
      : null;
    return { type: rec.type, url, token, auth: adapter.auth, file, example, instructions: adapter.setup };
  }
}
