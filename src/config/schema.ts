// Every setting ledbox stores, as one zod schema: validation, defaults and the TS type.
import { z } from "zod";

export const RGB_ORDERS = ["RGB", "RBG", "GRB", "GBR", "BRG", "BGR"] as const;
export const RGBW_ORDERS = ["RGBW", "RBGW", "GRBW", "GBRW", "BRGW", "BGRW"] as const;
export const COLOR_ORDERS = [...RGB_ORDERS, ...RGBW_ORDERS] as const;
export type ColorOrder = (typeof COLOR_ORDERS)[number];

export const MAX_LEDS = 10_000;
const SEGMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const SegmentSchema = z.strictObject({
  name: z.string().regex(SEGMENT_NAME, "lowercase letters, digits, _ or -, at most 32"),
  start: z.int().min(0),
  length: z.int().min(1),
  reversed: z.boolean().default(false),
  mirrored: z.boolean().default(false),
});
export type Segment = z.infer<typeof SegmentSchema>;

const outputRange = {
  start: z.int().min(0).default(0),
  /** LEDs this output takes from `start`; omitted = to the end of the strip. */
  length: z.int().min(1).optional(),
};
const devicePath = (fallback: string) => z.string().regex(/^\/[\w./-]+$/, "an absolute device path, e.g. /dev/ttyUSB0").default(fallback);
const lanHost = z.string().regex(/^[\w.:-]{1,253}$/, "a host name or IP address");
/** Datagrams per second a LAN receiver is assumed to take: 1000 suits an ESP32 WLED on WiFi. */
const maxPacketsPerSecond = z.int().min(10).max(100_000).default(1000);
/** 4 SPI bits per LED bit (outputs/spi-encoder.ts): 2.2–3.0 MHz keeps WS2812 timing inside tolerance. */
export const SPI_DEFAULT_HZ = 2_600_000;
/** Rates the serial bridge may run at (termios has a constant for each). */
export const SERIAL_BAUDS = [115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1500000, 2000000] as const;
/** The firmware bridge's frame buffer (ATmega328P: 2 KiB of RAM): 512 RGB or 384 RGBW LEDs. */
export const BRIDGE_MAX_BYTES = 1536;
/** One rpi_ws281x DMA buffer (64 KiB) holds this many LEDs per PWM channel. */
export const WS281X_MAX_LEDS = 2700;

export const OutputSchema = z.discriminatedUnion("driver", [
  z.strictObject({ driver: z.literal("virtual"), ...outputRange }),
  z.strictObject({
    driver: z.literal("spi"), ...outputRange,
    device: devicePath("/dev/spidev0.0"),
    speedHz: z.int().min(2_200_000).max(3_000_000).default(SPI_DEFAULT_HZ),
  }),
  z.strictObject({ driver: z.literal("pio"), ...outputRange, device: devicePath("/dev/leds0") }),
  z.strictObject({
    driver: z.literal("ws281x"), ...outputRange,
    /** PWM0 on 12/18, PWM1 on 13/19 (rpi_ws281x's channel 1, which the driver uses for them), PCM on 21. Not on a Pi 5. */
    gpio: z.literal([12, 13, 18, 19, 21], { error: "12 or 18 (PWM0), 13 or 19 (PWM1) or 21 (PCM); rpi_ws281x does not support the Pi 5 (use the pio driver there)" }).default(18),
    dma: z.int().min(1).max(14).refine((d) => d !== 5, "DMA 5 corrupts the SD card on a Pi 3B; use 10").default(10),
    library: z.string().regex(/^\/[\w./+-]+$/).optional(),
  }),
  z.strictObject({
    driver: z.literal("serial"), ...outputRange,
    device: devicePath("/dev/ttyUSB0"),
    /** ledbox = the firmware-bridge protocol; adalight and awa for existing firmware. */
    protocol: z.enum(["ledbox", "adalight", "awa"]).default("ledbox"),
    baud: z.literal(SERIAL_BAUDS).default(2000000),
    /** ledbox bridge: it blanks the strip after this much host silence. */
    silenceMs: z.int().min(100).max(60_000).default(2000),
  }),
  z.strictObject({ driver: z.literal("ddp"), ...outputRange, host: lanHost, port: z.int().min(1).max(65535).default(4048), maxPacketsPerSecond }),
  z.strictObject({
    driver: z.literal("wled-udp"), ...outputRange, host: lanHost, port: z.int().min(1).max(65535).default(21324),
    /** Seconds WLED waits after the last packet before returning to its own effects (255 = never). */
    timeoutS: z.int().min(1).max(255).default(2),
    maxPacketsPerSecond,
  }),
]);
export type OutputConfig = z.infer<typeof OutputSchema>;
export type OutputOf<K extends OutputConfig["driver"]> = Extract<OutputConfig, { driver: K }>;
export type SpiOutput = OutputOf<"spi">;
export type PioOutput = OutputOf<"pio">;
export type Ws281xOutput = OutputOf<"ws281x">;
export type SerialOutput = OutputOf<"serial">;
export type DdpOutput = OutputOf<"ddp">;
export type WledUdpOutput = OutputOf<"wled-udp">;

export const PowerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  budgetMa: z.int().min(50).max(100_000).default(850),
  // 20 mA per channel at full = 60 mA per RGB LED at white: more cautious than WLED's 55 mA.
  channelMa: z.strictObject({
      r: z.number().min(0).max(100).default(20),
      g: z.number().min(0).max(100).default(20),
      b: z.number().min(0).max(100).default(20),
      w: z.number().min(0).max(100).default(20),
    })
    .prefault({}),
  idleMaPerLed: z.number().min(0).max(10).default(1),
  volts: z.number().min(1).max(48).default(5),
});

/** An MQTT topic level path without wildcards, leading/trailing or doubled slashes. */
const TOPIC = /^[^/#+\s]+(\/[^/#+\s]+)*$/;

export const MqttSchema = z.strictObject({
  enabled: z.boolean().default(false),
  url: z.string().max(512)
    .regex(/^(mqtts?|wss?):\/\/[^\s@/]+(\/\S*)?$/, "an mqtt://, mqtts://, ws:// or wss:// URL without user:password (use username and password)")
    .default("mqtt://localhost:1883"),
  username: z.string().max(256).default(""),
  /** Never returned by reads (see redactSettings). "" = none. */
  password: z.string().max(256).default(""),
  /** "" = ledbox-<deviceId>. */
  clientId: z.string().max(64).default(""),
  tls: z.strictObject({
      /** PEM of the CA that signed the broker's certificate; "" = the system's CAs. */
      ca: z.string().max(65_536).default(""),
      allowSelfSigned: z.boolean().default(false),
    })
    .prefault({}),
  /** "" = ledbox/<deviceId>. */
  baseTopic: z.union([z.literal(""), z.string().max(128).regex(TOPIC, "a topic without wildcards or empty levels")]).default(""),
  discoveryPrefix: z.string().max(64).regex(TOPIC, "a topic without wildcards or empty levels").default("homeassistant"),
  /** Set once on the first start; names the device in topics and Home Assistant ids. */
  deviceId: z.string().regex(/^[a-z0-9]{4,32}$/, "4–32 lowercase letters or digits").optional(),
  /** The device's name in Home Assistant; "" = the host name (two boxes must not share one). */
  deviceName: z.string().trim().max(64).default(""),
  /** The page Home Assistant links to (behind a reverse proxy, a fixed address); "" = http://<host>:<port>/. */
  configurationUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }).max(512)]).default(""),
});
export type MqttSettings = z.infer<typeof MqttSchema>;

export const SettingsSchema = z.strictObject({
    strip: z.strictObject({
        ledCount: z.int().min(1).max(MAX_LEDS).default(150),
        ledType: z.enum(["rgb", "rgbw"]).default("rgb"),
        colorOrder: z.enum(COLOR_ORDERS).default("GRB"),
        /** RGBW only: how the white channel is derived from an RGB colour. */
        whiteExtraction: z.enum(["none", "subtract", "add"]).default("subtract"),
      })
      .prefault({}),
    /** Named ranges of the strip; empty = one segment "main" over all of it. */
    segments: z.array(SegmentSchema).max(32).default([]),
    allowOverlappingSegments: z.boolean().default(false),
    render: z.strictObject({
        fps: z.int().min(1).max(240).default(60),
        maxEffectsPerSegment: z.int().min(1).max(32).default(8),
      })
      .prefault({}),
    light: z.strictObject({
        brightness: z.number().min(0).max(1).default(0.8),
        gamma: z.number().min(1).max(3).default(2.2),
        dithering: z.boolean().default(true),
        power: PowerSchema.prefault({}),
      })
      .prefault({}),
    safety: z.strictObject({
        /** WCAG 2.3.1: no more than three general flashes in any one second. */
        flashGuard: z.boolean().default(true),
        maxFlashesPerSecond: z.number().min(0.5).max(10).default(3),
      })
      .prefault({}),
    http: z.strictObject({
        port: z.int().min(1).max(65535).default(8080),
        /** Event ingest: "open" to anyone on the LAN, or "token" (a bearer API token). */
        ingest: z.enum(["open", "token"]).default("open"),
        /** Reads of state/health/live: "open" on the LAN, or "token". */
        reads: z.enum(["open", "token"]).default("open"),
        /**
         * Names this device is reached by besides its hostname, <hostname>.local, localhost and
         * IP addresses (e.g. a reverse proxy's): requests for any other name are refused.
         */
        allowedHosts: z.array(z.string().toLowerCase().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, "a host name")).max(16).default([]),
        /** Live channel clients at once; one more is closed with the reason. */
        liveClients: z.int().min(1).max(256).default(16),
      })
      .prefault({}),
    outputs: z.array(OutputSchema).min(1).max(8).default([{ driver: "virtual", start: 0 }]),
    mqtt: MqttSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    const n = s.strip.ledCount;
    const rgbw = s.strip.ledType === "rgbw";
    if (rgbw !== s.strip.colorOrder.endsWith("W")) {
      ctx.addIssue({
        code: "custom",
        path: ["strip", "colorOrder"],
        message: rgbw ? "an RGBW strip needs an order ending in W" : "an RGB strip needs a 3-letter order",
      });
    }
    const names = new Set<string>();
    s.segments.forEach((seg, i) => {
      if (names.has(seg.name)) ctx.addIssue({ code: "custom", path: ["segments", i, "name"], message: `duplicate segment name "${seg.name}"` });
      names.add(seg.name);
      if (seg.start + seg.length > n) {
        ctx.addIssue({ code: "custom", path: ["segments", i], message: `segment "${seg.name}" ends at LED ${seg.start + seg.length}, past the strip's ${n} LEDs` });
      }
    });
    if (!s.allowOverlappingSegments) {
      const sorted = [...s.segments].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1], cur = sorted[i];
        if (cur.start < prev.start + prev.length) {
          ctx.addIssue({ code: "custom", path: ["segments"], message: `segments "${prev.name}" and "${cur.name}" overlap (set allowOverlappingSegments to allow it)` });
        }
      }
    }
    const bpl = rgbw ? 4 : 3;
    s.outputs.forEach((o, i) => {
      const len = o.length ?? n - o.start;
      const end = o.start + len;
      if (o.start >= n || end > n) ctx.addIssue({ code: "custom", path: ["outputs", i], message: `output range ${o.start}..${end} is outside the strip's ${n} LEDs` });
      if (o.driver === "serial" && o.protocol !== "ledbox" && rgbw) ctx.addIssue({ code: "custom", path: ["outputs", i, "protocol"], message: `${o.protocol} carries RGB only; an RGBW strip needs the ledbox bridge` });
      const max = o.driver === "ws281x" ? WS281X_MAX_LEDS : o.driver === "serial" && o.protocol === "ledbox" ? Math.floor(BRIDGE_MAX_BYTES / bpl) : Infinity;
      if (len > max) ctx.addIssue({ code: "custom", path: ["outputs", i, "length"], message: `${o.driver} output takes at most ${max} LEDs here, not ${len}` });
    });
    const ranges = s.outputs.map((o, i) => ({ i, start: o.start, end: o.start + (o.length ?? n - o.start) })).sort((a, b) => a.start - b.start);
    for (let k = 1; k < ranges.length; k++) {
      if (ranges[k].start < ranges[k - 1].end) {
        ctx.addIssue({ code: "custom", path: ["outputs", ranges[k].i], message: `outputs ${ranges[k - 1].i} and ${ranges[k].i} overlap (LEDs ${ranges[k].start}..${Math.min(ranges[k].end, ranges[k - 1].end)})` });
      }
    }
  });

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

/** Settings as reads show them: secrets left out (a PUT without them keeps the stored ones). */
export function redactSettings(s: Settings): Omit<Settings, "mqtt"> & { mqtt: Omit<MqttSettings, "password"> } {
  const { password, ...mqtt } = s.mqtt;
  return { ...s, mqtt };
}

export const defaultSettings = (): Settings => SettingsSchema.parse({});

/** The segments in force: the configured ones, or one "main" over the whole strip. */
export function effectiveSegments(s: Settings): Segment[] {
  if (s.segments.length > 0) return s.segments;
  return [{ name: "main", start: 0, length: s.strip.ledCount, reversed: false, mirrored: false }];
}
