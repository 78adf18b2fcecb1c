import { Elysia } from "elysia";
import { BaseChangeSchema, EffectSpecSchema } from "../../light/specs.ts";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";
import { jsonBody } from "../docs.ts";
import { HttpError, validate } from "../errors.ts";

export const sceneRoutes = (box: Ledbox, g: Guards) =>
  new Elysia({ prefix: "/api/v1/scene" })
    .put("/base", ({ request, body }) => {
      g.admin(request);
      const change = validate(BaseChangeSchema, body, "base layer");
      const segments = box.setBase(change);
      if (!segments.length) throw new HttpError(404, `no segment named "${change.segment}"`);
      return { segments };
    }, { detail: { summary: "Set the base (ambient) layer of a segment or all (*), fading over transitionMs", requestBody: jsonBody(BaseChangeSchema) } })
    .post("/effects", ({ request, body, set }) => {
      g.admin(request);
      const spec = validate(EffectSpecSchema, body, "effect");
      if (!box.engine.scene.targets(spec.segment).length) throw new HttpError(404, `no segment named "${spec.segment}"`);
      const r = box.engine.trigger(spec);
      if (!r.ok) throw new HttpError(409, r.reason);
      set.status = 201;
      return r;
    }, { detail: { summary: "Play an effect directly (for trying one out)", requestBody: jsonBody(EffectSpecSchema) } });
