// The driver registry: one entry per kind — how to build it and, where the system can tell in
// advance, why a configuration cannot work (checked before settings are applied).
import type { OutputConfig, OutputOf, Settings } from "../config/schema.ts";
import type { DriverContext, OutputDriver } from "./driver.ts";
import { DdpDriver, WledUdpDriver } from "./net.ts";
import { PioDriver, pioProblem } from "./pio.ts";
import { missingDevice } from "./device.ts";
import { DEVICE_TREE } from "./rpi.ts";
import { SerialDriver } from "./serial.ts";
import { SpiDriver, spiProblem } from "./spi.ts";
import { VirtualDriver } from "./virtual.ts";
import { checkWs281x, Ws281xDriver } from "./ws281x.ts";
import { WS281X_HELPER_LIBRARY, Ws281xHelperDriver, ws281xViaHelper } from "./ws281x-helper.ts";

type Kind = OutputConfig["driver"];
interface Entry<K extends Kind> {
  create(cfg: OutputOf<K>, ctx: DriverContext): OutputDriver;
  /** `dt`: the device tree the check reads (the machine's, or a test's fake one). */
  check?(cfg: OutputOf<K>, ctx: DriverContext, dt: string): string | null;
}


export const DRIVERS: { [K in Kind]: Entry<K> } = {
  virtual: { create: (_cfg, ctx) => new VirtualDriver(ctx) },
  spi: { create: (cfg, ctx) => new SpiDriver(cfg, ctx), check: (cfg, ctx) => spiProblem(cfg, ctx) },
  pio: {
    create: (cfg, ctx) => new PioDriver(cfg, ctx),
    check: (cfg, ctx, dt) => pioProblem(cfg, ctx, dt),
  },
  ws281x: {
    // rpi_ws281x needs root: without it, the root helper drives the strip (the appliance).
    create: (cfg, ctx) => (ws281xViaHelper() ? new Ws281xHelperDriver(cfg, ctx) : new Ws281xDriver(cfg, ctx)),
    // Through the helper, the library that matters is the helper's, not one in ledbox's tree.
    check: (cfg, _ctx, dt) => checkWs281x(cfg, dt, ws281xViaHelper() ? WS281X_HELPER_LIBRARY : null),
  },
  serial: { create: (cfg, ctx) => new SerialDriver(cfg, ctx), check: (cfg) => missingDevice(cfg.device) },
  ddp: { create: (cfg, ctx) => new DdpDriver(cfg, ctx) },
  "wled-udp": { create: (cfg, ctx) => new WledUdpDriver(cfg, ctx) },
};

export function createDriver(cfg: OutputConfig, ctx: DriverContext): OutputDriver {
  return (DRIVERS[cfg.driver] as Entry<Kind>).create(cfg, ctx);
}

/** Every output's context, as the engine builds it. */
export function outputContexts(s: Settings): { cfg: OutputConfig; start: number; ctx: DriverContext }[] {
  const bytesPerLed = s.strip.ledType === "rgbw" ? 4 : 3;
  return s.outputs.map((cfg) => ({ cfg, start: cfg.start, ctx: { ledCount: cfg.length ?? s.strip.ledCount - cfg.start, bytesPerLed, colorOrder: s.strip.colorOrder } }));
}

/** The first reason an output of these settings cannot work ("outputs.N (kind): …"), or null. */
export function checkOutputs(s: Settings, dt = DEVICE_TREE): string | null {
  for (const [i, { cfg, ctx }] of outputContexts(s).entries()) {
    const problem = (DRIVERS[cfg.driver] as Entry<Kind>).check?.(cfg, ctx, dt);
    if (problem) return `outputs.${i} (${cfg.driver}): ${problem}`;
  }
  return null;
}
