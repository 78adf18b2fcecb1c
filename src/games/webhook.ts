// Generic webhook: any JSON body. With rules, the rule engine maps it to standard events; without,
// the body must already be standard events (one or a batch), checked like POST /api/v1/events.
import { z } from "zod";
import { parseEvents } from "../events/ingest.ts";
import { EVENT_TYPES } from "../events/schema.ts";
import { isObject } from "../util/json.ts";
import { PayloadError, type Adapter, type AdapterEvent } from "./adapter.ts";
import { RuleSchema, runRules, type RuleState } from "./rules.ts";

export const WebhookConfigSchema = z.strictObject({
  game: z.string().min(1).max(32).default("generic").describe("the game name events carry"),
  rules: z.array(RuleSchema).max(100).default([]).describe("how the body maps to events; none: the body is standard events"),
});
type Config = z.infer<typeof WebhookConfigSchema>;

export const webhook: Adapter<Config, RuleState> = {
  type: "webhook",
  name: "Generic webhook",
  game: "generic",
  configSchema: WebhookConfigSchema,
  emits: EVENT_TYPES,
  auth: "header",
  heartbeatMs: 300_000,
  step(payload, prev, config, source) {
    if (!config.rules.length) {
      const r = parseEvents(payload);
      if (!r.ok) throw new PayloadError(`not standard events (and this webhook has no rules): ${r.error}`);
      const sent = (Array.isArray(payload) ? payload : [payload]) as { game?: unknown }[];
      return { events: r.events.map((e, i) => (sent[i].game ? e : { ...e, game: config.game })) as AdapterEvent[], next: prev ?? {} };
    }
    if (!isObject(payload) && !Array.isArray(payload)) throw new PayloadError("payload must be a JSON object or array");
    const r = runRules(config.rules, payload, prev, source);
    return { events: r.events.map((e) => ({ ...e, game: config.game })), next: r.next, note: r.problem };
  },
  setup: `1. Create the integration (type \`webhook\`); optionally give it \`rules\` that map fields of your JSON to events.
2. POST JSON to \`/api/v1/integrations/{id}/event\` with \`Authorization: Bearer <token>\` (or \`X-Ledbox-Token\`, or \`?token=\` for senders that cannot set headers). The token is in \`GET /api/v1/integrations/{id}/setup\`.

Without rules the body is one standard event or a batch, e.g. \`{"type":"custom","name":"doorbell"}\`.
With rules, e.g. \`{"event":"health","path":"hp","fields":{"max":100}}\` or
\`{"event":"kill","path":"stats.kills","on":"increase","perUnit":true}\`.`,
};
