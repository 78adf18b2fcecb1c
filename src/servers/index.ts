// Builds the game-server service on the shared database; its events go wherever `publish` sends them.
import type { Database } from "bun:sqlite";
import type { GameEventInput } from "../events/schema.ts";
import { HistoryRepo } from "../store/server-history.ts";
import { ServersRepo } from "../store/servers.ts";
import { ServerCatalog } from "./catalog.ts";
import { History } from "./history.ts";
import { ServersService } from "./service.ts";
import { SteamProfiles } from "./steam.ts";

export function createServers(db: Database, publish: (events: GameEventInput[]) => void, log: (msg: string) => void, now: () => number = Date.now): ServersService {
  const catalog = new ServerCatalog(new ServersRepo(db), log);
  const history = new History(new HistoryRepo(db), now);
  const steam = new SteamProfiles(history.repo, () => catalog.steamOptions(), now);
  return new ServersService({ catalog, history, steam, publish, log, now });
}
