// League of Legends Live Client Data API (`/liveclientdata/allgamedata`). The event list is
// cumulative — every answer repeats the whole game — so each event is handled once by its
// EventID (with its time, since ids restart every game). A game is known by its GameStart entry:
// after the loading screen (the API answers 404 RESOURCE_NOT_FOUND until the game runs) or while
// following the same game every unseen entry is new; only a game first met already running has
// history, and then just its last FRESH_S seconds fire. Names in events are tag-less game names
// while the active player may be "Name#TAG": compare game names. The API listens only on the
// gaming PC's loopback, so the same JSON is also accepted by POST from a relay on the PC.
import { z } from "zod";
import { describeIssues } from "../util/validation.ts";
import { isObject } from "../util/json.ts";
import { PayloadError, type Adapter, type AdapterEvent, type StepResult } from "./adapter.ts";
import { lolPoller } from "./lol-poller.ts";

const n = z.number().finite().optional();
const LolEvent = z.looseObject({ EventID: z.number(), EventName: z.string(), EventTime: z.number() });
const Payload = z.looseObject({
  activePlayer: z.looseObject({
    summonerName: z.string().optional(),
    riotId: z.string().optional(),
    riotIdGameName: z.string().optional(),
    currentGold: n,
    championStats: z.looseObject({ currentHealth: n, maxHealth: n, resourceType: z.string().optional(), resourceValue: n, resourceMax: n }).optional(),
  }).optional(),
  allPlayers: z.array(z.looseObject({ summonerName: z.string().optional(), riotIdGameName: z.string().optional(), riotId: z.string().optional(), team: z.string().optional() })).optional(),
  events: z.looseObject({ Events: z.array(LolEvent) }).optional(),
  gameData: z.looseObject({ gameTime: n }).optional(),
});
type Payload = z.infer<typeof Payload>;
type Ev = z.infer<typeof LolEvent> & Record<string, unknown>;

export interface LolState {
  /** The game followed: its GameStart entry's key. */
  game?: string;
  /** The last answer was the loading screen's: the next game's list is all new. */
  loading?: boolean;
  seen: string[];
  values: Record<string, number>;
}

export const LolConfigSchema = z.strictObject({
  mode: z.enum(["relay", "poll"]).default("relay").describe("relay: a script on the gaming PC POSTs the JSON here; poll: ledbox fetches it (only when ledbox runs on the gaming PC or can reach its API)"),
  url: z.url({ protocol: /^https?$/ }).default("https://127.0.0.1:2999").describe("poll: the Live Client Data API; its self-signed certificate is accepted for this origin only"),
  intervalMs: z.int().min(100).max(5000).default(250),
});
type Config = z.infer<typeof LolConfigSchema>;

const SEEN_LIMIT = 1024;
/** In a game first met already running, entries this recent (s of game time) still fire. */
const FRESH_S = 10;
const OBJECTIVES: Record<string, string> = { DragonKill: "dragon", HeraldKill: "herald", BaronKill: "baron", HordeKill: "grubs", AtakhanKill: "atakhan" };

/** The PowerShell relay: curl.exe ships with Windows 10 and later. */
export const relayLine = (url: string, token: string) =>
  `for(;;){ curl.exe -sk https://127.0.0.1:2999/liveclientdata/allgamedata | curl.exe -s -X POST -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" --data-binary "@-" ${url}; Start-Sleep -m 250 }`;

const gameName = (name: string | undefined) => name?.split("#")[0];
const keyOf = (e: Ev) => `${e.EventID}@${e.EventTime}`;
/** Teams by structure name: T1 = ORDER (blue), T2 = CHAOS (red); minions are T100/T200. */
function teamOfUnit(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  if (/_T1(_|00)/.test(name)) return "ORDER";
  if (/_T2(_|00)/.test(name)) return "CHAOS";
  return undefined;
}

function step(raw: unknown, prev: LolState | undefined, _c: Config, source: string): StepResult<LolState> {
  if (isObject(raw) && typeof raw.errorCode === "string") {
    // The API's own answers while loading (404 RESOURCE_NOT_FOUND) or spectating (400 RPC_ERROR).
    const loading = raw.errorCode === "RESOURCE_NOT_FOUND";
    return {
      events: [],
      next: { ...(prev ?? { seen: [], values: {} }), loading },
      note: `the game API answered ${raw.errorCode}${loading ? " (loading screen)" : raw.errorCode === "RPC_ERROR" ? " (spectator mode: no active player)" : ""}`,
    };
  }
  const r = Payload.safeParse(raw);
  if (!r.success) throw new PayloadError(`not Live Client Data (allgamedata): ${describeIssues(r.error)}`);
  const p: Payload = r.data;
  const events: AdapterEvent[] = [];
  const ap = p.activePlayer;
  const me = ap?.riotIdGameName ?? gameName(ap?.riotId ?? ap?.summonerName);
  const playerTeam = (name: unknown) => p.allPlayers?.find((x) => (x.riotIdGameName ?? gameName(x.riotId ?? x.summonerName)) === name)?.team;
  const team = playerTeam(me);
  const teamOf = (name: unknown) => playerTeam(name) ?? teamOfUnit(name);
  const values = { ...prev?.values };
  const value = (type: "health" | "mana" | "energy" | "gold", v: number | undefined, max?: number) => {
    if (v === undefined || (max !== undefined && !(max > 0))) return;
    if (values[type] === v && values[`${type}Max`] === max) return;
    values[type] = v;
    if (max !== undefined) values[`${type}Max`] = max;
    events.push(max === undefined ? { type, value: v } : { type, value: v, max });
  };
  const cs = ap?.championStats;
  value("health", cs?.currentHealth, cs?.maxHealth);
  const resource = cs?.resourceType === "MANA" ? "mana" : cs?.resourceType === "ENERGY" ? "energy" : null;
  if (resource) value(resource, cs?.resourceValue, cs?.resourceMax);
  value("gold", ap?.currentGold === undefined ? undefined : Math.floor(ap.currentGold));

  const list = (p.events?.Events ?? []) as Ev[];
  const start = list.find((e) => e.EventName === "GameStart");
  const game = start ? keyOf(start) : prev?.game;
  const same = prev !== undefined && prev.game === game;
  const fromStart = same || prev?.loading === true;
  const before = same ? prev.seen : [];
  const seen = new Set(before);
  const added: string[] = [];
  const now = p.gameData?.gameTime ?? 0;
  for (const e of list) {
    const key = keyOf(e);
    if (seen.has(key)) continue;
    seen.add(key);
    added.push(key);
    if (!fromStart && e.EventTime < now - FRESH_S) continue; // history from before we were listening
    const id = `${source}:${key}`;
    for (const ev of translate(e, me, team, teamOf)) events.push({ ...ev, id: ev.type === "assist" ? `${id}:assist` : id });
  }
  return { events, next: { game, seen: [...before, ...added].slice(-SEEN_LIMIT), values } };
}

function translate(e: Ev, me: string | undefined, team: string | undefined, teamOf: (name: unknown) => string | undefined): AdapterEvent[] {
  switch (e.EventName) {
    case "GameStart":
      return [{ type: "match_start" }];
    case "GameEnd":
      return [{ type: "match_end", result: e.Result === "Win" ? "win" : "loss" }];
    case "FirstBlood":
      return e.Recipient === me ? [{ type: "first_blood" }] : [];
    case "ChampionKill": {
      const out: AdapterEvent[] = [];
      if (e.KillerName === me) out.push({ type: "kill" });
      if (e.VictimName === me) out.push({ type: "death" });
      if (Array.isArray(e.Assisters) && e.Assisters.includes(me)) out.push({ type: "assist" });
      return out;
    }
    case "Multikill": {
      const streak = e.KillStreak; // a whole number of kills, at most the event's 64
      return e.KillerName === me && typeof streak === "number" && Number.isInteger(streak) && streak >= 2 ? [{ type: "multikill", count: Math.min(streak, 64) }] : [];
    }
    case "Ace":
      return team && e.AcingTeam === team ? [{ type: "ace" }] : [];
    case "TurretKilled":
      return [{ type: "objective", kind: "turret", ally: teamOfUnit(e.TurretKilled) !== team }];
    case "InhibKilled":
      return [{ type: "objective", kind: "inhibitor", ally: teamOfUnit(e.InhibKilled) !== team }];
  }
  // Own keys only: an EventName of "constructor" is not an objective.
  const kind = Object.hasOwn(OBJECTIVES, e.EventName) ? OBJECTIVES[e.EventName] : undefined;
  return kind ? [{ type: "objective", kind, ally: team !== undefined && teamOf(e.KillerName) === team }] : [];
}

export const lol: Adapter<Config, LolState> = {
  type: "lol",
  name: "League of Legends (Live Client Data)",
  game: "lol",
  configSchema: LolConfigSchema,
  emits: ["health", "mana", "energy", "gold", "kill", "death", "assist", "multikill", "first_blood", "ace", "objective", "match_start", "match_end"],
  auth: "header",
  heartbeatMs: 5000,
  step,
  connector: (ctx) => (ctx.config.mode === "poll" ? lolPoller(ctx) : null),
  setupFile: ({ url, token }) => ({
    path: "anywhere on the gaming PC; run it in PowerShell while you play",
    filename: "ledbox-lol-relay.ps1",
    content: `# Forwards League of Legends' Live Client Data to ledbox every 250 ms.\n${relayLine(url, token)}\n`,
  }),
  setup: `The game's API (\`https://127.0.0.1:2999/liveclientdata/allgamedata\`) answers only on the gaming PC itself, so a one-line relay on the PC forwards it (PowerShell; \`GET /api/v1/integrations/{id}/setup\` gives it ready as \`ledbox-lol-relay.ps1\`, with the address and token filled in):

\`\`\`powershell
${relayLine("http://LEDBOX:8080/api/v1/integrations/ID/event", "TOKEN")}
\`\`\`

1. Create the integration (type \`lol\`, mode \`relay\`), then run the line above while you play.
2. If ledbox runs on the gaming PC itself, set mode \`poll\` instead: it fetches the API every 250 ms, accepting the game's self-signed certificate for that address only.

Kills, deaths and assists of your champion, multikills, first blood, team aces, dragon/herald/baron/grubs/Atakhan/turret/inhibitor with whether your team took them, game start and result, health and mana/energy.`,
};
