import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SteamProfiles, type SteamOptions } from "../../src/servers/steam.ts";
import { openDatabase } from "../../src/store/db.ts";
import { HistoryRepo } from "../../src/store/server-history.ts";

const KEY = "0123456789abcdef0123456789abcdef";
let api: ReturnType<typeof Bun.serve>;
let requests: URL[] = [];
let refuse = false;
let avatarType = "image/jpeg";
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9);

beforeAll(() => {
  api = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch(req) {
    const url = new URL(req.url);
    requests.push(url);
    if (url.pathname.startsWith("/avatars/")) return new Response(JPEG, { headers: { "content-type": avatarType } });
    if (refuse) return new Response("Forbidden", { status: 403 });
    const ids = (url.searchParams.get("steamids") ?? "").split(",");
    return Response.json({ response: { players: ids.map((steamid) => ({ steamid, personaname: `name-${steamid.slice(-2)}`, avatarmedium: `${url.origin}/avatars/${steamid}.jpg` })) } });
  } });
});
const summaries = (list: URL[]) => list.filter((u) => !u.pathname.startsWith("/avatars/"));
afterAll(() => api.stop(true));

describe("Steam profiles", () => {
  test("off by default; when on, fetches missing ids in batches of 100, then only after the TTL", async () => {
    let clock = 1_000_000;
    let options: SteamOptions = { enabled: false, ttlHours: 24 };
    const steam = new SteamProfiles(new HistoryRepo(openDatabase(":memory:")), () => options, () => clock, api.url.origin);
    const ids = Array.from({ length: 150 }, (_, i) => String(76561198000000000n + BigInt(i)));
    await steam.refresh(ids);
    expect(requests).toEqual([]);
    options = { enabled: true, apiKey: KEY, ttlHours: 24 };
    await steam.refresh(ids);
    expect(summaries(requests).map((u) => [u.pathname, u.searchParams.get("key"), u.searchParams.get("steamids")!.split(",").length])).toEqual([
      ["/ISteamUser/GetPlayerSummaries/v2/", KEY, 100], ["/ISteamUser/GetPlayerSummaries/v2/", KEY, 50],
    ]);
    expect(steam.lookup([ids[5]]).get(ids[5])).toMatchObject({ name: "name-05", avatar: `${api.url.origin}/avatars/${ids[5]}.jpg` });
    // Each avatar is fetched once and kept on the device, so the page never reaches outside.
    expect(requests.filter((u) => u.pathname.startsWith("/avatars/")).length).toBe(150);
    expect(steam.avatar(ids[5])).toEqual({ type: "image/jpeg", bytes: JPEG });
    requests = [];
    clock += 23 * 3_600_000;
    await steam.refresh(ids.slice(0, 3));
    expect(requests).toEqual([]);
    clock += 2 * 3_600_000;
    await steam.refresh(ids.slice(0, 3));
    expect(summaries(requests).length).toBe(1);
    expect(requests.length - summaries(requests).length).toBe(3); // their avatars too, past the TTL
    refuse = true;
    clock += 25 * 3_600_000;
    await steam.refresh(ids.slice(0, 3));
    expect(steam.lastProblem).toBe("Steam profiles: the Steam Web API refused the key");
    // The cached names stay usable.
    expect(steam.lookup([ids[0]]).get(ids[0])?.name).toBe("name-00");
  });

  test("an avatar that is not an image is refused and said so; the profile names stay", async () => {
    refuse = false;
    avatarType = "text/html";
    const steam = new SteamProfiles(new HistoryRepo(openDatabase(":memory:")), () => ({ enabled: true, apiKey: KEY, ttlHours: 24 }), () => 1, api.url.origin);
    const id = "76561198000000777";
    await steam.refresh([id]);
    expect(steam.lastProblem).toBe("Steam profiles: an avatar came as text/html, not an image");
    expect(steam.avatar(id)).toBeNull();
    expect(steam.lookup([id]).get(id)?.name).toBe("name-77");
    avatarType = "image/jpeg";
  });
});
