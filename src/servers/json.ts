// Polls any HTTP endpoint that returns JSON: dotted paths ("data.players.0.name", as the game
// adapters read them) map its fields to the server's state, and optional rules of the game
// adapters' rule engine fire further events from it.
import { z } from "zod";
import { at } from "../util/json.ts";
import { RuleSchema } from "../games/rules.ts";
import { fetchText } from "../util/fetch.ts";
import { ProtocolError } from "./reader.ts";

const JsonPath = z.string().max(200).regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, "a dotted path like data.players.0.name");

export const JsonRulesSchema = z.strictObject({
  /** A number, or an array whose length is the count. */
  players: JsonPath,
  maxPlayers: JsonPath.optional(),
  map: JsonPath.optional(),
  name: JsonPath.optional(),
  /** An array of player names, or of objects whose `playerName` field is the name. */
  playerList: JsonPath.optional(),
  playerName: z.string().min(1).max(64).default("name"),
  /** A boolean; absent = online whenever the endpoint answers. */
  online: JsonPath.optional(),
  /** Rules of the game adapters' engine (src/games/rules.ts), run on every reply. */
  events: z.array(RuleSchema).max(32).default([]),
});
export type JsonRules = z.infer<typeof JsonRulesSchema>;

export interface JsonState {
  online: boolean;
  name?: string;
  map?: string;
  players: number;
  maxPlayers?: number;
  names: string[] | null;
  /** The whole reply, for the event rules. */
  doc: unknown;
}

const MAX_BODY = 1 << 20;

export async function queryJson(url: string, rules: JsonRules, opts: { timeoutMs?: number } = {}): Promise<JsonState> {
  let text: string;
  try {
    text = await fetchText(url, { timeoutMs: opts.timeoutMs ?? 2000, maxBytes: MAX_BODY, accept: "application/json" });
  } catch (e) {
    throw new ProtocolError((e as Error).message);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ProtocolError("reply is not valid JSON");
  }
  return mapJson(doc, rules);
}

export function mapJson(doc: unknown, r: JsonRules): JsonState {
  const count = at(doc, r.players);
  const players = Array.isArray(count) ? count.length : count;
  if (typeof players !== "number" || !Number.isFinite(players)) throw new ProtocolError(`"${r.players}" is not a number or an array in the reply`);
  const list = r.playerList ? at(doc, r.playerList) : undefined;
  const names = Array.isArray(list) ? list.map((p) => (typeof p === "string" ? p : at(p, r.playerName))).filter((n): n is string => typeof n === "string" && n !== "") : null;
  const str = (p?: string) => (p && typeof at(doc, p) === "string" ? (at(doc, p) as string) : undefined);
  const max = r.maxPlayers ? at(doc, r.maxPlayers) : undefined;
  return {
    online: r.online ? at(doc, r.online) === true : true,
    name: str(r.name), map: str(r.map), players,
    maxPlayers: typeof max === "number" ? max : undefined,
    names,
    doc,
  };
}
