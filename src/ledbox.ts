// Builds every service of a ledbox instance and starts/stops them in order.
import type { Server } from "bun";
import { readBoot, type Boot } from "./config/boot.ts";
import { SettingsService } from "./config/service.ts";
import { Director } from "./director/director.ts";
import { EventBus } from "./events/bus.ts";
import { Ingest } from "./events/ingest.ts";
import { EventRing } from "./events/ring.ts";
import { createHttp } from "./http/app.ts";
import { Auth } from "./http/auth.ts";
import { LiveHub } from "./http/live.ts";
import { Engine } from "./light/engine.ts";
import { BaseChangeSchema, type BaseChange } from "./light/specs.ts";
import { presetById, type Preset } from "./director/presets.ts";
import { MqttService } from "./mqtt/service.ts";
import { AuthRepo } from "./store/auth.ts";
import { openDatabase } from "./store/db.ts";
import { MappingsRepo } from "./store/mappings.ts";
import { SceneRepo } from "./store/scene.ts";
import { SettingsRepo } from "./store/settings.ts";
import { createServers } from "./servers/index.ts";
import type { ServersService } from "./servers/service.ts";
import { IntegrationsRepo } from "./store/integrations.ts";
import { IntegrationsService } from "./games/service.ts";
import { loadRegistry } from "./games/declarative.ts";

export const VERSION = "0.1.0";
const DEFAULT_PRESET = "fps-combat";

export class Ledbox {
  readonly db;
  readonly settings: SettingsService;
  readonly engine: Engine;
  readonly bus: EventBus;
  readonly ring = new EventRing(512);
  readonly ingest: Ingest;
  readonly mappings: MappingsRepo;
  readonly scenes: SceneRepo;
  readonly director: Director;
  readonly auth: Auth;
  readonly live: LiveHub;
  readonly servers: ServersService;
  readonly mqtt: MqttService;
  private changeListeners: (() => void)[] = [];
  readonly integrations: IntegrationsService;
  private server: Server<unknown> | null = null;
  private http: ReturnType<typeof createHttp> | null = null;

  constructor(readonly boot: Boot = readBoot(), readonly log: (msg: string) => void = (m) => console.log(m)) {
    this.db = openDatabase(boot.dataDir);
    const settingsRepo = new SettingsRepo(this.db);
    this.scenes = new SceneRepo(this.db);
    this.engine = new Engine(settingsRepo.load(), undefined, this.scenes.bases());
    this.settings = new SettingsService(settingsRepo, this.engine);
    this.bus = new EventBus((m) => log(m));
    this.ingest = new Ingest(this.bus, this.ring);
    this.mappings = new MappingsRepo(this.db);
    if (settingsRepo.isFirstRun()) this.firstRun(settingsRepo);
    this.director = new Director(this.engine, this.storedMappings());
    this.bus.subscribe("director", this.director.handle);
    this.auth = new Auth(new AuthRepo(this.db), log);
    this.live = new LiveHub(this.engine, this.ring);
    this.settings.onChange(() => this.live.reconfigured());
    this.servers = createServers(this.db, this.ingest, log);
    this.mqtt = new MqttService(this);
    this.integrations = new IntegrationsService(this, new IntegrationsRepo(this.db), loadRegistry(boot.dataDir, log));
    this.integrations.onChange(() => this.mqtt.syncIntegrations());
  }

  /** A new device starts with the FPS Combat preset, so the test buttons light something at once. */
  private firstRun(repo: SettingsRepo): void {
    const preset = presetById.get(DEFAULT_PRESET)!;
    this.mappings.replacePresetMappings(preset.id, preset.mappings);
    if (preset.base) this.setBase(BaseChangeSchema.parse({ ...preset.base, transitionMs: 0 }));
    repo.save(repo.load());
  }

  /** The port in force: the one listened on once started, else the CLI/env override, else the stored setting. */
  get port(): number {
    return this.server?.port ?? this.boot.port ?? this.settings.get().http.port;
  }

  get url(): string {
    return `http://localhost:${this.port}`;
  }

  async start(): Promise<void> {
    await this.engine.start();
    this.http = createHttp(this);
    this.server = this.http.listen({ port: this.port, hostname: this.boot.host, maxRequestBodySize: 1024 * 1024 }).server!;
    this.live.start();
    this.servers.start();
    await this.mqtt.start();
    this.integrations.start();
    this.log(`[ledbox] ${VERSION} listening on ${this.url} (data in ${this.boot.dataDir}, ${this.settings.get().strip.ledCount} LEDs at ${this.settings.get().render.fps} fps)`);
  }

  /** Black frame to every output, then everything closed in reverse order. */
  async stop(): Promise<void> {
    await this.mqtt.stop();
    this.servers.stop();
    this.live.stop();
    await this.integrations.stop();
    await this.http?.stop(true);
    await this.engine.stop();
    this.db.close();
  }

  /** Changes the base layer and keeps it for the next start. */
  setBase(change: BaseChange): string[] {
    const segments = this.engine.setBase(change);
    if (segments.length) {
      this.scenes.saveBases(this.engine.scene.bases());
      this.changed();
    }
    return segments;
  }

  /** Its mappings replace the previous preset's (the user's own stay); its base fades in. */
  applyPreset(p: Preset): number {
    const recs = this.mappings.replacePresetMappings(p.id, p.mappings);
    this.reloadMappings();
    if (p.base) this.setBase(BaseChangeSchema.parse(p.base));
    return recs.length;
  }

  /** The preset whose mappings are in force, if any. */
  activePreset(): string | null {
    return this.mappings.records().find((r) => r.preset)?.preset ?? null;
  }

  /** Called after the base layer or the mappings (so the active preset) change, whoever changed them. */
  onChange(fn: () => void): void {
    this.changeListeners.push(fn);
  }

  private changed(): void {
    for (const fn of this.changeListeners) fn();
  }

  private storedMappings() {
    return this.mappings.list((id, why) => this.log(`[director] mapping ${id} left out: ${why}`));
  }

  reloadMappings(): void {
    this.director.load(this.storedMappings());
    this.changed();
  }
}
