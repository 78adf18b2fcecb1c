// Start-up options: --port/--data flags win over LEDBOX_PORT/LEDBOX_DATA_DIR, which win over defaults.
import { describe, expect, test } from "bun:test";
import { readBoot } from "../../src/config/boot.ts";

describe("readBoot", () => {
  test("defaults: ./data, no port override (the stored setting applies), all interfaces", () => {
    expect(readBoot([], {})).toEqual({ dataDir: "./data", port: undefined, host: "0.0.0.0" });
  });

  test("env vars", () => {
    expect(readBoot([], { LEDBOX_PORT: "9000", LEDBOX_DATA_DIR: "/var/lib/ledbox" })).toMatchObject({ port: 9000, dataDir: "/var/lib/ledbox" });
  });

  test("flags, as `--flag value` or `--flag=value`, win over env vars", () => {
    const env = { LEDBOX_PORT: "9000", LEDBOX_DATA_DIR: "/env" };
    expect(readBoot(["--port", "9100", "--data", "/flag"], env)).toMatchObject({ port: 9100, dataDir: "/flag" });
    expect(readBoot(["--port=9200", "--data=/eq"], env)).toMatchObject({ port: 9200, dataDir: "/eq" });
    expect(readBoot(["--data", "/flag"], env)).toMatchObject({ port: 9000, dataDir: "/flag" });
  });

  test("port 0 asks for an ephemeral port", () => {
    expect(readBoot(["--port", "0"], {}).port).toBe(0);
  });

  test("an empty env var counts as unset", () => {
    expect(readBoot([], { LEDBOX_PORT: "", LEDBOX_DATA_DIR: "" })).toMatchObject({ port: undefined, dataDir: "./data" });
  });

  test("bad values give a clear error naming the option", () => {
    expect(() => readBoot(["--port", "http"], {})).toThrow(/bad start-up option: port: .*NaN/);
    expect(() => readBoot(["--port", "70000"], {})).toThrow(/bad start-up option: port: Too big/);
    expect(() => readBoot(["--port", "80.5"], {})).toThrow(/bad start-up option: port/);
    expect(() => readBoot([], { LEDBOX_PORT: "-1" })).toThrow(/bad start-up option: port: Too small/);
    expect(() => readBoot(["--port"], {})).toThrow(/--port needs a value/);
    expect(() => readBoot(["--port", "--data", "/x"], {})).toThrow(/--port needs a value/);
    expect(() => readBoot(["--data="], {})).toThrow(/--data needs a value/);
  });
});
