// Builds the game-server service on the shared database; its events enter through ingest like any other.
import type { Database } from "bun:sqlite";
import { parseEvents, type Ingest } from "../events/ingest.ts";
import { HistoryRepo } from "../store/server-history.ts";
import { ServersRepo } from "../store/servers.ts";
import { History } from "./history.ts";
import { ServersService } from "./service.ts";
import { SteamProfiles } from "./steam.ts";

export function createServers(db: Database, ingest: Ingest, log: (msg: string) => void, now: () => number = Date.now): ServersService {
  const servers = new ServersRepo(db);
  const history = new History(new HistoryRepo(db), now);
  const steam = new SteamProfiles(history.repo, () => service.steamOptions(), now);
  const publish = (list: unknown[]) => {
    const r = parseEvents(list);
    if (r.ok) ingest.accept(r.events);
    else log(`[servers] dropped events that did not validate: ${r.error}`);
  };
  const service: ServersService = new ServersService({ servers, history, steam, publish, log, now });
  return service;
}
