// The composition root: builds every service of a ledbox, hands each the few others it uses,
// and starts/stops them in order. Nothing under src/ imports it; main.ts runs it.
import type { Server } from "bun";
import { join } from "node:path";
import { Auth } from "./auth/service.ts";
import { readBoot, type Boot } from "./config/boot.ts";
import { SettingsService } from "./config/service.ts";
import { VERSION } from "./config/version.ts";
import { Director } from "./director/director.ts";
import type { MappingInput } from "./director/mapping.ts";
import { MappingsService } from "./director/mappings.ts";
import { PRESETS, presetById } from "./director/presets.ts";
import { SceneControl } from "./director/scene-control.ts";
import { EventBus } from "./events/bus.ts";
import { Ingest } from "./events/ingest.ts";
import type { GameEventInput } from "./events/schema.ts";
import { EventRing } from "./events/ring.ts";
import { loadRegistry } from "./games/declarative.ts";
import { IntegrationsService } from "./games/integrations.ts";
import { createHttp } from "./http/app.ts";
import { LiveHub } from "./http/live.ts";
import { Engine } from "./light/engine.ts";
import { MqttService } from "./mqtt/service.ts";
import { createSchedules } from "./schedules/index.ts";
import type { SchedulesService } from "./schedules/service.ts";
import { createServers } from "./servers/index.ts";
import type { ServersService } from "./servers/service.ts";
import { AuthRepo } from "./store/auth.ts";
import { AdapterStateRepo } from "./store/adapter-state.ts";
import { claimDataDir, type DataDir } from "./store/data-dir.ts";
import { openDatabase } from "./store/db.ts";
import { StorageHealth } from "./store/health.ts";
import { IntegrationsRepo } from "./store/integrations.ts";
import { MappingsRepo } from "./store/mappings.ts";
import { SceneRepo } from "./store/scene.ts";
import { SettingsRepo } from "./store/settings.ts";
import { SystemService } from "./system/service.ts";
import { LogRing } from "./util/log.ts";

/** A new device starts with this preset, so the test buttons light something at once. */
const FIRST_RUN_PRESET = "fps-combat";

/** What the entry point gives a ledbox beyond its options: the log it keeps, and how to restart it. */
export interface Host {
  logs: LogRing;
  restart(restore?: Uint8Array): void;
}

export class Ledbox {
  readonly db;
  readonly settings: SettingsService;
  readonly engine: Engine;
  readonly bus: EventBus;
  readonly ring = new EventRing(512);
  readonly ingest: Ingest;
  readonly director: Director;
  readonly mappings: MappingsService;
  readonly scene: SceneControl;
  readonly auth: Auth;
  readonly live: LiveHub;
  readonly servers: ServersService;
  readonly schedules: SchedulesService;
  readonly integrations: IntegrationsService;
  readonly mqtt: MqttService;
  readonly system: SystemService;
  readonly storage: StorageHealth;
  private readonly dataDir: DataDir;
  private server: Server<unknown> | null = null;
  private stopped = false;
  private http: ReturnType<typeof createHttp> | null = null;

  /** Throws the reason when the data directory is another ledbox's. */
  constructor(
    readonly boot: Boot = readBoot(),
    readonly log: (msg: string) => void = (m) => console.log(m),
    host: Host = { logs: new LogRing(), restart: () => log("[ledbox] restart: only the ledbox process (bun src/main.ts) can restart itself") },
  ) {
    this.dataDir = claimDataDir(boot.dataDir, log);
    const storage = (this.storage = new StorageHealth(boot.dataDir, log));
    const db = (this.db = openDatabase(boot.dataDir, storage));
    const damaged = (kind: string) => (what: string, why: string) => storage.leftOut(`${kind} ${what}`, why);
    const settingsRepo = new SettingsRepo(db, (what, why) => storage.leftOut(what, why));
    const scenes = new SceneRepo(db, damaged("the base layer of segment"));
    const engine = (this.engine = new Engine(settingsRepo.load(), undefined, scenes.bases()));
    this.settings = new SettingsService(engine.settings, { save: (s) => settingsRepo.save(s), apply: (next) => engine.reconfigure(next) });
    this.bus = new EventBus(log);
    this.ingest = new Ingest(this.bus, this.ring);
    this.director = new Director(engine);
    const mappingsRepo = new MappingsRepo<MappingInput>(db, damaged("mapping"));
    this.mappings = new MappingsService(mappingsRepo, this.director, log);
    this.scene = new SceneControl(engine, scenes, this.mappings);
    if (settingsRepo.isFirstRun()) {
      this.scene.applyPreset(presetById.get(FIRST_RUN_PRESET)!, false);
      settingsRepo.save(engine.settings);
    }
    this.mappings.load();
    this.bus.subscribe("director", this.director.handle);
    engine.onFrame(this.director.tick);
    this.auth = new Auth(new AuthRepo(db, (what, why) => storage.leftOut(what, why)), log);
    this.live = new LiveHub(engine, this.ring);
    this.settings.onChange(() => this.live.reconfigured());
    // Events made inside ledbox go through ingest like any other; a batch that does not validate is logged.
    const submit = (who: string) => (events: GameEventInput[]) => {
      const r = this.ingest.submit(events);
      if (!r.ok) log(`[${who}] dropped events that did not validate: ${r.error}`);
    };
    this.servers = createServers(db, submit("servers"), log);
    this.schedules = createSchedules(db, submit("schedules"), log);
    this.integrations = new IntegrationsService(new IntegrationsRepo(db, damaged("integration")), loadRegistry(boot.dataDir, log), {
      submit: (events) => this.ingest.submit(events),
      known: (ids) => this.ingest.known(ids),
      states: new AdapterStateRepo(db),
      presets: { has: (id) => presetById.has(id), ids: () => PRESETS.map((p) => p.id), apply: (id) => this.scene.applyPreset(presetById.get(id)!) },
      log,
      recordDir: join(boot.dataDir, "recordings"),
    });
    this.mqtt = new MqttService({
      settings: this.settings, scene: this.scene, ingest: this.ingest, bus: this.bus, engine, integrations: this.integrations,
      host: boot.host, port: () => this.port, log,
    });
    this.system = new SystemService({ db, dataDir: boot.dataDir, logs: host.logs, restart: host.restart });
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
    this.http = createHttp({
      auth: this.auth, settings: this.settings, dataDir: this.boot.dataDir, port: () => this.port,
      engine: this.engine, bus: this.bus, ingest: this.ingest, ring: this.ring, director: this.director,
      mappings: this.mappings, scene: this.scene, servers: this.servers, schedules: this.schedules, integrations: this.integrations,
      live: this.live, mqtt: this.mqtt, system: this.system, storage: this.storage,
    });
    // Bun's own body cap answers 413 with an empty body: each route reads its body with its own
    // limit instead and names it (http/body.ts; a restore reads its own); Bun discards what is not read.
    // No reusePort: a second ledbox on the same port must fail to start, not share it with the first.
    try {
      this.server = this.http.listen({ port: this.port, hostname: this.boot.host, maxRequestBodySize: Number.MAX_SAFE_INTEGER, reusePort: false }).server!;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "EACCES") {
        // Below net.ipv4.ip_unprivileged_port_start (1024) only root or CAP_NET_BIND_SERVICE may listen.
        throw new Error(`port ${this.port} on ${this.boot.host} needs privilege to listen on: run with CAP_NET_BIND_SERVICE (ledbox.service grants it) or pick a port from 1024 up with --port (e.g. 8080)`);
      }
      if (code !== "EADDRINUSE") throw err;
      throw new Error(`port ${this.port} on ${this.boot.host} is in use: another ledbox or another program listens there (--port picks another)`);
    }
    this.live.start();
    this.servers.start();
    this.schedules.start();
    await this.mqtt.start();
    this.integrations.start();
    this.log(`[ledbox] ${VERSION} listening on ${this.url} (data in ${this.boot.dataDir}, ${this.settings.get().strip.ledCount} LEDs at ${this.settings.get().render.fps} fps)`);
  }

  /** Black frame to every output, then everything closed in reverse order. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.mqtt.stop();
    this.servers.stop();
    this.schedules.stop();
    this.live.stop();
    await this.integrations.stop();
    // Only a server that listens can stop (Elysia logs a stack otherwise: a start refused by its port).
    if (this.server) await this.http?.stop(true);
    await this.engine.stop();
    this.db.close();
    this.dataDir.release();
  }
}
