import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SteamProfiles, type SteamOptions } from "../../src/servers/steam.ts";
import { openDatabase } from "../../src/store/db.ts";
import { HistoryRepo } from "../../src/store/server-history.ts";

const KEY = "0123456789abcdef0123456789abcdef";
let api: ReturnType<typeof Bun.serve>;
let requests: URL[] = [];
let refuse = false;

beforeAll(() => {
  api = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch(req) {
    const url = new URL(req.url);
    requests.push(url);
    if (refuse) return new Response("Forbidden", { status: 403 });
    const ids = (url.searchParams.get("steamids") ?? "").split(",");
    return Response.json({ response: { players: ids.map((steamid) => ({ steamid, personaname: `name-${steamid.slice(-2)}`, avatarmedium: `https://avatars.example/${steamid}.jpg` })) } });
  } });
});
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
    expect(requests.map((u) => [u.pathname, u.searchParams.get("key"), u.searchParams.get("steamids")!.split(",").length])).toEqual([
      ["/ISteamUser/GetPlayerSummaries/v2/", KEY, 100], ["/ISteamUser/GetPlayerSummaries/v2/", KEY, 50],
    ]);
    expect(steam.lookup([ids[5]]).get(ids[5])).toMatchObject({ name: "name-05", avatar: `https://avatars.example/${ids[5]}.jpg` });
    requests = [];
    clock += 23 * 3_600_000;
    await steam.refresh(ids.slice(0, 3));
    expect(requests).toEqual([]);
    clock += 2 * 3_600_000;
    await steam.refresh(ids.slice(0, 3));
    expect(requests.length).toBe(1);
    refuse = true;
    clock += 25 * 3_600_000;
    await steam.refresh(ids.slice(0, 3));
    expect(steam.lastProblem).toBe("Steam profiles: the Steam Web API refused the key");
    // The cached names stay usable.
    expect(steam.lookup([ids[0]]).get(ids[0])?.name).toBe("name-00");
  });
});
