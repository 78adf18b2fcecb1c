// The sensors' document, without a broker.
import { expect, test } from "bun:test";
import { sensorsDoc, type SensorStats } from "../../src/mqtt/sensors.ts";

const stats = (frames: number, deliveredFps: number): SensorStats => ({ frames, targetFps: 60, deliveredFps, power: { ma: 150, requestedMa: 150, watts: 0.75, limiting: false } });

test("the frame rate is null (HA: unknown) until measured over more than a second of frames: no start-up figure", () => {
  // Right after start, one late first frame makes two ticks 6.8 ms apart read as 146 fps.
  expect(sensorsDoc(stats(2, 146.2), null, 0).fps).toBeNull();
  expect(sensorsDoc(stats(60, 61.3), null, 0).fps).toBeNull();
  expect(sensorsDoc(stats(61, 60.04), "kill", 2)).toEqual({ fps: 60, power_ma: 150, power_w: 0.75, last_event: "kill", integrations: 2 });
  expect(sensorsDoc(stats(5000, 59.87), null, 0)).toMatchObject({ fps: 59.9, last_event: "none" });
});
