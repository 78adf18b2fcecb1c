// Dota 2 Game State Integration. Like CS2 the game resends its whole state, so triggers are diffs
// against saved state. The clock changes every second: game_time only names a hit (its id). Entries
// of the `events` array repeat across POSTs: each is remembered by (type, game time, ids) and fires once.
import { z } from "zod";
import { scalarText } from "../util/json.ts";
import { describeIssues } from "../util/validation.ts";
import { newUnits, PayloadError, type Adapter, type AdapterEvent, type StepResult } from "./adapter.ts";
import { valveCfg } from "./cs2.ts";

const n = z.number().finite().optional();
const s = z.string().optional();
const Payload = z.looseObject({
  map: z.looseObject({ matchid: z.union([z.string(), z.number()]).optional(), game_state: s, win_team: s, game_time: n }).optional(),
  player: z.looseObject({ team_name: s, kills: n, deaths: n, assists: n }).optional(),
  hero: z.looseObject({ alive: z.boolean().optional(), respawn_seconds: n, health: n, max_health: n, mana: n, max_mana: n, level: n }).optional(),
  events: z.array(z.looseObject({ event_type: z.string(), game_time: n })).optional(),
});
type Payload = z.infer<typeof Payload>;

export interface DotaState {
  match: string;
  gameState?: string;
  winTeam?: string;
  team?: string;
  me: Record<string, number>;
  alive?: boolean;
  respawnMax: number;
  /** Keys of `events` entries already handled (bounded). */
  seen: string[];
}

export const DotaConfigSchema = z.strictObject({});
type Config = z.infer<typeof DotaConfigSchema>;
const SEEN_LIMIT = 256;
const IN_PROGRESS = "DOTA_GAMERULES_STATE_GAME_IN_PROGRESS";

function step(raw: unknown, prev: DotaState | undefined, _c: Config, source: string): StepResult<DotaState> {
  const r = Payload.safeParse(raw);
  if (!r.success) throw new PayloadError(`not a Dota 2 GSI payload: ${describeIssues(r.error)}`);
  const p: Payload = r.data;
  const events: AdapterEvent[] = [];
  const match = String(p.map?.matchid ?? prev?.match ?? "none");
  const same = prev !== undefined && prev.match === match;
  const was = same ? prev : undefined;
  const next: DotaState = {
    match, gameState: p.map?.game_state, winTeam: p.map?.win_team, team: p.player?.team_name ?? was?.team,
    me: { ...was?.me }, alive: was?.alive, respawnMax: was?.respawnMax ?? 0, seen: was?.seen ?? [],
  };
  const id = (what: string) => `${source}:${match}:${what}`;
  if (was && p.map?.game_state === IN_PROGRESS && was.gameState !== IN_PROGRESS) events.push({ type: "match_start", id: id("start") });
  const winner = p.map?.win_team;
  if (was && winner && winner !== "none" && (was.winTeam ?? "none") === "none" && next.team) {
    events.push({ type: "match_end", result: winner === next.team ? "win" : "loss", id: id("end") });
  }

  // While spectating, player/hero are keyed team2/team3 → playerN: none of it is "me".
  const spectating = p.player !== undefined && ("team2" in p.player || "team3" in p.player);
  if (!spectating) hero(p, was, next, events, id);
  objectives(p.events ?? [], was !== undefined, next, events, id);
  return { events, next, note: spectating ? "payload is from spectating (team-keyed player blocks): nothing about you changed" : undefined };
}

function hero(p: Payload, was: DotaState | undefined, next: DotaState, events: AdapterEvent[], id: (w: string) => string) {
  const h = p.hero, pl = p.player, me = next.me, old = was?.me ?? {};
  if (h?.health !== undefined && h.max_health && (h.health !== old.health || h.max_health !== old.maxHealth)) {
    events.push({ type: "health", value: h.health, max: h.max_health });
  }
  if (h?.mana !== undefined && h.max_mana && (h.mana !== old.mana || h.max_mana !== old.maxMana)) {
    events.push({ type: "mana", value: h.mana, max: h.max_mana });
  }
  Object.assign(me, defined({ health: h?.health, maxHealth: h?.max_health, mana: h?.mana, maxMana: h?.max_mana, level: h?.level, kills: pl?.kills, deaths: pl?.deaths, assists: pl?.assists }));
  if (h?.alive !== undefined) next.alive = h.alive;
  if (!was) return;
  // Damage: health down while alive before and after. Dota keeps the health fraction when max
  // health changes (level, items), so a drop with a new max is not a hit; death is its own event.
  if (was.alive === true && h?.alive === true && h.health !== undefined && old.health !== undefined && h.health < old.health && h.max_health === old.maxHealth) {
    // A hit is named by the game clock; without one it has no stable name, and only the state keeps it from repeating.
    const at = p.map?.game_time;
    events.push({ type: "damage_taken", amount: old.health - h.health, ...(at === undefined ? {} : { id: id(`hit@${at}:${h.health}`) }) });
  }
  const deaths = pl?.deaths ?? me.deaths ?? 0;
  if (was.alive === true && h?.alive === false) {
    next.respawnMax = h.respawn_seconds ?? 0;
    events.push({ type: "death", id: id(`death${deaths}`) });
  }
  if (h?.alive === false && h.respawn_seconds !== undefined && h.respawn_seconds !== old.respawn && next.respawnMax > 0) {
    events.push({ type: "respawn_seconds", value: h.respawn_seconds, max: next.respawnMax });
  }
  if (h?.respawn_seconds !== undefined) me.respawn = h.respawn_seconds;
  if (was.alive === false && h?.alive === true) events.push({ type: "respawn", id: id(`respawn${deaths}`) });
  const level = h?.level; // a level_up carries a whole level: nothing else is one
  if (level !== undefined && Number.isSafeInteger(level) && level >= 0 && old.level !== undefined && level > old.level) events.push({ type: "level_up", level, id: id(`level${level}`) });
  for (const [field, type] of [["kills", "kill"], ["assists", "assist"]] as const) {
    const cur = pl?.[field], before = old[field];
    if (cur === undefined || before === undefined) continue;
    for (const k of newUnits(before, cur)) events.push({ type, id: id(`${type}${k}`) } as AdapterEvent);
  }
}

/** Player slots 0–4 are Radiant, 5–9 Dire. */
const teamOfPlayer = (v: unknown) => (typeof v === "number" ? (v < 5 ? "radiant" : "dire") : undefined);

function objectives(list: NonNullable<Payload["events"]>, emit: boolean, next: DotaState, events: AdapterEvent[], id: (w: string) => string) {
  const seen = new Set(next.seen);
  const added: string[] = [];
  for (const e of list) {
    // Fields beyond event_type and game_time are unchecked: only scalars make the key.
    const key = [e.event_type, e.game_time, e.killer_player_id, e.player_id, e.killed_by_team, e.courier_team].map((v) => scalarText(v) ?? "").join("/");
    if (seen.has(key)) continue;
    seen.add(key);
    added.push(key);
    if (!emit) continue; // the first payload is a baseline: old entries are history
    const team = next.team;
    const obj = (kind: string, ally: boolean) => events.push({ type: "objective", kind, ally, id: id(`ev:${key}`) });
    if (e.event_type === "roshan_killed") obj("roshan", e.killed_by_team === team);
    else if (e.event_type === "aegis_picked_up") obj("aegis", teamOfPlayer(e.player_id) === team);
    else if (e.event_type === "aegis_denied") obj("aegis_denied", teamOfPlayer(e.player_id) === team);
    else if (e.event_type === "courier_killed") obj("courier", e.courier_team !== team);
  }
  if (added.length) next.seen = [...next.seen, ...added].slice(-SEEN_LIMIT);
}

const defined = (o: Record<string, number | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number>;

const DATA = ["provider", "map", "player", "hero", "events"];

export const dota2: Adapter<Config, DotaState> = {
  type: "dota2",
  name: "Dota 2 (Game State Integration)",
  game: "dota2",
  configSchema: DotaConfigSchema,
  emits: ["health", "mana", "damage_taken", "death", "respawn", "respawn_seconds", "level_up", "kill", "assist", "objective", "match_start", "match_end"],
  auth: "body",
  heartbeatMs: 10_000,
  step,
  setupFile: ({ url, token, name }) => ({
    path: "Steam/steamapps/common/dota 2 beta/game/dota/cfg/gamestate_integration/",
    filename: "gamestate_integration_ledbox.cfg",
    content: valveCfg(name, url, token, DATA),
  }),
  setup: `1. Download this integration's config from \`GET /api/v1/integrations/{id}/setup\`: \`gamestate_integration_ledbox.cfg\` with this device's address and the integration's token.
2. Put it in \`…/steamapps/common/dota 2 beta/game/dota/cfg/gamestate_integration/\` (create the \`gamestate_integration\` folder if it is missing).
3. In Steam, add the launch option \`-gamestateintegration\` to Dota 2 (widely reported as needed), then restart the game.

Health and mana follow your hero; damage taken (health lost while alive), death, respawn (with the respawn countdown), level-ups, kills, assists, Roshan/aegis/courier objectives and the match result fire once each.`,
};
