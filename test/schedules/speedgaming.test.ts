// SpeedGaming episodes → matches: the live feed's shape (unset strings "", match2 null, titles
// empty), who is "me", and malformed episodes left out one by one.
import { describe, expect, test } from "bun:test";
import { episodesToMatches, scheduleUrl } from "../../src/schedules/speedgaming.ts";
import { episode } from "./fakes.ts";

const me = (names: string[] = [], discordIds: string[] = [], followAll = false) => ({ names, discordIds, followAll });
const WHEN = "2026-12-01T18:00:00+00:00";

describe("SpeedGaming episodes", () => {
  test("the schedule URL asks for the event in the window, with the trailing slash the API wants", () => {
    const u = new URL(scheduleUrl("http://127.0.0.1:9/", "alttprleague", Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 31)));
    expect(u.pathname).toBe("/api/schedule/");
    expect(Object.fromEntries(u.searchParams)).toEqual({ event: "alttprleague", from: "2026-12-01T00:00:00.000Z", to: "2026-12-31T00:00:00.000Z" });
  });

  test("an episode becomes one match: UTC start, end from its length, players, the side's note as title", () => {
    const got = episodesToMatches([episode(900001, "2026-12-01T19:00:00+01:00", [{ displayName: "Alice" }, { displayName: "Bob", discordId: "222222222222222222" }])], me(["alice"]));
    expect(got).toEqual({
      matches: [{ externalId: "900001", title: "Swiss Round 1", startAt: Date.UTC(2026, 11, 1, 18), endAt: Date.UTC(2026, 11, 1, 19, 30), players: ["Alice", "Bob"], mine: true }],
      skipped: [],
    });
  });

  test("titles: the episode's, else match1's title, else its note, else the players, else the event", () => {
    const title = (extra: Record<string, unknown>, players = [{ displayName: "A" }, { displayName: "B" }]) => episodesToMatches([episode(1, WHEN, players, extra)], me()).matches[0].title;
    expect(title({ title: "Grand Final" })).toBe("Grand Final");
    expect(title({ match1: { id: 1, title: "Lower Quarterfinal", note: "inertia:f7kyc", players: [] } })).toBe("Lower Quarterfinal");
    expect(title({ match1: { id: 1, title: "", note: "", players: [{ displayName: "A" }, { displayName: "B" }] } })).toBe("A vs B");
    expect(title({ match1: { id: 1, title: "", note: "", players: [] } })).toBe("ALTTPR League");
    expect(title({ title: "x".repeat(400) })).toHaveLength(200);
  });

  test("mine: a display name in any case, a Discord id, a seat on the crew, or the whole event followed", () => {
    const ep = episode(1, WHEN, [{ displayName: "PlayerOne", discordId: "111111111111111111" }, { displayName: "PlayerTwo" }], {
      commentators: [{ id: 9, displayName: "CasterOne", discordId: "333333333333333333", approved: true, ready: false }],
    });
    const mine = (m: ReturnType<typeof me>) => episodesToMatches([ep], m).matches[0].mine;
    expect(mine(me(["playertwo"]))).toBe(true);
    expect(mine(me([], ["111111111111111111"]))).toBe(true);
    expect(mine(me(["CasterOne"]))).toBe(true);
    expect(mine(me([], [], true))).toBe(true);
    expect(mine(me(["PlayerThree", "Caster"], ["999999999999999999"]))).toBe(false);
  });

  test("a doubleheader: both sides' players; a player without a name shows by Discord id", () => {
    const ep = episode(4, WHEN, [{ displayName: "Six" }], {
      match2: { id: 2, title: "", note: "Showcase", players: [{ id: 8, displayName: "", discordId: "444444444444444444" }] },
    });
    expect(episodesToMatches([ep], me([], ["444444444444444444"])).matches[0]).toMatchObject({ players: ["Six", "Discord 444444444444444444"], mine: true });
  });

  test("malformed episodes are left out with the reason; the rest are kept", () => {
    const good = episode(10, WHEN, [{ displayName: "A" }]);
    const got = episodesToMatches([
      good,
      { ...episode(11, WHEN, []), when: "" },
      { ...episode(12, WHEN, []), when: "2026-12-01T18:00:00" },
      { ...episode(13, WHEN, []), when: "2026-13-45T18:00:00Z" },
      { ...episode(14, WHEN, []), id: -3 },
      "not an episode",
      null,
      { ...episode(15, WHEN, []), length: "ninety", match1: "?", commentators: null },
    ], me());
    expect(got.matches.map((m) => m.externalId)).toEqual(["10", "15"]);
    // A junk length or side costs only that detail.
    expect(got.matches[1]).toMatchObject({ endAt: null, title: "ALTTPR League", players: [] });
    expect(got.skipped).toEqual([
      { reason: "episode 11: when: an ISO time with a UTC offset", key: "11" },
      { reason: "episode 12: when: an ISO time with a UTC offset", key: "12" },
      { reason: "episode 13: when: not a real date", key: "13" },
      { reason: expect.stringMatching(/^episode -3: id: /), key: "-3" },
      { reason: expect.stringMatching(/^episode #6: /), key: undefined },
      { reason: expect.stringMatching(/^episode #7: /), key: undefined },
    ]);
  });

  test("SpeedGaming's error object (a 200) and a reply that is not a list fail the whole import", () => {
    expect(() => episodesToMatches({ error: "Failed to find event." }, me())).toThrow("SpeedGaming: Failed to find event.");
    expect(() => episodesToMatches({ episodes: [] }, me())).toThrow("unexpected reply: expected a list of episodes");
    expect(episodesToMatches([], me())).toEqual({ matches: [], skipped: [] });
  });
});
