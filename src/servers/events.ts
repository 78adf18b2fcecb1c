// What changed on a server between two polls, as GameEvents for the bus.
import type { GameEventInput } from "../events/schema.ts";

export interface Observed {
  online: boolean;
  players: number;
  maxPlayers?: number;
  map?: string;
}

/** More would only repeat the same effect: a whole team joining at once shows as a few sweeps. */
const MAX_PLAYER_EVENTS = 8;

/**
 * `prev` null = the first poll since start: only the player fraction is sent (so a meter shows
 * it), no joins for players who were already there. `who` lists names when the server gives a
 * complete roster; without one, changes in the count stand for anonymous joins and leaves.
 */
export function serverEvents(prev: Observed | null, cur: Observed, who: { joined: string[]; left: string[] } | null, tag: { game: string; source: string }): GameEventInput[] {
  const out: GameEventInput[] = [];
  const add = (e: Record<string, unknown>) => out.push({ ...e, game: tag.game, source: tag.source } as GameEventInput);
  const fraction = () => add({ type: "players", value: cur.players, min: 0, max: cur.maxPlayers || Math.max(cur.players, 1) });
  if (!prev) {
    if (cur.online) fraction();
    return out;
  }
  if (prev.online !== cur.online) {
    add({ type: cur.online ? "server_online" : "server_offline" });
    fraction();
    return out;
  }
  if (!cur.online) return out;
  if (cur.map && prev.map && cur.map !== prev.map) add({ type: "map_changed", map: cur.map });
  const delta = cur.players - prev.players;
  const joined = who ? who.joined : Array<string | undefined>(Math.max(0, delta)).fill(undefined);
  const left = who ? who.left : Array<string | undefined>(Math.max(0, -delta)).fill(undefined);
  for (const name of left.slice(0, MAX_PLAYER_EVENTS)) add({ type: "player_left", ...(name ? { name: name.slice(0, 128) } : {}) });
  for (const name of joined.slice(0, MAX_PLAYER_EVENTS)) add({ type: "player_joined", ...(name ? { name: name.slice(0, 128) } : {}) });
  const max = cur.maxPlayers ?? 0;
  if (max > 0 && cur.players >= max && prev.players < max) add({ type: "server_full" });
  if (cur.players === 0 && prev.players > 0) add({ type: "server_empty" });
  if (delta !== 0 || cur.maxPlayers !== prev.maxPlayers) fraction();
  return out;
}
