// Counter-Strike 2 Game State Integration. The game POSTs its whole state (plus `previously` and
// `added`) on every change, on a heartbeat, and again in full after a timeout, so every trigger is
// a diff against this adapter's own saved state — never `previously` alone — and a resend fires
// nothing. Only without a saved state (a new integration) do `previously` (the old values of what
// changed) and `added` (keys that were not there) stand in for it: they rebuild the payload before
// this one, so the transition it shows fires with the ids it would have had. The player block is
// "me" only when its steamid is the provider's: after a death it follows the spectated player,
// whose kills and health are not ours.
import { z } from "zod";
import { isObject } from "../util/json.ts";
import { describeIssues } from "../util/validation.ts";
import { newUnits, PayloadError, type Adapter, type AdapterEvent, type StepResult } from "./adapter.ts";

const n = z.number().finite().optional();
const s = z.string().optional();
const Weapon = z.looseObject({ type: s, ammo_clip: n, ammo_clip_max: n, state: s });
const Payload = z.looseObject({
  provider: z.looseObject({ steamid: s, timestamp: n }),
  map: z.looseObject({ name: s, phase: s, round: n, team_ct: z.looseObject({ score: n }).optional(), team_t: z.looseObject({ score: n }).optional() }).optional(),
  round: z.looseObject({ phase: s, bomb: s, win_team: s }).optional(),
  player: z.looseObject({
    steamid: s,
    team: s,
    state: z.looseObject({ health: n, armor: n, flashed: n, smoked: n, burning: n, money: n, round_kills: n, round_killhs: n }).optional(),
    match_stats: z.looseObject({ assists: n }).optional(),
    weapons: z.record(z.string(), Weapon).optional(),
  }).optional(),
});
type Payload = z.infer<typeof Payload>;

export interface Cs2State {
  /** Identifies the match in event ids: the provider timestamp when this map/match was first seen. */
  epoch: number;
  map?: string;
  mapPhase?: string;
  roundPhase?: string;
  /** The round that per-round ids refer to; moves on at freeze time, not when map.round ticks at the end. */
  roundKey: number;
  bomb?: string;
  winTeam?: string;
  team?: string;
  me: Record<string, number>;
  flashRising: boolean;
}

export const Cs2ConfigSchema = z.strictObject({
  smokeAndFire: z.boolean().default(true).describe("Also send the smoke and fire intensities (custom events \"smoked\" and \"burning\", 0–255)"),
});
type Config = z.infer<typeof Cs2ConfigSchema>;

const VALUES = [["health", "health"], ["armor", "armor"], ["money", "money"], ["flashed", "flash"]] as const;

function step(raw: unknown, prev: Cs2State | undefined, config: Config, source: string): StepResult<Cs2State> {
  const r = Payload.safeParse(raw);
  if (!r.success) throw new PayloadError(`not a CS2 GSI payload: ${describeIssues(r.error)}`);
  if (prev) return diff(r.data, prev, config, source, false);
  const before = Payload.safeParse(payloadBefore(r.data));
  // Without `previously`/`added` (or with ones that do not read), this payload is the baseline.
  if (!before.success) return diff(r.data, undefined, config, source, false);
  // Values as a first payload sends them all; triggers from the transition.
  return diff(r.data, diff(before.data, undefined, config, source, false).next, config, source, true);
}

/** The payload before this one: this one with `added` keys taken out and `previously` values put back; undefined without either. */
function payloadBefore(p: Record<string, unknown>): unknown {
  const { previously, added, ...now } = p;
  if (!isObject(previously) && !isObject(added)) return undefined;
  return restore(withoutAdded(now, added), previously);
}

function withoutAdded(now: Record<string, unknown>, added: unknown): Record<string, unknown> {
  if (!isObject(added)) return now;
  const out = { ...now };
  for (const [k, v] of Object.entries(added)) {
    if (v === true) delete out[k];
    else if (isObject(out[k])) out[k] = withoutAdded(out[k] as Record<string, unknown>, v);
  }
  return out;
}

function restore(now: Record<string, unknown>, previously: unknown): Record<string, unknown> {
  if (!isObject(previously)) return now;
  const out = { ...now };
  for (const [k, v] of Object.entries(previously)) out[k] = isObject(v) && isObject(out[k]) ? restore(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** Events from this payload against the state before it (none: the first payload, values only); `allValues` sends unchanged values too. */
function diff(p: Payload, prev: Cs2State | undefined, config: Config, source: string, allValues: boolean): StepResult<Cs2State> {
  const events: AdapterEvent[] = [];
  const map = p.map;
  const newMap = !prev || map?.name !== prev.map;
  const live = map?.phase === "live" && prev?.mapPhase === "warmup";
  const epoch = newMap || live ? (p.provider.timestamp ?? Date.now() / 1000) : prev!.epoch;
  const next: Cs2State = {
    epoch, map: map?.name, mapPhase: map?.phase, roundPhase: p.round?.phase, bomb: p.round?.bomb, winTeam: p.round?.win_team,
    roundKey: prev && !newMap && !live ? prev.roundKey : (map?.round ?? 0),
    team: prev?.team, me: prev?.me ?? {}, flashRising: prev?.flashRising ?? false,
  };
  if (p.round?.phase === "freezetime" && prev?.roundPhase !== "freezetime") next.roundKey = map?.round ?? next.roundKey;
  const id = (what: string) => `${source}:${epoch}:r${next.roundKey}:${what}`;
  const baseline = !prev;

  if (prev && newMap && map?.name) events.push({ type: "map_changed", map: map.name.slice(0, 128), id: `${source}:${epoch}:map` });
  if (live) events.push({ type: "match_start", id: `${source}:${epoch}:start` });
  if (!baseline && p.round?.phase === "freezetime" && prev.roundPhase !== "freezetime" && !newMap) events.push({ type: "round_start", id: id("start") });

  const player = p.player;
  const isMe = player !== undefined && player.steamid !== undefined && player.steamid === p.provider.steamid;
  if (isMe && player.team) next.team = player.team;
  const myScore = (team?: string) => (team === "CT" ? map?.team_ct?.score : team === "T" ? map?.team_t?.score : undefined);
  const resultFor = (winner: string | undefined) => (winner === next.team ? "win" : "loss") as "win" | "loss";

  // Bomb first: it can change in the same POST that ends the round.
  if (!baseline && !newMap && p.round?.bomb && p.round.bomb !== prev.bomb) {
    const type = ({ planted: "bomb_planted", defused: "bomb_defused", exploded: "bomb_exploded" } as const)[p.round.bomb as "planted"];
    if (type) events.push({ type, id: id(type) });
  }
  if (!baseline && !newMap && p.round?.win_team && !prev.winTeam && next.team) {
    events.push({ type: "round_end", result: resultFor(p.round.win_team), id: id("end") });
  }
  if (!baseline && !newMap && map?.phase === "gameover" && prev.mapPhase !== "gameover" && next.team) {
    const mine = myScore(next.team) ?? 0;
    const theirs = myScore(next.team === "CT" ? "T" : "CT") ?? 0;
    events.push({ type: "match_end", result: mine > theirs ? "win" : mine < theirs ? "loss" : "draw", id: `${source}:${epoch}:end` });
  }

  let note: string | undefined;
  if (player && !isMe) note = `payload is from a spectated player (steamid ${player.steamid ?? "unknown"}): nothing about you changed`;
  if (isMe && player.state) {
    const st = player.state;
    const was = prev?.me ?? {};
    const me: Record<string, number> = { ...was };
    for (const [field, type] of VALUES) {
      const v = st[field];
      if (v === undefined) continue;
      me[field] = v;
      if (allValues || v !== was[field]) events.push({ type, value: v });
    }
    if (config.smokeAndFire) {
      for (const name of ["smoked", "burning"] as const) {
        const v = st[name];
        if (v === undefined) continue;
        me[name] = v;
        if (allValues || v !== was[name]) events.push({ type: "custom", name, value: v });
      }
    }
    const weapon = Object.values(player.weapons ?? {}).find((w) => w.state === "active" || w.state === "reloading");
    if (weapon?.ammo_clip !== undefined && weapon.ammo_clip_max) {
      me.ammo = weapon.ammo_clip;
      me.ammoMax = weapon.ammo_clip_max;
      if (allValues || weapon.ammo_clip !== was.ammo || weapon.ammo_clip_max !== was.ammoMax) events.push({ type: "ammo", value: weapon.ammo_clip, max: weapon.ammo_clip_max });
    }
    if (!baseline) diffMe(st, was, events, id, next, player.match_stats?.assists, `${source}:${epoch}`, p.provider.timestamp);
    if (st.round_kills !== undefined) [me.round_kills, me.round_killhs] = [st.round_kills, st.round_killhs ?? 0];
    if (player.match_stats?.assists !== undefined) me.assists = player.match_stats.assists;
    next.me = me;
  }
  return { events, next, note };
}

/** Triggers from my own numbers: damage, death, kills (with headshots), multikills, assists, flashbangs. */
function diffMe(st: NonNullable<NonNullable<Payload["player"]>["state"]>, was: Record<string, number>, events: AdapterEvent[], id: (w: string) => string, next: Cs2State, assists: number | undefined, match: string, stamp: number | undefined) {
  const hp = st.health;
  if (hp !== undefined && was.health !== undefined && hp < was.health) {
    events.push({ type: "damage_taken", amount: was.health - hp, id: id(`hp${hp}`) });
    if (hp === 0) events.push({ type: "death", id: id("death") });
  }
  const kills = st.round_kills, hs = st.round_killhs ?? 0;
  if (kills !== undefined && was.round_kills !== undefined && kills > was.round_kills) {
    let newHs = Math.max(0, hs - (was.round_killhs ?? 0));
    for (const k of newUnits(was.round_kills, kills)) events.push({ type: "kill", headshot: newHs-- > 0, id: id(`k${k}`) });
    if (kills >= 2) events.push({ type: "multikill", count: Math.min(kills, 64), id: id(`mk${kills}`) });
    if (kills >= 5 && was.round_kills < 5) events.push({ type: "ace", id: id("ace") });
  }
  if (assists !== undefined && was.assists !== undefined && assists > was.assists) {
    for (const a of newUnits(was.assists, assists)) events.push({ type: "assist", id: `${match}:a${a}` });
  }
  const f = st.flashed;
  if (f !== undefined && was.flashed !== undefined) {
    const rising = f > was.flashed;
    if (rising && !next.flashRising) events.push({ type: "flashbang", intensity: Math.min(1, f / 255), id: id(`flash@${stamp ?? f}`) });
    next.flashRising = rising;
  }
}

const DATA = ["provider", "map", "round", "player_id", "player_state", "player_weapons", "player_match_stats"];

export const cs2: Adapter<Config, Cs2State> = {
  type: "cs2",
  name: "Counter-Strike 2 (Game State Integration)",
  game: "cs2",
  configSchema: Cs2ConfigSchema,
  emits: ["health", "armor", "money", "ammo", "flash", "custom", "damage_taken", "death", "kill", "multikill", "ace", "assist", "flashbang",
    "bomb_planted", "bomb_defused", "bomb_exploded", "round_start", "round_end", "match_start", "match_end", "map_changed"],
  auth: "body",
  heartbeatMs: 10_000,
  step,
  setupFile: ({ url, token, name }) => ({
    path: "Steam/steamapps/common/Counter-Strike Global Offensive/game/csgo/cfg/",
    filename: "gamestate_integration_ledbox.cfg",
    content: valveCfg(name, url, token, DATA),
  }),
  setup: `1. Download this integration's config from \`GET /api/v1/integrations/{id}/setup\` (or the web page): \`gamestate_integration_ledbox.cfg\` with this device's address and the integration's own token.
2. Put it in \`…/steamapps/common/Counter-Strike Global Offensive/game/csgo/cfg/\` (CS2 reads \`game/csgo/cfg\`, not the old \`csgo/cfg\`).
3. Restart CS2 — it reads the file only at launch. The status shows *connected* within 10 s (the heartbeat).

Only your own player counts: while you spectate after a death nothing about you changes, and the status says so. The bomb is reported late on purpose by the game, so any bomb countdown is approximate.`,
};

/** A Valve KeyValues GSI config: short buffer/throttle for snappy lights, a 10 s heartbeat for "connected". */
export function valveCfg(name: string, url: string, token: string, data: string[]): string {
  const q = (v: string) => `"${v.replace(/["\\]/g, "")}"`;
  return [
    `${q(`ledbox ${name}`)}`,
    "{",
    `  "uri" ${q(url)}`,
    `  "timeout" "5.0"`,
    `  "buffer" "0.1"`,
    `  "throttle" "0.1"`,
    `  "heartbeat" "10.0"`,
    `  "auth" { "token" ${q(token)} }`,
    `  "data"`,
    "  {",
    ...data.map((d) => `    ${q(d)} "1"`),
    "  }",
    "}",
    "",
  ].join("\n");
}
