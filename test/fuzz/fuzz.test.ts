// The fuzzer's short run (the long one is `npx bun test/bench/fuzz.ts`): every entry point with a
// fixed seed, in-process on a real device, then through its HTTP server and a real MQTT broker.
// A finding prints its case number: `npx bun test/bench/fuzz.ts --only "<target>" --case N`
// replays it and prints the whole input.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { apiToken } from "../helpers/box.ts";
import { fuzz, type Target } from "./lib.ts";
import { deviceTargets, harness, parserTargets, type Harness } from "./targets.ts";
import { fuzzHttp, fuzzMqtt, type Integration } from "./through.ts";

setDefaultTimeout(120_000);

const SEED = 20261129;
const CASES = 1000;

let h: Harness;
let targets: Target[];
beforeAll(async () => {
  h = await harness();
  targets = [...parserTargets(), ...deviceTargets(h)];
});
afterAll(() => h.stop());

describe(`${CASES} cases per entry point, in-process`, () => {
  // The names are known before the harness exists: one test each, so a finding names its target.
  const names = [
    "declarative adapter YAML", "A2S_INFO", "A2S_PLAYER", "A2S bzip2", "RCON packets", "RCON status text", "Minecraft status", "JSON server",
    "HTTP ingest", ...["cs2", "dota2", "lol", "rocketleague", "webhook", "minecraft", "valorant"].map((t) => `integration ingest: ${t}`),
    "Rocket League stream", "MQTT topics", "live channel", "settings", "mappings",
  ];
  for (const name of names) {
    test(name, async () => {
      const t = targets.find((x) => x.name.includes(name));
      expect(t).toBeDefined();
      const r = await fuzz(t!, { cases: CASES, seed: SEED });
      expect(r.findings).toEqual([]);
      expect(r.cases).toBe(CASES);
    });
  }
  test("every entry point has its test above", () => {
    expect(targets.filter((t) => !names.some((n) => t.name.includes(n))).map((t) => t.name)).toEqual([]);
  });
});

describe("through the real edges", () => {
  const integrations = (): Integration[] => [...h.integrations.values()].map((r) => ({ id: r.id, type: r.type, token: h.t.box.integrations.token(r.id) }));

  test("500 mutated HTTP requests: every answer a 2xx or a 4xx with the error shape; the device serves and renders after", async () => {
    const { authorization } = await apiToken(h.t, "fuzz-http");
    const r = await fuzzHttp(h.t.url, authorization, integrations(), 500, SEED);
    expect(r.findings).toEqual([]);
    expect(Object.keys(r.statuses).map(Number).every((s) => s < 500)).toBe(true);
  });

  test("300 mutated MQTT messages through the broker: all taken or refused, still connected, still rendering", async () => {
    const { authorization } = await apiToken(h.t, "fuzz-mqtt");
    const r = await fuzzMqtt(h.t.url, authorization, h.broker.url, integrations(), 300, SEED);
    expect(r.findings).toEqual([]);
  });
});
