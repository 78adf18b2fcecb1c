// Presets are data: a set of mappings (and optionally a base layer) applied in one click.
// They target "*" (every segment) so they work whatever segments the user has made.
import type { BaseChange } from "../light/specs.ts";
import type { MappingInput } from "./mapping.ts";

export interface Preset {
  id: string;
  name: string;
  description: string;
  base?: Partial<Omit<BaseChange, "colors">> & { colors?: string[] };
  mappings: MappingInput[];
}

const HEALTH_GRADIENT = ["#ff0000", "#ffaa00", "#00ff40"];

export const PRESETS: Preset[] = [
  {
    id: "fps-combat",
    name: "FPS Combat",
    description: "Health bar, hits and kills, flashbangs that follow the real fade, bomb and round results (CS2 and other shooters).",
    base: { effect: "solid", colors: ["#1a3a80"], level: 0.4 },
    mappings: [
      { name: "Health bar", event: "health", action: { kind: "meter", gradient: HEALTH_GRADIENT, smoothingMs: 200, timeoutMs: 60_000, defaultValue: 0 } },
      // Held while health stays low (as long as the bar shows it); not at 0: dead is not low.
      { name: "Low health warning", event: "health", condition: [{ op: ">", value: 0 }, { op: "<", value: 0.25 }],
        action: { kind: "hold", effect: "pulse", colors: ["#ff0000"], hz: 1, durationMs: 2000, priority: 20, intensity: 0.7, timeoutMs: 60_000 } },
      { name: "Kill", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#ffffff"], durationMs: 250, priority: 60 } },
      // Same priority as the kill flash, blended by "add", so both show.
      { name: "Headshot", event: "kill", match: { headshot: true }, action: { kind: "effect", effect: "sweep", colors: ["#ffd000", "#ffffff"], durationMs: 400, priority: 60, blend: "add" } },
      { name: "Multikill", event: "multikill", action: { kind: "effect", effect: "strobe", colors: ["#ffd000", "#ff00ff"], hz: 3, durationMs: 1000, priority: 70 } },
      { name: "Damage", event: "damage_taken", action: { kind: "effect", effect: "flash", colors: ["#ff0000"], durationMs: 200, intensity: 0.7, priority: 40 } },
      { name: "Death", event: "death", action: { kind: "effect", effect: "color_shift", colors: ["#ff0000", "#200000"], durationMs: 2500, hz: 0.4, priority: 80 } },
      // No "> 0.05" condition: it dropped the fade's last values (down to 0), leaving the bar at
      // the last value above the threshold until the 3 s timeout.
      { name: "Flashbang", event: "flash", action: { kind: "meter", meter: "blind", gradient: ["#ffffff"], smoothingMs: 50, timeoutMs: 3000, defaultValue: 0, direction: "center" } },
      { name: "Bomb planted", event: "bomb_planted", action: { kind: "effect", effect: "breathing", colors: ["#ff2000"], hz: 1, durationMs: 40_000, priority: 30 } },
      { name: "Bomb gone", event: "bomb_defused", action: { kind: "clear", effect: "breathing" } },
      { name: "Bomb gone (exploded)", event: "bomb_exploded", action: { kind: "clear", effect: "breathing" } },
      { name: "Bomb gone (round over)", event: "round_end", action: { kind: "clear", effect: "breathing" } },
      { name: "Bomb defused", event: "bomb_defused", action: { kind: "effect", effect: "sweep", colors: ["#0080ff"], durationMs: 800, priority: 85 } },
      { name: "Bomb exploded", event: "bomb_exploded", action: { kind: "effect", effect: "flash", colors: ["#ff8000"], durationMs: 1500, fadeOutMs: 1400, priority: 90 } },
      { name: "Round won", event: "round_end", match: { result: "win" }, action: { kind: "effect", effect: "sweep", colors: ["#00ff40"], durationMs: 1200, priority: 75 } },
      { name: "Round lost", event: "round_end", match: { result: "loss" }, action: { kind: "effect", effect: "sweep", colors: ["#ff0000"], durationMs: 1200, priority: 75, reverse: true } },
    ],
  },
  {
    id: "moba-health",
    name: "MOBA Health",
    description: "Health bar over the first 70% of each segment, mana over the rest; death, respawn, level-ups and objectives.",
    base: { effect: "solid", colors: ["#001020"], level: 0.2 },
    mappings: [
      { name: "Health bar", event: "health", action: { kind: "meter", gradient: HEALTH_GRADIENT, smoothingMs: 250, timeoutMs: 120_000, to: 0.7 } },
      { name: "Mana bar", event: "mana", action: { kind: "meter", direction: "reverse", gradient: ["#0020ff", "#00a0ff"], smoothingMs: 250, timeoutMs: 120_000, from: 0.7 } },
      { name: "Death", event: "death", action: { kind: "effect", effect: "breathing", colors: ["#600000"], hz: 0.5, durationMs: 6000, priority: 80 } },
      { name: "Respawn", event: "respawn", action: { kind: "effect", effect: "sweep", colors: ["#ffffff", "#00ff80"], durationMs: 700, priority: 85 } },
      { name: "Level up", event: "level_up", action: { kind: "effect", effect: "sweep", colors: ["#ffd000"], durationMs: 600, priority: 60, blend: "add" } },
      { name: "Kill", event: "kill", action: { kind: "effect", effect: "flash", colors: ["#ffd000"], durationMs: 300, priority: 60 } },
      { name: "Allied objective", event: "objective", match: { ally: true }, action: { kind: "effect", effect: "color_shift", colors: ["#8000ff", "#00ffff"], durationMs: 2000, hz: 1, priority: 70 } },
      { name: "Enemy objective", event: "objective", match: { ally: false }, action: { kind: "effect", effect: "pulse", colors: ["#ff0040"], durationMs: 1500, hz: 2, priority: 70 } },
      { name: "Victory", event: "match_end", match: { result: "win" }, action: { kind: "effect", effect: "color_shift", colors: ["#00ff40", "#ffd000", "#00a0ff"], durationMs: 8000, hz: 0.5, priority: 90 } },
    ],
  },
  {
    id: "racing",
    name: "Racing",
    description: "Speed as a blue-to-white bar over 75% of each segment, boost over the rest, low-fuel warning, hits and results.",
    base: { effect: "solid", colors: ["#000000"], level: 0 },
    mappings: [
      { name: "Speed", event: "speed", action: { kind: "meter", gradient: ["#0030ff", "#a000ff", "#ffffff"], smoothingMs: 100, timeoutMs: 10_000, to: 0.75 } },
      { name: "Boost", event: "boost", action: { kind: "meter", direction: "reverse", gradient: ["#ff4000", "#ffd000"], smoothingMs: 100, timeoutMs: 10_000, from: 0.75 } },
      // Held while fuel stays low; empty is low too. It ends with the bars when the game goes quiet.
      { name: "Low fuel", event: "fuel", condition: { op: "<", value: 0.15 },
        action: { kind: "hold", effect: "pulse", colors: ["#ffa000"], hz: 1, durationMs: 3000, priority: 40, timeoutMs: 10_000 } },
      { name: "Crash", event: "damage_taken", action: { kind: "effect", effect: "flash", colors: ["#ff0000"], durationMs: 300, priority: 60 } },
      { name: "Win", event: "match_end", match: { result: "win" }, action: { kind: "effect", effect: "sweep", colors: ["#ffd000", "#ffffff"], durationMs: 1500, priority: 90 } },
    ],
  },
  {
    id: "generic-alert",
    name: "Generic Alert",
    description: "Calm ambient light with short notifications: custom events, servers and players coming and going, objectives.",
    base: { effect: "breathing", colors: ["#3020a0"], level: 0.25, hz: 0.1 },
    mappings: [
      { name: "Custom alert", event: "custom", action: { kind: "effect", effect: "pulse", colors: ["#00ffc0"], hz: 2, durationMs: 1500, priority: 60 } },
      { name: "Player joined", event: "player_joined", action: { kind: "effect", effect: "sweep", colors: ["#00ff40"], durationMs: 900, priority: 50 } },
      { name: "Player left", event: "player_left", action: { kind: "effect", effect: "sweep", colors: ["#ff4000"], durationMs: 900, priority: 50, reverse: true } },
      { name: "Server online", event: "server_online", action: { kind: "effect", effect: "breathing", colors: ["#00ff00"], hz: 1, durationMs: 2000, priority: 55 } },
      { name: "Server offline", event: "server_offline", action: { kind: "effect", effect: "breathing", colors: ["#ff0000"], hz: 1, durationMs: 3000, priority: 55 } },
      { name: "Objective", event: "objective", action: { kind: "effect", effect: "flash", colors: ["#ffffff"], durationMs: 400, priority: 60 } },
    ],
  },
  {
    id: "game-servers",
    name: "Game Servers",
    description: "For LAN hosts: how full your servers are as a calm bar, a green sweep when a friend joins, amber when one leaves, a soft colour drift on a new map, a red breath when a server goes down.",
    base: { effect: "solid", colors: ["#0a1020"], level: 0.3 },
    mappings: [
      // Slow smoothing and no timeout: the bar is a status, not an alert.
      { name: "Players", event: "players", action: { kind: "meter", meter: "players", gradient: ["#0040ff", "#00c080", "#ffb000"], smoothingMs: 800, timeoutMs: 0, defaultValue: 0, to: 0.6 } },
      { name: "Player joined", event: "player_joined", cooldownMs: 500, action: { kind: "effect", effect: "sweep", colors: ["#00ff60"], durationMs: 900, priority: 50, intensity: 0.8 } },
      { name: "Player left", event: "player_left", cooldownMs: 500, action: { kind: "effect", effect: "sweep", colors: ["#ff8000"], durationMs: 900, priority: 50, intensity: 0.6, reverse: true } },
      { name: "Map changed", event: "map_changed", action: { kind: "effect", effect: "color_shift", colors: ["#6000ff", "#00c0ff"], durationMs: 2500, hz: 0.4, priority: 55, intensity: 0.6 } },
      { name: "Server full", event: "server_full", action: { kind: "effect", effect: "pulse", colors: ["#ffb000"], hz: 1, durationMs: 2000, priority: 45, intensity: 0.6 } },
      { name: "Server empty", event: "server_empty", action: { kind: "effect", effect: "sweep", colors: ["#203060"], durationMs: 1500, priority: 45, reverse: true } },
      { name: "Server online", event: "server_online", action: { kind: "effect", effect: "breathing", colors: ["#00ff40"], hz: 0.5, durationMs: 2000, priority: 60 } },
      { name: "Server offline", event: "server_offline", action: { kind: "effect", effect: "breathing", colors: ["#ff0000"], hz: 0.5, durationMs: 4000, priority: 70 } },
    ],
  },
  {
    id: "match-day",
    name: "Match Day",
    description: "For tournament days (see Schedules): the strip fills slowly over the last 15 minutes before your match, a soft pulse at 15, 5 and 1 minute, a bright sweep when it starts.",
    base: { effect: "solid", colors: ["#080c18"], level: 0.3 },
    mappings: [
      // The countdown's fraction runs 1 → 0, its range backwards: the bar fills as the start nears.
      // A value comes every 5 s, so the timeout only ends the bar once the countdown is over.
      { name: "Countdown", event: "countdown", action: { kind: "meter", meter: "countdown", gradient: ["#1030ff", "#9030ff", "#ffa000"], smoothingMs: 4000, timeoutMs: 20_000, defaultValue: 0 } },
      { name: "Match soon", event: "match_upcoming", action: { kind: "effect", effect: "pulse", colors: ["#ffa000"], hz: 1, durationMs: 2000, priority: 50, intensity: 0.6 } },
      { name: "Match start", event: "match_start", game: "schedule", action: { kind: "effect", effect: "sweep", colors: ["#ffffff", "#ffd000"], durationMs: 1500, priority: 90 } },
    ],
  },
];

export const presetById = new Map(PRESETS.map((p) => [p.id, p]));
