// Builds the schedule service on the shared database; its events go wherever `publish` sends them.
import type { Database } from "bun:sqlite";
import type { GameEventInput } from "../events/schema.ts";
import { SchedulesRepo } from "../store/schedules.ts";
import { SourceCatalog } from "./catalog.ts";
import { ClockCheck } from "./clock.ts";
import { SchedulesService } from "./service.ts";

export function createSchedules(db: Database, publish: (events: GameEventInput[]) => void, log: (msg: string) => void, now: () => number = Date.now): SchedulesService {
  const repo = new SchedulesRepo(db);
  return new SchedulesService({ catalog: new SourceCatalog(repo, log), repo, clock: new ClockCheck(repo), publish, log, now });
}
