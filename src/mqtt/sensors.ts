// The sensors' document, <base>/sensors: one retained JSON that every sensor's value_template reads.
import type { Engine } from "../light/engine.ts";

export type SensorStats = Pick<ReturnType<Engine["stats"]>, "frames" | "targetFps" | "deliveredFps" | "power">;

export function sensorsDoc(s: SensorStats, lastEvent: string | null, integrations: number) {
  return {
    // Measured over fewer than a second's frames the rate is noise (one late first frame read as
    // 146 fps right after start): null until then, which HA shows as "unknown" (it renders as None).
    fps: s.frames > s.targetFps ? Math.round(s.deliveredFps * 10) / 10 : null,
    power_ma: s.power.ma,
    power_w: s.power.watts,
    last_event: lastEvent ?? "none",
    integrations,
  };
}
