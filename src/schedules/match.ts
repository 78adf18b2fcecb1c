// The one shape every source's matches take, and who "me" is.
import type { MatchData } from "../store/schedules.ts";
import type { SourceConfig } from "./config.ts";

export type { MatchData };

/** An item of a source left out, with the reason in words. */
export interface Skipped {
  reason: string;
  /** The external id it had (a calendar event's UID stands for all its occurrences): what was imported of it before stays as it was. */
  key?: string;
}

/** What one fetch of a source gave. */
export interface Extracted {
  matches: MatchData[];
  skipped: Skipped[];
}

/** The span imported: matches starting in it (UTC ms). */
export interface Window {
  from: number;
  to: number;
}

export const inWindow = (m: MatchData, w: Window) => m.startAt >= w.from && m.startAt <= w.to;

export type Me = Pick<SourceConfig, "names" | "discordIds" | "followAll">;

export const TITLE_MAX = 200;

/** Same name, whatever the case (display names are typed by people). */
export const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

/** The name as a whole word in the text ("Scrim vs Foxes" mentions "foxes", not "fox"). */
export function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "iu").test(text);
}

/** Whether two versions of a match differ in anything the store keeps. */
export const sameMatch = (a: MatchData, b: MatchData) =>
  a.title === b.title && a.startAt === b.startAt && a.endAt === b.endAt && a.mine === b.mine && a.players.join("\n") === b.players.join("\n");

export const clip = (s: string, max = TITLE_MAX) => s.trim().replace(/\s+/g, " ").slice(0, max);
