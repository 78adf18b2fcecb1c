// The driver registry: one entry per kind; hardware drivers add themselves here.
import type { OutputConfig } from "../config/schema.ts";
import type { DriverContext, OutputDriver } from "./driver.ts";
import { VirtualDriver } from "./virtual.ts";

export const DRIVERS: Record<OutputConfig["driver"], (cfg: OutputConfig, ctx: DriverContext) => OutputDriver> = {
  virtual: (_cfg, ctx) => new VirtualDriver(ctx),
};

export function createDriver(cfg: OutputConfig, ctx: DriverContext): OutputDriver {
  return DRIVERS[cfg.driver](cfg, ctx);
}
