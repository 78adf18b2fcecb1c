// Optional Steam profile names and avatars (Steam Web API, GetPlayerSummaries v2), cached with a
// TTL. Off by default: nothing here runs without the user's key, so the device works offline.
import { z } from "zod";
import type { HistoryRepo, ProfileRow } from "../store/server-history.ts";
import { fetchBytes } from "../util/fetch.ts";

export const SteamOptionsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** 32 hex characters from steamcommunity.com/dev/apikey; stored, never returned. */
  apiKey: z.string().regex(/^[0-9A-Fa-f]{32}$/, "32 hexadecimal characters").optional(),
  ttlHours: z.int().min(1).max(24 * 30).default(24),
});
export type SteamOptions = z.infer<typeof SteamOptionsSchema>;

const BATCH = 100;
/** Steam's medium avatar is 64×64: a few KB. */
const MAX_AVATAR_BYTES = 256 * 1024;
export const STEAM_API = "https://api.steampowered.com";

export class SteamProfiles {
  lastProblem: string | null = null;
  private busy = false;

  constructor(
    private readonly repo: HistoryRepo,
    private readonly options: () => SteamOptions,
    private readonly now: () => number = Date.now,
    private readonly baseUrl = STEAM_API,
  ) {}

  /** Cached profiles for these ids (whatever their age). */
  lookup(ids: string[]): Map<string, ProfileRow> {
    return new Map(this.repo.profiles(ids).map((p) => [p.steam_id, p]));
  }

  /** Fetches the ids missing from the cache or older than the TTL; one refresh at a time, errors kept as lastProblem. */
  async refresh(ids: string[]): Promise<void> {
    const o = this.options();
    if (!o.enabled || !o.apiKey || this.busy || !ids.length) return;
    const cached = this.lookup(ids);
    const due = [...new Set(ids)].filter((id) => (cached.get(id)?.fetched_at ?? -Infinity) < this.now() - o.ttlHours * 3_600_000);
    if (!due.length) return;
    this.busy = true;
    try {
      for (let i = 0; i < due.length; i += BATCH) await this.fetchBatch(o.apiKey, due.slice(i, i + BATCH));
      this.lastProblem = null;
    } catch (e) {
      this.lastProblem = `Steam profiles: ${(e as Error).message}`;
    } finally {
      this.busy = false;
    }
  }

  /** A cached avatar image, served by the device (the page makes no external requests). */
  avatar(steamId: string): { type: string; bytes: Uint8Array } | null {
    return this.repo.avatar(steamId);
  }

  /** Keeps the avatars of these profiles on the device, fetching those missing or older than the TTL. */
  private async fetchAvatars(rows: ProfileRow[], ttlMs: number): Promise<void> {
    const fresh = this.repo.freshAvatars(rows.map((r) => r.steam_id), this.now() - ttlMs);
    for (const r of rows) {
      if (!r.avatar || fresh.has(r.steam_id) || !/^https?:\/\//.test(r.avatar)) continue;
      const { bytes, type } = await fetchBytes(r.avatar, { timeoutMs: 5000, maxBytes: MAX_AVATAR_BYTES, accept: "image/*" });
      if (!/^image\/(jpeg|png|gif|webp)\b/.test(type)) throw new Error(`an avatar came as ${type || "no type"}, not an image`);
      this.repo.saveAvatar(r.steam_id, type, bytes, this.now());
    }
  }

  private async fetchBatch(key: string, ids: string[]): Promise<void> {
    const url = `${this.baseUrl}/ISteamUser/GetPlayerSummaries/v2/?key=${key}&steamids=${ids.join(",")}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (res.status === 401 || res.status === 403) throw new Error("the Steam Web API refused the key");
    if (!res.ok) throw new Error(`the Steam Web API answered HTTP ${res.status}`);
    const players = ((await res.json()) as { response?: { players?: unknown[] } }).response?.players;
    if (!Array.isArray(players)) throw new Error("unexpected reply from the Steam Web API");
    const at = this.now();
    const rows = players.flatMap((p: any) => (typeof p?.steamid === "string" && typeof p.personaname === "string"
      ? [{ steam_id: p.steamid, name: p.personaname, avatar: typeof p.avatarmedium === "string" ? p.avatarmedium : null, fetched_at: at }] : []));
    this.repo.saveProfiles(rows);
    await this.fetchAvatars(rows, this.options().ttlHours * 3_600_000);
  }
}
