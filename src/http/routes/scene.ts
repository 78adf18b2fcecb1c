import { Elysia } from "elysia";
import type { SceneControl } from "../../director/scene-control.ts";
import type { Engine } from "../../light/engine.ts";
import { z } from "zod";
import { EFFECT_IDS } from "../../light/effects/index.ts";
import { BaseChangeSchema, EffectSpecSchema, SegmentRef } from "../../light/specs.ts";
import { DomainError } from "../../util/errors.ts";
import { validate } from "../../util/validation.ts";
import { jsonBody } from "../docs.ts";
import type { Guards } from "../guards.ts";

const ClearQuery = z.strictObject({ segment: SegmentRef.default("*"), effect: z.enum(EFFECT_IDS).optional() });

export const sceneRoutes = (scene: Pick<SceneControl, "setBase">, engine: Pick<Engine, "trigger" | "clear">, g: Guards) =>
  new Elysia({ prefix: "/api/v1/scene" })
    .put("/base", ({ request, body }) => {
      g.admin(request);
      const change = validate(BaseChangeSchema, body, "base layer");
      const segments = scene.setBase(change);
      if (!segments.length) throw new DomainError("not-found", `no segment named "${change.segment}"`);
      return { segments };
    }, { detail: { summary: "Set the base (ambient) layer of a segment or all (*), fading over transitionMs", requestBody: jsonBody(BaseChangeSchema) } })
    .post("/effects", ({ request, body, set }) => {
      g.admin(request);
      const r = engine.trigger(validate(EffectSpecSchema, body, "effect"));
      if (!r.ok) throw new DomainError(r.unknownSegment ? "not-found" : "conflict", r.reason);
      set.status = 201;
      return { ok: true, segments: r.segments };
    }, { detail: { summary: "Play an effect directly (for trying one out)", requestBody: jsonBody(EffectSpecSchema) } })
    .delete("/effects", ({ request, query }) => {
      g.admin(request);
      const { segment, effect } = validate(ClearQuery, query, "query");
      return { cleared: engine.clear(segment, effect) };
    }, { detail: { summary: "End running effects at once: ?segment= (default all) &effect= (default every kind)" } });
