import { Elysia } from "elysia";
import type { Ledbox } from "../../ledbox.ts";
import type { Guards } from "../app.ts";

export const mqttRoutes = (box: Ledbox, g: Guards) =>
  new Elysia({ prefix: "/api/v1/mqtt" })
    .get("/status", ({ request }) => {
      g.reader(request);
      return box.mqtt.status();
    }, { detail: { summary: "MQTT connection: state, last error (e.g. refused credentials), retry time, topics, message counts" } });
