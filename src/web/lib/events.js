// Test events: for a type (and optionally a mapping's game, match and condition), an event the
// API accepts, with the fields that type needs.

const VALUE_TYPES = new Set(["health", "armor", "shield", "mana", "energy", "ammo", "gold", "money", "fuel", "speed", "boost", "flash", "respawn_seconds", "players", "countdown"]);
const NEEDS = {
  custom: { name: "test" }, match_end: { result: "win" }, round_end: { result: "win" }, multikill: { count: 2 }, damage_taken: { amount: 25 },
  damage_dealt: { amount: 25 }, objective: { kind: "dragon", ally: true }, flashbang: { intensity: 1 }, map_changed: { map: "test_map" },
  match_upcoming: { minutes: 5 },
};

export function sampleEvent(type, { game, match, condition } = {}) {
  const e = { type, source: "web", ...NEEDS[type], ...(game ? { game } : {}), ...(match ?? {}) };
  // A value event below a "<" condition's threshold, so a low-health warning shows.
  if (VALUE_TYPES.has(type)) e.value = condition ? Math.max(0, condition.value * 100 - 1) : 50;
  return e;
}
