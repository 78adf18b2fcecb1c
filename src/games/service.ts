// The integrations service: CRUD over stored integrations (validated by each adapter's schema),
// and the ingest path every payload takes: rate limit → token → adapter step → standard events.
import { join } from "node:path";
import { z } from "zod";
import { presetById, PRESETS } from "../director/presets.ts";
import { describeIssues, parseEvents } from "../events/ingest.ts";
import { HttpError, validate } from "../http/errors.ts";
import type { Ledbox } from "../ledbox.ts";
import { sameSecret } from "../store/auth.ts";
import type { IntegrationFields, IntegrationRecord, IntegrationsRepo } from "../store/integrations.ts";
import { at, PayloadError } from "./adapter.ts";
import { LiveIntegration } from "./live.ts";
import type { Registry } from "./registry.ts";

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

export type IngestOutcome = { status: number; body: Record<string, unknown> };

export class IntegrationsService {
  private live = new Map<string, LiveIntegration>();
  private listeners: (() => void)[] = [];

  constructor(private readonly box: Ledbox, private readonly repo: IntegrationsRepo, readonly registry: Registry) {}

  start(): void {
    for (const rec of this.repo.list()) this.activate(rec);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.connector?.stop()));
    this.live.clear();
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
    return this.repo.get(id) ?? notFound(id);
  }

  create(body: unknown): IntegrationRecord {
    const input = validate(IntegrationInputSchema, body, "integration");
    const fields = this.check(input);
    const rec = this.repo.create(fields);
    this.applyPreset(fields.preset);
    this.activate(rec);
    this.changed();
    return rec;
  }

  async update(id: string, body: unknown): Promise<IntegrationRecord> {
    const old = this.get(id);
    const { rotateToken, ...patch } = validate(IntegrationPatchSchema, body, "integration");
    const fields = this.check({ ...old, ...patch, config: patch.config ?? (patch.type && patch.type !== old.type ? {} : old.config) }, id);
    const rec = this.repo.update(id, fields, rotateToken)!;
    if (patch.preset) this.applyPreset(fields.preset);
    await this.deactivate(id);
    this.activate(rec);
    this.changed();
    return rec;
  }

  async remove(id: string): Promise<void> {
    if (!this.repo.delete(id)) notFound(id);
    await this.deactivate(id);
    this.changed();
  }

  /** Validates type, unique name, preset and the adapter's own config; returns what to store. */
  private check(f: IntegrationFields, id = ""): IntegrationFields {
    const adapter = this.registry.get(f.type);
    if (!adapter) throw new HttpError(400, `invalid integration: type: unknown adapter "${f.type}" (have: ${this.registry.types().join(", ")})`);
    if (this.repo.nameTaken(f.name, id)) throw new HttpError(409, `an integration named "${f.name}" already exists`);
    if (f.preset !== null && !presetById.has(f.preset)) throw new HttpError(400, `invalid integration: preset: unknown preset "${f.preset}" (have: ${PRESETS.map((p) => p.id).join(", ")})`);
    const r = adapter.configSchema.safeParse(f.config);
    if (!r.success) throw new HttpError(400, `invalid integration: ${describeIssues(r.error, "config")}`);
    return { name: f.name, type: f.type, enabled: f.enabled, config: r.data as Record<string, unknown>, preset: f.preset, record: f.record };
  }

  private applyPreset(id: string | null): void {
    const p = id ? presetById.get(id) : undefined;
    if (p) this.box.applyPreset(p);
  }

  private activate(rec: IntegrationRecord): void {
    const adapter = this.registry.get(rec.type);
    if (!adapter) {
      this.box.log(`[games] integration "${rec.name}": adapter "${rec.type}" is not available`);
      return;
    }
    const parsed = adapter.configSchema.safeParse(rec.config);
    if (!parsed.success) {
      // A stored config an updated adapter no longer accepts: this one stays off, the rest run.
      this.box.log(`[games] integration "${rec.name}" not started: ${describeIssues(parsed.error, "config")}`);
      return;
    }
    const config = parsed.data;
    const l = new LiveIntegration(rec, adapter, config, join(this.box.boot.dataDir, "recordings"));
    this.live.set(rec.id, l);
    if (!rec.enabled || !adapter.connector) return;
    l.connector = adapter.connector({
      config,
      feed: (payload) => void this.feed(l, payload),
      problem: (text) => l.setProblem(text),
      log: (m) => this.box.log(`[games:${rec.name}] ${m}`),
    });
    l.connector?.start();
  }

  private async deactivate(id: string): Promise<void> {
    const l = this.live.get(id);
    this.live.delete(id);
    await l?.connector?.stop();
  }

  private runtime(id: string): LiveIntegration {
    const l = this.live.get(id);
    if (l) return l;
    const rec = this.get(id);
    throw new HttpError(409, `integration "${rec.name}" is not running: adapter "${rec.type}" is not loaded or its stored config is no longer valid (see GET /api/v1/adapters and the log)`);
  }

  status(id: string) {
    return this.runtime(id).status();
  }

  recent(id: string) {
    const l = this.runtime(id);
    return { events: l.recentEvents, payloads: l.recentPayloads };
  }

  token(id: string): string {
    return this.repo.token(id) ?? notFound(id);
  }

  /** The first checks of an HTTP payload, before its body is read: exists, enabled, under the rate. */
  admit(id: string): LiveIntegration {
    const l = this.runtime(id);
    if (!l.rec.enabled) throw new HttpError(409, `integration "${l.rec.name}" is disabled`);
    if (!l.admit()) throw new HttpError(429, l.problem!.text);
    return l;
  }

  /** A payload that never reached the adapter (unreadable, too big): counted and explained in status. */
  reject(l: LiveIntegration, status: number, text: string): never {
    l.rejected++;
    l.setProblem(text);
    throw new HttpError(status, text);
  }

  /** An HTTP payload: the integration's token first (constant time), then the adapter. */
  ingest(l: LiveIntegration, body: unknown, presented: string | undefined): IngestOutcome {
    const given = l.adapter.auth === "body" ? at(body, "auth.token") : presented;
    if (typeof given !== "string" || !sameSecret(given, this.repo.token(l.rec.id) ?? "")) {
      this.reject(l, 401, given === undefined ? `token missing: ${l.adapter.auth === "body" ? "the payload has no auth.token" : "send Authorization: Bearer <token>"}` : "token mismatch: the payload's token is not this integration's");
    }
    return this.feed(l, body);
  }

  /** Records one payload (if asked), runs the adapter on it and publishes what it found. */
  feed(l: LiveIntegration, body: unknown): IngestOutcome {
    l.record(body);
    let step;
    try {
      step = l.adapter.step(body, l.state, l.config, l.rec.id);
    } catch (err) {
      if (!(err instanceof PayloadError)) throw err;
      this.reject(l, 400, err.message);
    }
    l.payload(body);
    l.state = step.next;
    if (step.note) l.setProblem(step.note);
    if (!step.events.length) return { status: 200, body: { accepted: 0, ids: [] } };
    for (const e of step.events) {
      e.source = l.rec.id;
      e.game ??= l.adapter.game;
    }
    const parsed = parseEvents(step.events);
    if (!parsed.ok) throw new Error(`adapter "${l.adapter.type}" made an invalid event: ${parsed.error}`);
    const ids = this.box.ingest.accept(parsed.events);
    l.fired(parsed.events.filter((e) => ids.includes(e.id)));
    return { status: 200, body: { accepted: ids.length, ids } };
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

function notFound(id: string): never {
  throw new HttpError(404, `no integration ${id}`);
}
