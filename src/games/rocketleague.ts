// Rocket League Stats API: a TCP stream (port 49123) of concatenated JSON messages
// `{"Event": …, "Data": …}` where Data is sometimes itself a JSON-encoded string. Goals come from
// the team scores in UpdateState (a score can only rise once per goal, so "goal 3 of team 0" is a
// stable id); demolitions from the player's Demos count and bDemolished flag, identified by the
// opponents' Demos total; a kickoff by the goals scored before it.
import { z } from "zod";
import { describeIssues } from "../util/validation.ts";
import { newUnits, PayloadError, type Adapter, type AdapterEvent, type StepResult } from "./adapter.ts";
import { rlClient } from "./rl-client.ts";

const n = z.number().finite().optional();
const Player = z.looseObject({ Name: z.string().optional(), TeamNum: n, Boost: n, Speed: n, Demos: n, bDemolished: z.boolean().optional() });
const Data = z.looseObject({
  MatchGuid: z.string().optional(),
  Players: z.array(Player).optional(),
  Game: z.looseObject({ Teams: z.array(z.looseObject({ TeamNum: n, Score: n })).optional() }).optional(),
  WinnerTeamNum: n,
});
const Message = z.looseObject({ Event: z.string().min(1), Data: z.unknown().optional() });

export interface RlState {
  match: string;
  matches: number;
  team?: number;
  scores: Record<string, number>;
  me: { boost?: number; speed?: number; demos?: number; demolished?: boolean };
}

export const RlConfigSchema = z.strictObject({
  playerName: z.string().min(1).max(64).optional().describe("your in-game name: which player is you (goals for/against, boost, demolitions)"),
  mode: z.enum(["relay", "connect"]).default("connect").describe("connect: ledbox reads the game's TCP stream; relay: a script POSTs each message"),
  host: z.string().min(1).default("127.0.0.1").describe("connect: the gaming PC's address"),
  port: z.int().min(1).max(65535).default(49123),
  speedMax: z.number().positive().default(2300).describe("the Speed the API reports at top speed (2300 if it counts Unreal units/s): the top of the speed meter"),
});
type Config = z.infer<typeof RlConfigSchema>;

function step(raw: unknown, prev: RlState | undefined, config: Config, source: string): StepResult<RlState> {
  const m = Message.safeParse(raw);
  if (!m.success) throw new PayloadError(`not a Stats API message: ${describeIssues(m.error)}`);
  let data = m.data.Data;
  if (typeof data === "string") {
    try {
      data = JSON.parse(data);
    } catch {
      throw new PayloadError("Data: a string that is not JSON");
    }
  }
  const d = Data.safeParse(data ?? {});
  if (!d.success) throw new PayloadError(`not a Stats API message: ${describeIssues(d.error, "Data")}`);
  const next: RlState = prev ? { ...prev, scores: { ...prev.scores }, me: { ...prev.me } } : { match: "m0", matches: 0, scores: {}, me: {} };
  const events: AdapterEvent[] = [];
  const id = (what: string) => `${source}:${next.match}:${what}`;
  let note: string | undefined;
  switch (m.data.Event) {
    case "MatchCreated":
      next.matches++;
      Object.assign(next, { match: d.data.MatchGuid ?? `m${next.matches}`, scores: {}, me: {} });
      events.push({ type: "match_start", id: id("start") });
      break;
    case "RoundStarted":
      events.push({ type: "round_start", id: id(`kickoff${Object.values(next.scores).reduce((a, b) => a + b, 0)}`) });
      break;
    case "MatchEnded":
      if (next.team !== undefined && d.data.WinnerTeamNum !== undefined) events.push({ type: "match_end", result: d.data.WinnerTeamNum === next.team ? "win" : "loss", id: id("end") });
      break;
    case "UpdateState":
      note = update(d.data, prev === undefined, next, events, id, config);
      break;
  }
  return { events, next, note };
}

function update(d: z.infer<typeof Data>, first: boolean, next: RlState, events: AdapterEvent[], id: (w: string) => string, config: Config): string | undefined {
  const me = config.playerName ? d.Players?.find((p) => p.Name === config.playerName) : undefined;
  if (me?.TeamNum !== undefined) next.team = me.TeamNum;
  for (const t of d.Game?.Teams ?? []) {
    if (t.TeamNum === undefined || t.Score === undefined) continue;
    const key = String(t.TeamNum), before = next.scores[key];
    next.scores[key] = t.Score;
    if (first || before === undefined || t.Score <= before || next.team === undefined) continue;
    for (const g of newUnits(before, t.Score)) events.push({ type: "objective", kind: "goal", ally: t.TeamNum === next.team, id: id(`goal:${key}:${g}`) });
  }
  if (!me) return config.playerName ? `no player named "${config.playerName}" in this match` : "set playerName to tell goals for and against, and to follow your boost";
  const was = next.me;
  if (me.Boost !== undefined && me.Boost !== was.boost) events.push({ type: "boost", value: me.Boost });
  if (me.Speed !== undefined && me.Speed !== was.speed) events.push({ type: "speed", value: me.Speed, max: config.speedMax });
  if (!first && me.Demos !== undefined && was.demos !== undefined) {
    for (const k of newUnits(was.demos, me.Demos)) events.push({ type: "kill", id: id(`demo${k}`) });
  }
  if (!first && me.bDemolished === true && was.demolished === false) {
    const theirDemos = (d.Players ?? []).filter((p) => p.TeamNum !== me.TeamNum).reduce((a, p) => a + (p.Demos ?? 0), 0);
    events.push({ type: "death", id: id(`demolished${theirDemos}`) });
  }
  next.me = { boost: me.Boost ?? was.boost, speed: me.Speed ?? was.speed, demos: me.Demos ?? was.demos, demolished: me.bDemolished ?? was.demolished };
  return undefined;
}

export const rocketLeague: Adapter<Config, RlState> = {
  type: "rocketleague",
  name: "Rocket League (Stats API)",
  game: "rocketleague",
  configSchema: RlConfigSchema,
  emits: ["boost", "speed", "objective", "kill", "death", "round_start", "match_start", "match_end"],
  auth: "header",
  heartbeatMs: 5000,
  step,
  connector: (ctx) => (ctx.config.mode === "connect" ? rlClient(ctx) : null),
  setupFile: () => ({
    path: "Documents/My Games/Rocket League/TAGame/Config/",
    filename: "TAStatsAPI.ini",
    content: "[TAGame.MatchStatsExporter_TA]\nPort=49123\nPacketSendRate=30\n",
  }),
  setup: `1. On the gaming PC, edit \`<Documents>\\My Games\\Rocket League\\TAGame\\Config\\TAStatsAPI.ini\` (older guides: \`<install>\\TAGame\\Config\\DefaultStatsAPI.ini\`): under \`[TAGame.MatchStatsExporter_TA]\` set \`Port=49123\` and \`PacketSendRate=30\`. Restart the game.
2. Create the integration (type \`rocketleague\`) with your in-game \`playerName\` and \`host\` = the PC's LAN address; ledbox connects to the stream and reconnects by itself.
3. If the game only listens on the PC itself, use mode \`relay\` and forward each message with a small script that POSTs it to \`/api/v1/integrations/{id}/event\` with \`Authorization: Bearer <token>\`.

Goals for and against (objective \`goal\` with \`ally\`), your demolitions (kill) and being demolished (death), boost and speed as meters (the Racing preset shows both), kickoffs, match start and result.`,
};
