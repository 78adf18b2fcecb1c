import { Elysia } from "elysia";
import type { Guards } from "../guards.ts";

export const mqttRoutes = (mqtt: { status(): unknown }, g: Guards) =>
  new Elysia({ prefix: "/api/v1/mqtt" })
    .get("/status", ({ request }) => {
      g.reader(request);
      return mqtt.status();
    }, { detail: { summary: "MQTT connection: state, last error (e.g. refused credentials), retry time, topics, message counts" } });
